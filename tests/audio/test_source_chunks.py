"""AudioSource fed in chunks as they come (a speech engine still speaking), with the real ffmpeg."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from pathlib import Path
import time

import pytest

from custom_components.talkback.audio import (
    FRAME_BYTES,
    AudioSource,
    AudioSourceError,
    AudioSourceTimeoutError,
    G711Codec,
    source as source_module,
)

from .helpers import (
    ENDLESS_RATE,
    TONE_FORMATS,
    assert_reaped,
    cancel_while_playing,
    collect,
    endless_wav_chunk,
    reference_decode,
    wav_header_for_a_stream,
)

TENTH = endless_wav_chunk()[: ENDLESS_RATE * 4 // 10]
"""0.1 s of the tone, 48 kHz stereo: ffmpeg's WAV reader holds back the first 64 KiB (0.34 s)."""


@dataclass
class SpeakingEngine:
    """A chunk source like a speech engine: a WAV header, then the tone a tenth at a time.

    Every read starts from the beginning; the source records what happened to its reads.
    """

    tenths: int
    pause: float
    fail_after: int | None = None
    """Raise after this many tenths, as an engine failing mid-sentence."""
    stall_after: int | None = None
    """Stop sending after this many tenths, without ending."""
    reads: int = 0
    closed: int = 0
    finished_at: list[float] = field(default_factory=list)

    async def __call__(self) -> AsyncGenerator[bytes]:
        """One read of the audio."""
        self.reads += 1
        try:
            yield wav_header_for_a_stream()
            for index in range(self.tenths):
                if index == self.fail_after:
                    raise RuntimeError("the engine broke down")
                if index == self.stall_after:
                    await asyncio.Event().wait()
                await asyncio.sleep(self.pause)
                yield TENTH
            self.finished_at.append(time.monotonic())
        finally:
            self.closed += 1


async def test_audio_flows_while_the_source_still_speaks(ffmpeg: str) -> None:
    """The first frames come long before the source's last chunk; in the end, all of it."""
    engine = SpeakingEngine(tenths=30, pause=0.05)
    async with AudioSource(engine, G711Codec.MULAW, ffmpeg_binary=ffmpeg) as source:
        first_frame_at = time.monotonic()
        frames = await collect(source.frames())
        pid = source.pid
    [finished_at] = engine.finished_at
    assert first_frame_at < finished_at - 0.5
    assert len(frames) == 150  # 3 s
    assert all(len(frame) == FRAME_BYTES for frame in frames)
    assert "streamed audio data" in repr(source)
    assert (engine.reads, engine.closed) == (1, 1)
    assert_reaped(pid)


async def test_every_source_reads_from_the_start(ffmpeg: str) -> None:
    """Two decodes of one chunk source, at once and in different laws, both get all of it."""
    engine = SpeakingEngine(tenths=10, pause=0.02)

    async def decode(codec: G711Codec) -> list[bytes]:
        async with AudioSource(engine, codec, ffmpeg_binary=ffmpeg) as source:
            return await collect(source.frames())

    mulaw, alaw = await asyncio.gather(decode(G711Codec.MULAW), decode(G711Codec.ALAW))
    assert len(mulaw) == len(alaw) == 50
    assert mulaw != alaw
    assert (engine.reads, engine.closed) == (2, 2)


