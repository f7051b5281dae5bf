"""Decode anything ffmpeg reads into G.711 frames, handed out as ffmpeg produces them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
import contextlib
from functools import partial
import logging
import os
from pathlib import Path
import re
from subprocess import DEVNULL, PIPE
from typing import Self
from urllib.parse import urlsplit

from ._tasks import cancel_and_wait
from .codec import FRAME_BYTES, SAMPLE_RATE, G711Codec
from .const import (
    FFMPEG_BUFFER_LIMIT,
    FFMPEG_ERROR_LINES,
    FFMPEG_EXIT_TIMEOUT,
    FFMPEG_INPUT_STALL_TIMEOUT,
    FFMPEG_NETWORK_TIMEOUT,
    FFMPEG_OPEN_TIMEOUT,
    FFMPEG_PROBE_GRACE,
    FFMPEG_PROTOCOLS,
    FFMPEG_READ_BYTES,
    FFMPEG_REAP_TIMEOUT,
    FFMPEG_STREAMED_OPEN_LIMIT,
    FFMPEG_STREAMED_PROBE_BYTES,
    FFMPEG_URL_SCHEMES,
)
from .exceptions import AudioSourceError, AudioSourceTimeoutError

_LOGGER = logging.getLogger(__name__)

type AudioChunks = Callable[[], AsyncGenerator[bytes]]
"""Audio data that arrives in chunks, e.g. as a speech engine speaks: every call reads it
from its start (one read per decode)."""
type Media = str | bytes | os.PathLike[str] | AudioChunks

# With `-loglevel level+info` every ffmpeg line starts with an optional "[ctx @ 0x..] " and
# then its level.
_LOG_LINE = re.compile(r"^(?:\[[^\]]* @ 0x[0-9a-f]+\] )?\[(?P<level>\w+)\] (?P<text>.*)$")
_DURATION = re.compile(r"^\s*Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")
_NO_AUDIO = ("matches no streams", "does not contain any stream")
# Credentials and query strings (signed URLs) never reach a message or a log line.
_URL_USERINFO = re.compile(r"(?P<scheme>\w+://)[^/\s'\"@]+@")
_URL_QUERY = re.compile(r"(?P<url>\w+://[^\s'\"?]*)\?[^\s'\"]*")


def redact(text: str) -> str:
    """Remove user info and query strings from every URL in a text."""
    return _URL_QUERY.sub(r"\g<url>?…", _URL_USERINFO.sub(r"\g<scheme>***@", text))


class AudioSource:
    """One ffmpeg process decoding a media into 20 ms G.711 frames.

    Use as an async context manager: entering starts ffmpeg and waits for its first audio, so
    unreadable media fail before any speaker is opened; leaving (or cancelling) kills and
    reaps ffmpeg. Audio data is piped in as it comes, chunk by chunk; a chunk source that
    fails fails the decode with its own error.
    """

    def __init__(
        self,
        media: Media,
        codec: G711Codec,
        *,
        ffmpeg_binary: str = "ffmpeg",
        max_duration: float | None = None,
    ) -> None:
        """Describe the decoding; nothing starts before the context is entered."""
        if max_duration is not None and max_duration <= 0:
            raise ValueError("max_duration must be positive")
        self.codec = codec
        self.max_duration = max_duration
        self._ffmpeg_binary = ffmpeg_binary
        self._input, self._stdin_chunks, self._label = _ffmpeg_input(media)
        self._streamed = callable(media)
        self._probed_duration: float | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._stdin_task: asyncio.Task[None] | None = None
        self._stdin_error: Exception | None = None
        self._open_timeout: asyncio.Timeout | None = None
        self._open_limit = 0.0  # loop time: the latest moment of the first audio (piped input)
        self._stderr_task: asyncio.Task[None] | None = None
        self._probed = asyncio.Event()
        self._errors: list[str] = []
        self._last_line = ""
        self._first_chunk = b""
        self._frames: AsyncGenerator[bytes] | None = None
        self._closing = False

    def __repr__(self) -> str:
        """Name the media without secrets."""
        return f"<AudioSource {self._label} {self.codec}>"

    @property
    def duration(self) -> float | None:
        """The play duration in seconds as ffmpeg reported it; None for streams."""
        if self._probed_duration is None:
            return None
        if self.max_duration is None:
            return self._probed_duration
        return min(self._probed_duration, self.max_duration)

    @property
    def pid(self) -> int | None:
        """The ffmpeg process id while it runs."""
        return None if self._process is None else self._process.pid

    async def __aenter__(self) -> Self:
        """Start ffmpeg; return once its first audio is out, raise if it fails first."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop ffmpeg, whatever happened."""
        await self.aclose()

    async def start(self) -> None:
        """Start ffmpeg and wait for its first audio (see `__aenter__`)."""
        if self._process is not None:
            raise RuntimeError("AudioSource can only be started once")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self._ffmpeg_args(),
                stdin=DEVNULL if self._stdin_chunks is None else PIPE,
                stdout=PIPE,
                stderr=PIPE,
                limit=FFMPEG_BUFFER_LIMIT,
            )
        except OSError as err:
            raise AudioSourceError(
                f"Could not run ffmpeg ({self._ffmpeg_binary}): {err.strerror}; install ffmpeg"
                " or configure the path to it"
            ) from err
        _LOGGER.debug("ffmpeg %s decodes %s", self._process.pid, self._label)
        self._stderr_task = asyncio.create_task(self._read_stderr(), name="ffmpeg stderr")
        if self._stdin_chunks is not None:
            self._stdin_task = asyncio.create_task(self._feed_stdin(), name="ffmpeg stdin")
        try:
            await self._wait_first_audio()
        except BaseException:
            await self.aclose()
            raise

    async def _wait_first_audio(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        try:
            self._open_limit = asyncio.get_running_loop().time() + FFMPEG_STREAMED_OPEN_LIMIT
            async with asyncio.timeout(FFMPEG_OPEN_TIMEOUT) as self._open_timeout:
                self._first_chunk = await self._process.stdout.read(FFMPEG_READ_BYTES)
        except TimeoutError:
            raise AudioSourceTimeoutError(
                f"ffmpeg produced no audio from {self._label} within {FFMPEG_OPEN_TIMEOUT:.0f} s;"
                " check that the media is reachable and plays elsewhere"
            ) from None
        finally:
            self._open_timeout = None
        if not self._first_chunk:
            await self._wait_exit()
            return
        # ffmpeg reports the input before it writes audio: the report is already in the pipe.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FFMPEG_PROBE_GRACE):
                await self._probed.wait()

    def frames(self) -> AsyncIterator[bytes]:
        """Iterate over 160-byte frames as ffmpeg produces them; the last is padded with silence.

        Raises AudioSourceError at the end if ffmpeg failed. Can be iterated once.
        """
        if self._process is None:
            raise RuntimeError("enter the AudioSource before reading its frames")
        if self._frames is not None:
            raise RuntimeError("the frames of an AudioSource can only be read once")
        self._frames = self._read_frames()
        return self._frames

    async def _read_frames(self) -> AsyncGenerator[bytes]:
        assert self._process is not None
        assert self._process.stdout is not None
        read = self._process.stdout.read
        data, self._first_chunk = self._first_chunk, b""
        while data:
            whole = len(data) - len(data) % FRAME_BYTES
            for offset in range(0, whole, FRAME_BYTES):
                yield data[offset : offset + FRAME_BYTES]
            rest = data[whole:]
            chunk = await read(FFMPEG_READ_BYTES)
            if not chunk:
                if rest:
                    yield rest.ljust(FRAME_BYTES, bytes([self.codec.silence_byte]))
                break
            data = rest + chunk if rest else chunk
        await self._wait_exit()

    async def _wait_exit(self) -> None:
        """Wait for ffmpeg to exit after its output ended; raise with its reason if it failed."""
        assert self._process is not None
        assert self._stderr_task is not None
        try:
            async with asyncio.timeout(FFMPEG_EXIT_TIMEOUT):
                returncode = await self._process.wait()
                # Its last words explain the exit code.
                await asyncio.wait([self._stderr_task])
        except TimeoutError:
            raise AudioSourceError(
                f"ffmpeg did not exit after decoding {self._label}; it was stopped"
            ) from None
        if self._closing:
            return
        if self._stdin_error is not None:
            # What ffmpeg says about a cut-off input is a consequence; the source's error is why.
            error = self._stdin_error
            raise AudioSourceError(
                f"Could not read {self._label}: {str(error) or type(error).__name__}"
            ) from error
        if returncode != 0:
            raise AudioSourceError(f"Could not play {self._label}: {self._reason(returncode)}")
        if self._errors:
            # ffmpeg ends a stream that broke off (e.g. a network timeout) with success.
            _LOGGER.warning(
                "ffmpeg stopped early or skipped audio of %s: %s", self._label, self._errors[0]
            )

    def _reason(self, returncode: int) -> str:
        if any(marker in line for line in self._errors for marker in _NO_AUDIO):
            return "the media has no audio stream"
        if self._errors:
            return self._errors[0]
        return self._last_line or f"ffmpeg exited with code {returncode}"

    async def aclose(self) -> None:
        """Kill ffmpeg if it still runs and reap it; safe to call more than once."""
        self._closing = True
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            _LOGGER.debug("ffmpeg %s killed", process.pid)
        if self._frames is not None:
            # RuntimeError: another task is inside the generator; the kill ends it there.
            with contextlib.suppress(RuntimeError):
                await self._frames.aclose()
        await cancel_and_wait(self._stdin_task)
        if process is not None:
            # Drain what the dead process left so the pipes close and the transport finishes.
            if process.stdout is not None:
                with contextlib.suppress(RuntimeError):
                    while await process.stdout.read(FFMPEG_BUFFER_LIMIT):
                        pass
            try:
                async with asyncio.timeout(FFMPEG_REAP_TIMEOUT):
                    await process.wait()
            except TimeoutError:
                # Nothing more to do here: the event loop's child watcher reaps it when it ends.
                _LOGGER.warning("ffmpeg %s did not end after being killed", process.pid)
        await cancel_and_wait(self._stderr_task)

    def _ffmpeg_args(self) -> list[str]:
        args = [
            self._ffmpeg_binary,
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-loglevel",
            "level+info",
            "-protocol_whitelist",
            FFMPEG_PROTOCOLS,
        ]
        if urlsplit(self._input).scheme in FFMPEG_URL_SCHEMES:
            args += ["-rw_timeout", str(int(FFMPEG_NETWORK_TIMEOUT * 1_000_000))]
        if self._streamed:
            # ffmpeg would read 5 s of the input, or all of a shorter one, to learn about its
            # streams before any audio comes out: the header and the first packet tell enough.
            args += ["-probesize", str(FFMPEG_STREAMED_PROBE_BYTES)]
        args += ["-i", self._input, "-map", "0:a:0"]
        if self.max_duration is not None:
            args += ["-t", f"{self.max_duration:.3f}"]
        return [
            *args,
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-f",
            self.codec.ffmpeg_format,
            # Hand every packet over at once: playback starts before decoding ends.
            "-flush_packets",
            "1",
            "pipe:1",
        ]

    async def _feed_stdin(self) -> None:
        """Pipe the chunks into ffmpeg as they come, no faster than it takes them; then EOF."""
        assert self._process is not None
        assert self._process.stdin is not None
        assert self._stdin_chunks is not None
        stdin = self._process.stdin
        try:
            async with contextlib.aclosing(self._stdin_chunks()) as chunks:
                while True:
                    try:
                        async with asyncio.timeout(FFMPEG_INPUT_STALL_TIMEOUT) as stall:
                            chunk = await anext(chunks)
                    except StopAsyncIteration:
                        break
                    except Exception as err:  # noqa: BLE001 (any failure of the source)
                        self._stdin_error = (
                            AudioSourceTimeoutError(
                                f"no audio came for {FFMPEG_INPUT_STALL_TIMEOUT:.0f} s"
                            )
                            if stall.expired()
                            else err
                        )
                        _LOGGER.debug("Reading %s failed: %r", self._label, self._stdin_error)
                        break
                    stdin.write(chunk)
                    await stdin.drain()
                    self._input_arrived()
        except BrokenPipeError, ConnectionResetError:
            # ffmpeg stopped reading; its own messages say why.
            pass
        finally:
            stdin.close()

    def _input_arrived(self) -> None:
        """More input reached ffmpeg: its time to produce the first audio starts again.

        A speech engine may take a while between its first chunk (perhaps only a header) and
        enough audio for ffmpeg; that is not a stalled input.
        """
        timeout = self._open_timeout
        if timeout is not None and not timeout.expired():
            now = asyncio.get_running_loop().time()
            timeout.reschedule(min(now + FFMPEG_OPEN_TIMEOUT, self._open_limit))

    async def _read_stderr(self) -> None:
        assert self._process is not None
        assert self._process.stderr is not None
        stderr = self._process.stderr
        while True:
            try:
                raw = await stderr.readline()
            except ValueError:
                continue  # an overlong line (metadata): skipped
            if not raw:
                break
            self._take_line(redact(raw.decode(errors="replace").rstrip()))
        self._probed.set()

    def _take_line(self, line: str) -> None:
        if not line:
            return
        self._last_line = line
        if match := _LOG_LINE.match(line):
            level, text = match["level"], match["text"]
        else:
            level, text = "", line
        if level in {"error", "fatal"} or any(marker in text for marker in _NO_AUDIO):
            if len(self._errors) < FFMPEG_ERROR_LINES:
                self._errors.append(text)
            _LOGGER.debug("ffmpeg: %s", text)
        elif self._probed_duration is None and (duration := _DURATION.match(text)):
            self._probed_duration = (
                int(duration["h"]) * 3600 + int(duration["m"]) * 60 + float(duration["s"])
            )
        elif text.startswith(("Stream mapping:", "Output #")):
            self._probed.set()


def _ffmpeg_input(media: Media) -> tuple[str, AudioChunks | None, str]:
    """Return ffmpeg's input, the chunks to pipe into it, and a label safe for messages."""
    if isinstance(media, bytes):
        return "pipe:0", partial(_one_chunk, media), f"audio data ({len(media)} bytes)"
    if callable(media):
        return "pipe:0", media, "streamed audio data"
    if isinstance(media, str) and "://" in media:
        scheme = urlsplit(media).scheme.lower()
        if scheme not in FFMPEG_URL_SCHEMES:
            raise AudioSourceError(
                f"Cannot play {redact(media)}: only http and https URLs, files and audio data"
                " are supported"
            )
        return media, None, redact(media)
    path = Path(media)
    # The file: prefix keeps a name with a colon from being read as a protocol.
    return f"file:{path}", None, f"file {path}"


async def _one_chunk(data: bytes) -> AsyncGenerator[bytes]:
    """Audio data given whole, as chunks."""
    yield data
