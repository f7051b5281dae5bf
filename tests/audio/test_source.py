"""AudioSource with the real ffmpeg: formats, bytes, URLs, errors, bounded memory, reaping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import itertools
import math
from pathlib import Path

from aiohttp import web
import pytest

from custom_components.talkback.audio import (
    FRAME_BYTES,
    AudioPacer,
    AudioSource,
    AudioSourceError,
    G711Codec,
)

from .helpers import (
    TONE_FORMATS,
    TONE_HZ,
    assert_reaped,
    cancel_while_playing,
    collect,
    decode_g711,
    endless_wav_chunk,
    reference_decode,
    run_ffmpeg,
    wav_header_for_a_stream,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


@dataclass
class MediaServer:
    """A local HTTP server with well-behaved, endless, stalling and missing media."""

    url: str
    endless_sent: int = 0
    requests: list[str] = field(default_factory=list)


@pytest.fixture
async def media_server(media_dir: Path) -> AsyncIterator[MediaServer]:
    """Serve /tone.mp3, /endless.wav, /stall.mp3 (the tone, then nothing), /silent and 404s."""
    server = MediaServer(url="")
    tone = (media_dir / "tone.mp3").read_bytes()
    chunk = endless_wav_chunk()

    async def stream(request: web.Request, first: bytes, *, endless: bool) -> web.StreamResponse:
        server.requests.append(request.path_qs)
        response = web.StreamResponse(headers={"Content-Type": "audio/wav"})
        await response.prepare(request)
        if first:
            await response.write(first)
        while endless:
            await response.write(chunk)
            server.endless_sent += len(chunk)
        # Stalled: hold the connection until the client goes away (the handler is cancelled).
        await asyncio.Event().wait()
        return response

    async def tone_file(request: web.Request) -> web.Response:
        server.requests.append(request.path_qs)
        return web.Response(body=tone, content_type="audio/mpeg")

    async def endless(request: web.Request) -> web.StreamResponse:
        return await stream(request, wav_header_for_a_stream(), endless=True)

    async def stall(request: web.Request) -> web.StreamResponse:
        return await stream(request, tone, endless=False)

    async def silent(request: web.Request) -> web.StreamResponse:
        return await stream(request, b"", endless=False)

    app = web.Application()
    app.router.add_get("/tone.mp3", tone_file)
    app.router.add_get("/endless.wav", endless)
    app.router.add_get("/stall.mp3", stall)
    app.router.add_get("/silent", silent)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


def test_ffmpeg_build_has_what_the_pipeline_needs(ffmpeg: str) -> None:
    """The G.711 muxers, the common decoders and the whitelisted protocols are all there."""
    muxers = run_ffmpeg(ffmpeg, "-muxers").decode()
    decoders = run_ffmpeg(ffmpeg, "-decoders").decode()
    protocols = run_ffmpeg(ffmpeg, "-protocols").decode().split("Output:")[0].split()
    for muxer in ("mulaw", "alaw"):
        assert f" {muxer} " in muxers
    for decoder in ("mp3float", "vorbis", "flac", "aac", "pcm_s16le"):
        assert f" {decoder} " in decoders
    for protocol in ("file", "http", "https", "pipe", "tcp", "tls"):
        assert protocol in protocols


@pytest.mark.parametrize("codec", list(G711Codec))
@pytest.mark.parametrize("extension", list(TONE_FORMATS))
async def test_every_format_decodes_to_whole_frames(
    ffmpeg: str, media_dir: Path, extension: str, codec: G711Codec
) -> None:
    """Every container decodes to 160-byte frames, exactly what a one-shot decode gives."""
    path = media_dir / f"tone.{extension}"
    async with AudioSource(path, codec, ffmpeg_binary=ffmpeg) as source:
        frames = await collect(source.frames())
        pid = source.pid
    assert {len(item) for item in frames} == {FRAME_BYTES}
    assert b"".join(frames) == reference_decode(ffmpeg, path, codec)
    assert 98 <= len(frames) <= 106  # 2 s, give or take the codec's priming and padding
    assert source.duration == pytest.approx(2.0, abs=0.1)
    assert_reaped(pid)


@pytest.mark.parametrize("codec", list(G711Codec))
async def test_frames_carry_the_tone_in_the_right_law(
    ffmpeg: str, media_dir: Path, codec: G711Codec
) -> None:
    """Decoded back by an independent G.711 decode, the frames are the 440 Hz tone."""
    async with AudioSource(media_dir / "tone.ogg", codec, ffmpeg_binary=ffmpeg) as source:
        samples = decode_g711(ffmpeg, b"".join(await collect(source.frames())), codec)
    body = samples[800:-800]
    rms = math.sqrt(sum(value * value for value in body) / len(body))
    crossings = sum(1 for a, b in itertools.pairwise(body) if a < 0 <= b)
    assert rms > 2000  # lavfi's sine peaks at 1/8 of full scale: 2896 RMS
    assert crossings / (len(body) / 8000) == pytest.approx(TONE_HZ, rel=0.02)


async def test_bytes_are_piped_into_ffmpeg(ffmpeg: str, media_dir: Path) -> None:
    """Audio data given as bytes decodes like the file it came from."""
    path = media_dir / "tone.flac"
    async with AudioSource(path.read_bytes(), G711Codec.ALAW, ffmpeg_binary=ffmpeg) as source:
        frames = await collect(source.frames())
    assert b"".join(frames) == reference_decode(ffmpeg, path, G711Codec.ALAW)
    assert "bytes" in repr(source)


async def test_http_url(ffmpeg: str, media_server: MediaServer, media_dir: Path) -> None:
    """An http URL is fetched by ffmpeg itself."""
    async with AudioSource(
        f"{media_server.url}/tone.mp3", G711Codec.MULAW, ffmpeg_binary=ffmpeg
    ) as source:
        frames = await collect(source.frames())
    assert b"".join(frames) == reference_decode(ffmpeg, media_dir / "tone.mp3", G711Codec.MULAW)
    assert media_server.requests == ["/tone.mp3"]


async def test_max_duration_cuts_the_media(ffmpeg: str, media_dir: Path) -> None:
    """At most max_duration seconds are played, and duration says so."""
    async with AudioSource(
        media_dir / "tone.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg, max_duration=0.5
    ) as source:
        frames = await collect(source.frames())
    assert len(frames) == 25
    assert source.duration == 0.5


async def test_max_duration_ends_an_endless_stream(ffmpeg: str, media_server: MediaServer) -> None:
    """An endless radio stream with a maximum duration ends on time, in frames."""
    async with AudioSource(
        f"{media_server.url}/endless.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg, max_duration=3
    ) as source:
        frames = await collect(source.frames())
    assert len(frames) == 150
    assert source.duration is None  # a stream has no duration of its own


async def test_memory_stays_bounded_for_an_endless_stream(
    ffmpeg: str, media_server: MediaServer
) -> None:
    """ffmpeg stops pulling the stream while its audio is not taken, then resumes."""
    async with AudioSource(
        f"{media_server.url}/endless.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg
    ) as source:
        frames = source.frames()
        await anext(frames)
        held = await settled(lambda: media_server.endless_sent)
        # Socket buffers and ffmpeg's own, nothing proportional to the stream's length.
        assert held < 32_000_000
        for _ in range(50_000):  # 1000 s of audio at most
            await anext(frames)
            if media_server.endless_sent > held:
                break
        assert media_server.endless_sent > held
        pid = source.pid
    assert_reaped(pid)


async def settled(read: object) -> int:
    """Poll a counter until it stops moving (at most 30 s): the producer is blocked."""
    assert callable(read)
    last, still = -1, 0
    for _ in range(300):
        await asyncio.sleep(0.1)
        value = read()
        still = still + 1 if value == last else 0
        if still == 3:
            return int(value)
        last = value
    pytest.fail(f"the stream kept flowing: {last} bytes")


async def test_stalled_stream_is_paced_with_silence(ffmpeg: str, media_server: MediaServer) -> None:
    """A stream that stops sending gets silence frames from the pacer, counted."""
    codec = G711Codec.ALAW
    heard = []
    async with (
        AudioSource(f"{media_server.url}/stall.mp3", codec, ffmpeg_binary=ffmpeg) as source,
        AudioPacer(source.frames(), codec, lead=0.04) as pacer,
    ):
        async for item in pacer:
            heard.append(item)
            if heard[-5:] == [codec.silence_frame] * 5:
                break
    audio = heard[: heard.index(codec.silence_frame)]
    assert len(audio) > 50  # most of the 2 s tone came before the stall
    assert pacer.stats.silence_frames == 5
    # Each item is a chunk of whole frames (two at the start, to fill the lead).
    assert pacer.stats.frames_sent == sum(len(item) for item in heard) // FRAME_BYTES


async def test_cancelled_consumer_kills_and_reaps_ffmpeg(
    ffmpeg: str, media_server: MediaServer
) -> None:
    """Cancelling a task that plays an endless stream leaves no ffmpeg, not even a zombie."""
    source = AudioSource(f"{media_server.url}/endless.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    await cancel_while_playing(source)
    assert_reaped(source.pid)


async def test_cancelled_while_opening_reaps_ffmpeg(ffmpeg: str, media_server: MediaServer) -> None:
    """A cancel while ffmpeg still waits for the first audio also reaps it."""
    sources: list[AudioSource] = []

    async def play() -> None:
        source = AudioSource(f"{media_server.url}/silent", G711Codec.MULAW, ffmpeg_binary=ffmpeg)
        sources.append(source)
        async with source:
            pytest.fail("a silent stream cannot open")

    task = asyncio.create_task(play())
    while not media_server.requests:
        await asyncio.sleep(0.01)
    pid = sources[0].pid
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()
    assert_reaped(pid)


async def test_leaving_without_reading_reaps_ffmpeg(ffmpeg: str, media_dir: Path) -> None:
    """Entering and leaving without reading the frames stops ffmpeg too."""
    async with AudioSource(media_dir / "tone.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg) as source:
        pid = source.pid
    assert_reaped(pid)
    await source.aclose()  # again: harmless


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ("missing.mp3", "No such file or directory"),
        # Depending on what ffmpeg takes it for.
        ("garbage.bin", "Invalid data found|no audio stream"),
        ("video.mp4", "the media has no audio stream"),
        (b"\x00\x01 not audio" * 100, "Invalid data found"),
    ],
    ids=["missing", "garbage-file", "no-audio-stream", "garbage-bytes"],
)
async def test_ffmpeg_errors_become_audio_source_errors(
    ffmpeg: str, media_dir: Path, media: str | bytes, reason: str
) -> None:
    """ffmpeg's reason is in the message, and entering fails before any audio."""
    source = AudioSource(
        media if isinstance(media, bytes) else media_dir / media,
        G711Codec.MULAW,
        ffmpeg_binary=ffmpeg,
    )
    with pytest.raises(AudioSourceError, match=reason):
        async with source:
            pytest.fail("entered a source that cannot play")
    assert_reaped(source.pid)


