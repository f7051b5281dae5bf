"""A device's microphone as a voice pipeline hears it: 8 kHz G.711 -> 16 kHz 16-bit mono PCM.

`MicrophoneConverter` decodes G.711 and resamples with `audioop.ratecv`, keeping its state
across chunks so that chunk edges leave no clicks. `HalfDuplexGate` silences what the
microphone picks up while the device's own speaker talks (and a short tail after, for the
room's echo and the network's delay), so a reply is never heard as the next request.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
import time
from typing import Final

import audioop

from .codec import SAMPLE_RATE, G711Codec

PIPELINE_SAMPLE_RATE: Final = 16000
PIPELINE_SAMPLE_WIDTH: Final = 2
# How long after the speaker stopped the microphone stays muted: the device's speaker buffer,
# the room's echo and the receive path's delay.
DEFAULT_ECHO_TAIL: Final = 0.3

_DECODERS: Final = {G711Codec.MULAW: audioop.ulaw2lin, G711Codec.ALAW: audioop.alaw2lin}


class MicrophoneConverter:
    """G.711 chunks of any size in, 16 kHz s16le mono chunks out (twice as many samples)."""

    def __init__(self, codec: G711Codec, sample_rate: int = PIPELINE_SAMPLE_RATE) -> None:
        self.codec = codec
        self.sample_rate = sample_rate
        self._decode = _DECODERS[codec]
        self._state: tuple[int, tuple[tuple[int, int], ...]] | None = None

    def convert(self, chunk: bytes) -> bytes:
        """Decode and resample one chunk, continuing from the previous one."""
        if not chunk:
            return b""
        linear = self._decode(chunk, PIPELINE_SAMPLE_WIDTH)
        converted, self._state = audioop.ratecv(
            linear, PIPELINE_SAMPLE_WIDTH, 1, SAMPLE_RATE, self.sample_rate, self._state
        )
        return converted

    def reset(self) -> None:
        """Forget the resampler's state (a new, unrelated stream follows)."""
        self._state = None


class HalfDuplexGate:
    """Mutes the microphone while the speaker talks and for `tail` seconds afterwards.

    Use `with gate.speaking():` around a reply (or `speaker_started()`/`speaker_stopped()`),
    and pass every microphone chunk through `filter()`: muted chunks come back as silence of
    the same length, so the pipeline's voice activity detection keeps counting time.
    """

    def __init__(
        self, tail: float = DEFAULT_ECHO_TAIL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tail = tail
        self._clock = clock
        self._speakers = 0
        self._muted_until = 0.0
        self.muted_bytes = 0

    def speaker_started(self) -> None:
        """The device's speaker starts playing."""
        self._speakers += 1

    def speaker_stopped(self) -> None:
        """The device's speaker stopped; the microphone stays muted for the tail."""
        self._speakers = max(0, self._speakers - 1)
        self._muted_until = max(self._muted_until, self._clock() + self.tail)

    @contextmanager
    def speaking(self) -> Iterator[None]:
        """Muted while the block runs (however it ends) and for the tail after it."""
        self.speaker_started()
        try:
            yield
        finally:
            self.speaker_stopped()

    @property
    def muted(self) -> bool:
        """True while the speaker talks or its tail lasts."""
        return self._speakers > 0 or self._clock() < self._muted_until

    def filter(self, pcm: bytes) -> bytes:
        """The chunk as heard, or silence of the same length while muted."""
        if not self.muted:
            return pcm
        self.muted_bytes += len(pcm)
        return bytes(len(pcm))


async def pipeline_audio(
    chunks: AsyncIterable[bytes],
    converter: MicrophoneConverter,
    gate: HalfDuplexGate | None = None,
) -> AsyncIterator[bytes]:
    """The device's received G.711 as the pipeline's PCM, gated, chunk by chunk."""
    async for chunk in chunks:
        pcm = converter.convert(chunk)
        if pcm:
            yield gate.filter(pcm) if gate is not None else pcm
