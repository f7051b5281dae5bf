"""Audio pipeline: any source to paced G.711 frames, fanned out. No Home Assistant imports."""

from .codec import FRAME_BYTES, FRAME_DURATION, SAMPLE_RATE, G711Codec
from .exceptions import AudioError, AudioSinkDroppedError, AudioSourceError, AudioSourceTimeoutError
from .fanout import AudioFanOut, FanOutSink
from .pacer import AudioPacer, FrameSender, PacerClock, PacerStats, stream_to
from .source import AudioChunks, AudioSource, Media

__all__ = [
    "FRAME_BYTES",
    "FRAME_DURATION",
    "SAMPLE_RATE",
    "AudioChunks",
    "AudioError",
    "AudioFanOut",
    "AudioPacer",
    "AudioSinkDroppedError",
    "AudioSource",
    "AudioSourceError",
    "AudioSourceTimeoutError",
    "FanOutSink",
    "FrameSender",
    "G711Codec",
    "Media",
    "PacerClock",
    "PacerStats",
    "stream_to",
]