@pytest.mark.parametrize("fail_after", [0, 10], ids=["before-audio", "mid-stream"])
async def test_a_failing_source_is_an_audio_source_error(ffmpeg: str, fail_after: int) -> None:
    """The source's own error is the reason, whether before the first audio or during it."""
    engine = SpeakingEngine(tenths=30, pause=0.01, fail_after=fail_after)
    source = AudioSource(engine, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    with pytest.raises(AudioSourceError, match="the engine broke down") as err:
        async with source:
            await collect(source.frames())
    assert isinstance(err.value.__cause__, RuntimeError)
    assert engine.closed == 1
    assert_reaped(source.pid)


async def test_leaving_mid_stream_closes_the_source(ffmpeg: str) -> None:
    """Stopping while the source still speaks closes its read, ends the feed, reaps ffmpeg."""
    engine = SpeakingEngine(tenths=30, pause=0.01, stall_after=10)
    async with AudioSource(engine, G711Codec.MULAW, ffmpeg_binary=ffmpeg) as source:
        await anext(source.frames())
        feed = source._stdin_task  # the task that reads the source
        pid = source.pid
    assert feed is not None
    assert feed.done()
    assert engine.closed == 1
    assert_reaped(pid)


async def test_cancelled_mid_stream_closes_the_source(ffmpeg: str) -> None:
    """Cancelling the task that plays leaves no read, no task and no ffmpeg behind."""
    engine = SpeakingEngine(tenths=30, pause=0.01, stall_after=10)
    source = AudioSource(engine, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    await cancel_while_playing(source)
    assert engine.closed == 1
    feed = source._stdin_task  # the task that reads the source
    assert feed is not None
    assert feed.done()
    assert_reaped(source.pid)


async def test_a_slow_source_restarts_the_open_timeout(
    ffmpeg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks that keep coming keep ffmpeg's open timeout away; a source that stops does not.

    ffmpeg needs 64 KiB of the WAV before its first audio: 0.34 s of the tone, here 1.7 s.
    """
    monkeypatch.setattr(source_module, "FFMPEG_OPEN_TIMEOUT", 0.5)
    slow = SpeakingEngine(tenths=10, pause=0.25)
    async with AudioSource(slow, G711Codec.MULAW, ffmpeg_binary=ffmpeg) as source:
        assert len(await collect(source.frames())) == 50

    stalled = SpeakingEngine(tenths=10, pause=0.01, stall_after=1)
    source = AudioSource(stalled, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    with pytest.raises(AudioSourceTimeoutError, match="produced no audio"):
        async with source:
            pytest.fail("opened a source that stopped before ffmpeg had enough to play")
    assert stalled.closed == 1
    assert_reaped(source.pid)


async def test_a_trickle_ffmpeg_cannot_decode_fails_at_the_limit(
    ffmpeg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes that keep coming but never make audio: the open ends at its overall limit."""
    monkeypatch.setattr(source_module, "FFMPEG_OPEN_TIMEOUT", 0.4)
    monkeypatch.setattr(source_module, "FFMPEG_STREAMED_OPEN_LIMIT", 1.0)

    async def trickle() -> AsyncGenerator[bytes]:
        yield b"RIFF"  # the start of a WAV header, then nothing ffmpeg can use
        while True:
            await asyncio.sleep(0.2)
            yield b"\0"

    source = AudioSource(trickle, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    started = time.monotonic()
    with pytest.raises(AudioSourceTimeoutError, match="produced no audio"):
        async with source:
            pytest.fail("opened a source that never gave ffmpeg audio")
    assert time.monotonic() - started < 1.0 + 1.0
    assert_reaped(source.pid)


@pytest.mark.parametrize("extension", TONE_FORMATS)
async def test_every_format_decodes_from_chunks(
    ffmpeg: str, media_dir: Path, extension: str
) -> None:
    """ffmpeg learns little before it decodes piped chunks; that is enough for every format."""
    data = (media_dir / f"tone.{extension}").read_bytes()

    async def chunks() -> AsyncGenerator[bytes]:
        for offset in range(0, len(data), 4096):
            await asyncio.sleep(0)
            yield data[offset : offset + 4096]

    async with AudioSource(chunks, G711Codec.ALAW, ffmpeg_binary=ffmpeg) as source:
        frames = await collect(source.frames())
    reference = reference_decode(ffmpeg, media_dir / f"tone.{extension}", G711Codec.ALAW)
    # ffmpeg cannot trim an MP3's end padding (12 ms here) when it cannot seek: a frame more.
    assert 0 <= len(frames) - len(reference) // FRAME_BYTES <= 1


async def test_a_source_that_stalls_mid_stream_fails(
    ffmpeg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source that stops sending, without ending, fails once it stalled too long."""
    monkeypatch.setattr(source_module, "FFMPEG_INPUT_STALL_TIMEOUT", 0.5)
    engine = SpeakingEngine(tenths=30, pause=0.01, stall_after=10)
    source = AudioSource(engine, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    async with source:
        frames = source.frames()
        for _ in range(45):  # most of the second that came before the stall
            await anext(frames)
        with pytest.raises(AudioSourceError, match="no audio came for") as err:
            await collect(frames)
    assert isinstance(err.value.__cause__, AudioSourceTimeoutError)
    assert engine.closed == 1
    assert_reaped(source.pid)
