"""Doorbell rings of a door station, each reported once, whatever the firmware sends.

Door stations report a ring on the alert stream (an `AccessControllerEvent`, major 5 minor
0x25) and in their call status (`ring`); not every firmware does both, so `DoorbellWatcher`
listens to the stream and polls the status, merges what they say (one press within
`dedupe` seconds is one ring) and reconnects after failures. A device without a call
status (a camera) is watched on its stream alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
import logging
import time
from typing import TYPE_CHECKING

from .events import CALL_STATUS_POLL_INTERVAL, alert_events, doorbell_rings
from .exceptions import IsapiAuthenticationError, IsapiError, IsapiNotSupportedError

if TYPE_CHECKING:
    from .client import IsapiClient

_LOGGER = logging.getLogger(__name__)

# A press seen on the stream and in the call status, or a ring that restarts, within this
# many seconds is the same visitor.
RING_DEDUPE_SECONDS = 5.0
# After a failed or ended connection, wait this long before trying again.
RETRY_SECONDS = 5.0

SOURCE_EVENT = "event"
SOURCE_CALL_STATUS = "call_status"


@dataclass(frozen=True, slots=True)
class DoorbellRing:
    """One ring: where it was seen first, which door (when the device said), when."""

    source: str
    door: int | None
    at: float


class DoorbellWatcher:
    """`async for ring in watcher.rings():` until the iterator is closed."""

    def __init__(
        self,
        client: IsapiClient,
        *,
        poll_interval: float = CALL_STATUS_POLL_INTERVAL,
        dedupe: float = RING_DEDUPE_SECONDS,
        retry: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._poll_interval = poll_interval
        self._dedupe = dedupe
        self._retry = retry
        self._clock = clock
        self.last_error: IsapiError | None = None

    async def rings(self) -> AsyncGenerator[DoorbellRing]:
        """Every ring, once; failures are retried (see `last_error`), never raised."""
        found: asyncio.Queue[DoorbellRing] = asyncio.Queue()
        tasks = [
            asyncio.create_task(self._watch_stream(found)),
            asyncio.create_task(self._poll_call_status(found)),
        ]
        last: float | None = None
        try:
            while True:
                ring = await found.get()
                if last is not None and ring.at - last < self._dedupe:
                    continue
                last = ring.at
                yield ring
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _watch_stream(self, found: asyncio.Queue[DoorbellRing]) -> None:
        while True:
            try:
                async with aclosing(alert_events(self._client)) as events:
                    async for event in events:
                        if event.is_doorbell_ring:
                            found.put_nowait(DoorbellRing(SOURCE_EVENT, event.door, self._clock()))
                _LOGGER.debug("%s: the event stream ended; reconnecting", self._client.host)
            except IsapiNotSupportedError as err:
                self._failed(err)
                return  # no alert stream on this device: nothing to retry
            except IsapiError as err:
                self._failed(err)
            await asyncio.sleep(self._retry)

    async def _poll_call_status(self, found: asyncio.Queue[DoorbellRing]) -> None:
        while True:
            try:
                async with aclosing(
                    doorbell_rings(self._client, poll_interval=self._poll_interval)
                ) as rings:
                    async for _ in rings:
                        found.put_nowait(DoorbellRing(SOURCE_CALL_STATUS, None, self._clock()))
            except IsapiNotSupportedError:
                _LOGGER.debug("%s has no call status; watching its events", self._client.host)
                return
            except IsapiError as err:
                self._failed(err)
            await asyncio.sleep(self._retry)

    def _failed(self, err: IsapiError) -> None:
        self.last_error = err
        level = logging.WARNING if isinstance(err, IsapiAuthenticationError) else logging.DEBUG
        _LOGGER.log(level, "%s: watching for doorbell rings: %s", self._client.host, err)
