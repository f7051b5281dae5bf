"""The camera's microphone: what a client hears on `GET .../audioData`.

A microphone always picks something up: its ambient sound (a 1 kHz test tone, silence, or a
sound file played in a loop) and, on top of it, clips queued by a test ("the visitor
speaks"). A queued clip starts on the first frame a listener takes after it was queued (after
an optional lead-in of ambient sound), so a test knows exactly when the camera "heard" it. A
clip may also wait for the camera's speaker: it then starts once the speaker has played
something and been quiet for a while, as a visitor answers a question.
Sound files are decoded once with ffmpeg to 8 kHz mono 16-bit samples.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass, field
import math
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any

from simulator.core import AudioEncoding
from simulator.core.g711 import SAMPLE_RATE, encode

from .const import FRAME_BYTES, TONE_AMPLITUDE, TONE_FREQUENCY

AMBIENT_TONE = "tone"
AMBIENT_SILENCE = "silence"
# A decode that takes longer than this is a broken file or a stuck ffmpeg.
DECODE_TIMEOUT = 30.0
# Clips a test may queue before the oldest are refused (bounded memory).
MAX_QUEUED_CLIPS = 16


class SoundError(ValueError):
    """A sound that cannot be decoded (no ffmpeg, not audio, empty)."""


def decode_sound(source: Path | bytes) -> array[int]:
    """Any audio ffmpeg reads (a path, or a whole file's bytes) -> 8 kHz mono s16 samples."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SoundError("ffmpeg is not installed")
    if isinstance(source, Path) and not source.is_file():
        raise SoundError(f"no sound file {source}")
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error"]
    command += ["-i", str(source) if isinstance(source, Path) else "pipe:0"]
    command += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1"]
    try:
        done = subprocess.run(
            command,
            input=source if isinstance(source, bytes) else None,
            capture_output=True,
            timeout=DECODE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise SoundError(f"ffmpeg did not decode the sound within {DECODE_TIMEOUT:g} s") from err
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        raise SoundError(f"ffmpeg could not decode the sound: {reason[0]}")
    samples = array("h", done.stdout[: len(done.stdout) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        raise SoundError("the sound has no audio")
    return samples


def _tone() -> array[int]:
    """One second of the test tone (the pattern repeats every second)."""
    step = 2 * math.pi * TONE_FREQUENCY / SAMPLE_RATE
    return array("h", (round(TONE_AMPLITUDE * math.sin(step * n)) for n in range(SAMPLE_RATE)))


@dataclass(slots=True)
class _Clip:
    samples: array[int]
    lead_frames: int
    after_speaker: float | None = None  # seconds of quiet after the speaker played
    queued_at: float = field(default_factory=time.monotonic)
    position: int = 0


class Microphone:
    """One channel's audio input; `frame(encoding)` gives the next 20 ms a listener hears."""

    def __init__(self, ambient: str = AMBIENT_TONE, samples: array[int] | None = None) -> None:
        """`samples`: the decoded sound file when `ambient` names one (decoded here if not)."""
        self.ambient_name = ""
        self._ambient: array[int] | None = None  # None: silence
        self._ambient_position = 0
        self._queue: deque[_Clip] = deque()
        self.clips_played = 0
        self.frames_sent = 0
        self.speaker_done_at: float | None = None  # when the speaker has played all it got
        self.set_ambient(ambient, samples)
        self._configured = (self.ambient_name, self._ambient)

    # Test controls -----------------------------------------------------------------------

    def set_ambient(self, ambient: str, samples: array[int] | None = None) -> None:
        """`tone`, `silence`, or a sound file played in a loop (decoded here unless given)."""
        if ambient == AMBIENT_TONE:
            self._ambient = _tone()
        elif ambient == AMBIENT_SILENCE:
            self._ambient = None
        else:
            self._ambient = samples if samples is not None else decode_sound(Path(ambient))
        self.ambient_name = ambient
        self._ambient_position = 0

    def play(
        self,
        samples: array[int],
        *,
        lead_seconds: float = 0.0,
        after_speaker: float | None = None,
    ) -> None:
        """Queue a clip (8 kHz s16 samples): heard after what is queued, `lead_seconds` later.

        `after_speaker`: the clip waits until the camera's speaker, after the clip was queued,
        played something and then got no audio for this many seconds (then the lead-in).
        """
        if not samples:
            raise SoundError("the sound has no audio")
        if lead_seconds < 0 or (after_speaker is not None and after_speaker < 0):
            raise ValueError("lead_seconds and after_speaker must not be negative")
        if len(self._queue) >= MAX_QUEUED_CLIPS:
            raise ValueError(f"at most {MAX_QUEUED_CLIPS} clips may wait")
        lead_frames = round(lead_seconds * SAMPLE_RATE / FRAME_BYTES)
        self._queue.append(_Clip(samples, lead_frames, after_speaker))

    def play_file(self, path: Path, *, lead_seconds: float = 0.0) -> None:
        """Decode a sound file (blocking: run it in a thread from the event loop) and queue it."""
        self.play(decode_sound(path), lead_seconds=lead_seconds)

    def speaker_played(self, at: float, size: int) -> None:
        """The camera's speaker got `size` bytes of G.711 (the talk socket) at `at`.

        The speaker plays what it gets at 8000 bytes a second from the first byte, so a
        client sending ahead of time is still heard after its last byte: clips waiting for
        the speaker's end count from when the speaker has played everything it got.
        """
        start = at if self.speaker_done_at is None else max(at, self.speaker_done_at)
        self.speaker_done_at = start + size / SAMPLE_RATE

    def clear(self) -> None:
        """Forget queued clips."""
        self._queue.clear()

    def restore(self) -> None:
        """Back to the configured ambient sound, nothing queued, counters at zero."""
        self.clear()
        self.ambient_name, self._ambient = self._configured
        self._ambient_position = 0
        self.clips_played = 0
        self.frames_sent = 0
        self.speaker_done_at = None

    @property
    def queued_seconds(self) -> float:
        """Audio still to be heard from queued clips (lead-ins included)."""
        frames = sum(
            clip.lead_frames + math.ceil((len(clip.samples) - clip.position) / FRAME_BYTES)
            for clip in self._queue
        )
        return frames * FRAME_BYTES / SAMPLE_RATE

    def state(self) -> dict[str, Any]:
        """JSON for `/simulator/microphone`."""
        return {
            "ambient": self.ambient_name,
            "queued_clips": len(self._queue),
            "queued_seconds": self.queued_seconds,
            "clips_played": self.clips_played,
            "frames_sent": self.frames_sent,
            "waiting_for_speaker": any(clip.after_speaker is not None for clip in self._queue),
        }

    # The stream --------------------------------------------------------------------------

    def frame(self, encoding: AudioEncoding) -> bytes:
        """The next 160 samples a listener hears, in `encoding`."""
        samples = self._next_samples()
        self.frames_sent += 1
        return encode(samples, encoding)

    def _next_samples(self) -> array[int]:
        clip = self._queue[0] if self._queue else None
        if clip is not None and clip.after_speaker is not None:
            heard = self.speaker_done_at
            if heard is None or heard < clip.queued_at:
                return self._ambient_samples(FRAME_BYTES)  # the question was not asked yet
            if time.monotonic() - heard < clip.after_speaker:
                return self._ambient_samples(FRAME_BYTES)  # still talking (or just finished)
            clip.after_speaker = None
        if clip is not None and clip.lead_frames == 0:
            part = clip.samples[clip.position : clip.position + FRAME_BYTES]
            clip.position += FRAME_BYTES
            if clip.position >= len(clip.samples):
                self._queue.popleft()
                self.clips_played += 1
            if len(part) < FRAME_BYTES:
                part.extend(self._ambient_samples(FRAME_BYTES - len(part)))
            return part
        if clip is not None:
            clip.lead_frames -= 1
        return self._ambient_samples(FRAME_BYTES)

    def _ambient_samples(self, count: int) -> array[int]:
        if self._ambient is None:
            return array("h", bytes(2 * count))
        out = array("h")
        while len(out) < count:
            start = self._ambient_position
            chunk = self._ambient[start : start + count - len(out)]
            out.extend(chunk)
            self._ambient_position = (start + len(chunk)) % len(self._ambient)
        return out
