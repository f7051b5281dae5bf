"""How long a play may wait for the device: to start taking the audio, and to end it.

Every network step of the clients has its own timeout, and a device that answers each
step slowly (byte by byte, say) could use each one up: a one-second announcement would
take half a minute. So a play has two bounds over all of its steps. The device must take
the first audio within `PLAY_START_TIMEOUT` (reading the codec, closing and opening the
session, authenticating, connecting; resolving and decoding the media have bounds of their
own and do not count), and confirm the end within `PLAY_END_TIMEOUT` of the last audio. In
between, the pacer keeps time and a device that stops taking audio fails within the
clients' stall bound. What follows a confirmed end (stopping ffmpeg, closing the session)
gets `PLAY_END_TIMEOUT` too; what is still running then finishes in the background and the
play counts as played, unless an error was already on its way out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN

PLAY_START_TIMEOUT = 10.0
"""From the play reaching the device until the device takes the first audio."""
PLAY_END_TIMEOUT = 8.0
"""From the last audio until the device confirms it (then again for closing the session)."""


class PlayPhase(StrEnum):
    """Where a play is; each phase has its own bound, or none."""

    STARTING = "starting"
    DECODING = "decoding"
    STREAMING = "streaming"
    ENDING = "ending"
    CLOSING = "closing"


class PlayDeadline:
    """The bound of the phase a play is in; made by `play_deadline()`."""

    def __init__(self, timeout: asyncio.Timeout) -> None:
        """Start in the starting phase."""
        self._timeout = timeout
        self._loop = asyncio.get_running_loop()
        self._start_left = PLAY_START_TIMEOUT
        self.phase = PlayPhase.STARTING
        self._enter(PlayPhase.STARTING, PLAY_START_TIMEOUT)

    def _enter(self, phase: PlayPhase, seconds: float | None) -> None:
        if self.phase is PlayPhase.STARTING:
            when = self._timeout.when()
            if when is not None:
                self._start_left = max(0.0, when - self._loop.time())
        self.phase = phase
        self._timeout.reschedule(None if seconds is None else self._loop.time() + seconds)

    def starting(self) -> None:
        """The device is being reached: the start budget runs again (what is left of it)."""
        self._enter(PlayPhase.STARTING, self._start_left)

    def decoding(self) -> None:
        """The decoder opens the media (its own timeout): the start budget waits."""
        self._enter(PlayPhase.DECODING, None)

    def closing(self) -> None:
        """The device confirmed the audio; what is left (ffmpeg stopping, the session closing)
        is not the device's audio any more: running out of time here is no failure."""
        self._enter(PlayPhase.CLOSING, PLAY_END_TIMEOUT)

    async def watch(self, frames: AsyncIterable[bytes]) -> AsyncGenerator[bytes]:
        """The frames, moving the phase on: the first one asked for ends the start, the
        end of the frames starts the wait for the device's confirmation."""
        self._enter(PlayPhase.STREAMING, None)
        async for frame in frames:
            yield frame
        self._enter(PlayPhase.ENDING, PLAY_END_TIMEOUT)


@asynccontextmanager
async def play_deadline() -> AsyncIterator[PlayDeadline]:
    """Bound a play's work with the device; a bound reached is a translated error.

    Reached while closing after a confirmed end, it is not an error: the audio played.
    """
    deadline: PlayDeadline | None = None
    try:
        async with asyncio.timeout(None) as timeout:
            deadline = PlayDeadline(timeout)
            yield deadline
    except TimeoutError as err:
        if deadline is None or not timeout.expired():
            raise  # a step's own timeout, not the play's
        if deadline.phase is PlayPhase.CLOSING:
            # Cut off while closing; an error already on its way out (the media broke off,
            # the speaker fell behind) is still the play's outcome.
            cancelled = err.__cause__
            pending = cancelled.__context__ if cancelled is not None else None
            if isinstance(pending, Exception):
                raise pending from pending.__cause__  # as it was, its own cause kept
            return
        starting = deadline.phase is PlayPhase.STARTING
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="start_timeout" if starting else "end_timeout",
            translation_placeholders={
                "seconds": f"{PLAY_START_TIMEOUT if starting else PLAY_END_TIMEOUT:g}"
            },
        ) from err
