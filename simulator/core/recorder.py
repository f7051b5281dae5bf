"""What a simulated device heard: every talk/transmit session with arrival timestamps.

Times are `time.monotonic()` seconds. On Linux that clock is system-wide, so a benchmark in
another process can compare its own send times with the arrival times read over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import io
import itertools
import json
from pathlib import Path
import time
from typing import Any
import wave

from .const import GAP_THRESHOLD
from .g711 import SAMPLE_RATE, AudioEncoding, decode


@dataclass(frozen=True, slots=True)
class Gap:
    """A pause between two arrivals longer than the gap threshold."""

    at: float  # monotonic time of the arrival that ended the pause
    after_bytes: int  # bytes received before the pause
    seconds: float


@dataclass(slots=True)
class Recording:
    """One session: the bytes a device received, with when each read arrived.

    `encoding` is None for codecs the simulator cannot decode (G.726, AAC): the bytes are
    kept, but there is no WAV.
    """

    index: int
    kind: str
    channel: str
    encoding: AudioEncoding | None
    codec: str
    session_id: str | None = None
    sample_rate: int = SAMPLE_RATE
    opened_at: float = field(default_factory=time.monotonic)
    opened_wall: float = field(default_factory=time.time)
    closed_at: float | None = None
    close_reason: str | None = None
    data: bytearray = field(default_factory=bytearray)
    arrivals: list[tuple[float, int]] = field(default_factory=list)

    def add(self, at: float, chunk: bytes) -> None:
        """Append one read."""
        if chunk:
            self.data += chunk
            self.arrivals.append((at, len(chunk)))

    def close(self, reason: str, at: float | None = None) -> None:
        """Mark the session closed (only the first reason counts)."""
        if self.closed_at is None:
            self.closed_at = time.monotonic() if at is None else at
            self.close_reason = reason

    @property
    def is_open(self) -> bool:
        """True until the session is closed."""
        return self.closed_at is None

    @property
    def bytes_per_second(self) -> int | None:
        """Real-time byte rate of the encoding, None when unknown."""
        if self.encoding is None:
            return None
        width = 2 if self.encoding is AudioEncoding.PCM_S16LE else 1
        return self.sample_rate * width

    def gaps(self, threshold: float = GAP_THRESHOLD) -> list[Gap]:
        """Pauses between consecutive arrivals longer than `threshold` seconds."""
        found: list[Gap] = []
        received = 0
        for (before, size), (after, _) in itertools.pairwise(self.arrivals):
            received += size
            if after - before > threshold:
                found.append(Gap(after, received, after - before))
        return found

    def timing(self) -> tuple[float, float]:
        """(max late, max early) seconds of arrivals against real time from the first byte.

        Byte k is due at first_arrival + k / rate. Late means the stream fell behind (the
        speaker would have run dry); early means the sender ran ahead of real time.
        """
        rate = self.bytes_per_second
        if not self.arrivals or rate is None:
            return 0.0, 0.0
        start = self.arrivals[0][0]
        late = early = 0.0
        received = 0
        for at, size in self.arrivals:
            due = start + received / rate
            late = max(late, at - due)
            early = max(early, due - at)
            received += size
        return late, early

    def summary(self) -> dict[str, Any]:
        """Statistics as JSON-ready values."""
        rate = self.bytes_per_second
        gaps = self.gaps()
        late, early = self.timing()
        first = self.arrivals[0][0] if self.arrivals else None
        last = self.arrivals[-1][0] if self.arrivals else None
        return {
            "index": self.index,
            "kind": self.kind,
            "channel": self.channel,
            "codec": self.codec,
            "encoding": self.encoding.value if self.encoding else None,
            "session_id": self.session_id,
            "opened_at": self.opened_at,
            "opened_wall": self.opened_wall,
            "closed_at": self.closed_at,
            "close_reason": self.close_reason,
            "bytes": len(self.data),
            "reads": len(self.arrivals),
            "audio_seconds": len(self.data) / rate if rate else None,
            "first_byte_at": first,
            "last_byte_at": last,
            "arrival_span_seconds": 0.0 if first is None or last is None else last - first,
            "max_late_seconds": late,
            "max_early_seconds": early,
            "gap_threshold_seconds": GAP_THRESHOLD,
            "gaps": [
                {"at": g.at, "after_bytes": g.after_bytes, "seconds": g.seconds} for g in gaps
            ],
            "max_gap_seconds": max((g.seconds for g in gaps), default=0.0),
        }

    def wav(self) -> bytes:
        """What the speaker played, as a 16-bit mono WAV."""
        if self.encoding is None:
            raise ValueError(f"cannot decode {self.codec} to WAV")
        samples = decode(bytes(self.data), self.encoding)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(samples.tobytes())
        return buffer.getvalue()

    def save(self, directory: Path, prefix: str) -> None:
        """Write `<prefix>-<index>.raw`, `.json` (summary + arrivals) and `.wav`."""
        directory.mkdir(parents=True, exist_ok=True)
        stem = directory / f"{prefix}-{self.index:04d}"
        stem.with_suffix(".raw").write_bytes(bytes(self.data))
        document = {**self.summary(), "arrivals": self.arrivals}
        stem.with_suffix(".json").write_text(json.dumps(document, indent=1))
        if self.encoding is not None:
            stem.with_suffix(".wav").write_bytes(self.wav())


class Recorder:
    """Every recording of one device, in the order sessions started."""

    def __init__(self, save_to: Path | None = None, prefix: str = "device") -> None:
        self.recordings: list[Recording] = []
        self.save_to = save_to
        self.prefix = prefix

    def start(
        self,
        kind: str,
        channel: str,
        codec: str,
        encoding: AudioEncoding | None,
        *,
        session_id: str | None = None,
        sample_rate: int = SAMPLE_RATE,
    ) -> Recording:
        """Begin recording a new session."""
        recording = Recording(
            len(self.recordings), kind, channel, encoding, codec, session_id, sample_rate
        )
        self.recordings.append(recording)
        return recording

    def finish(self, recording: Recording, reason: str) -> None:
        """Close a recording and, with a save directory, write it to disk."""
        recording.close(reason)
        if self.save_to is not None:
            recording.save(self.save_to, self.prefix)

    def clear(self) -> None:
        """Forget every recording."""
        self.recordings.clear()

    @property
    def last(self) -> Recording | None:
        """The most recent recording, if any."""
        return self.recordings[-1] if self.recordings else None