async def test_http_error_without_leaking_credentials(
    ffmpeg: str, media_server: MediaServer
) -> None:
    """A 404 names the URL without its password or signed query."""
    url = media_server.url.replace("http://", "http://admin:hunter2@") + "/gone.mp3?authSig=s3cr3t"
    source = AudioSource(url, G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    with pytest.raises(AudioSourceError, match="404") as caught:
        async with source:
            pass
    for text in (str(caught.value), repr(source)):
        assert "hunter2" not in text
        assert "s3cr3t" not in text
    assert "/gone.mp3" in str(caught.value)


@pytest.mark.parametrize(
    "url", ["rtsp://admin:hunter2@10.0.0.1/stream", "ftp://10.0.0.1/a.mp3", "concat:a.mp3|b.mp3"]
)
def test_protocols_outside_the_whitelist_are_refused(url: str) -> None:
    """Only http(s), files and bytes: other URLs fail at once, plain names are files."""
    if "://" not in url:
        source = AudioSource(url, G711Codec.MULAW)
        assert "file concat:a.mp3|b.mp3" in repr(source)  # a file name, not ffmpeg's concat
        return
    with pytest.raises(AudioSourceError, match="only http and https") as caught:
        AudioSource(url, G711Codec.MULAW)
    assert "hunter2" not in str(caught.value)


async def test_missing_ffmpeg(media_dir: Path) -> None:
    """A wrong ffmpeg path says what to do."""
    with pytest.raises(AudioSourceError, match="install ffmpeg"):
        async with AudioSource(
            media_dir / "tone.wav", G711Codec.MULAW, ffmpeg_binary="/nonexistent/ffmpeg"
        ):
            pass


async def test_misuse_is_refused(ffmpeg: str, media_dir: Path) -> None:
    """Frames before start, frames twice, start twice and a bad max_duration are errors."""
    with pytest.raises(ValueError, match="max_duration"):
        AudioSource(media_dir / "tone.wav", G711Codec.MULAW, max_duration=0)
    source = AudioSource(media_dir / "tone.wav", G711Codec.MULAW, ffmpeg_binary=ffmpeg)
    with pytest.raises(RuntimeError, match="enter"):
        source.frames()
    async with source:
        source.frames()
        with pytest.raises(RuntimeError, match="once"):
            source.frames()
        with pytest.raises(RuntimeError, match="once"):
            await source.start()
