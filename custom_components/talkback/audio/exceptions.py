"""Errors of the audio pipeline; every one says what the user can do about it."""

from __future__ import annotations


class AudioError(Exception):
    """Base class of every audio pipeline error."""


class AudioSourceError(AudioError):
    """ffmpeg could not decode the media (unreadable, no audio stream, ffmpeg missing...)."""


class AudioSourceTimeoutError(AudioSourceError):
    """ffmpeg produced no audio and no error in time."""


class AudioSinkDroppedError(AudioError):
    """A fan-out sink was dropped because its speaker failed or fell too far behind."""
