"""Who plays on a device's audio output: one playback at a time.

A Hikvision talk channel or an Axis speaker takes one audio session at a time. Its
`SpeakerOutput` (in the entry's runtime data, not in an entity) decides what plays: a new
play replaces the current one; an announcement interrupts a plain play (which does not
resume) and waits behind another announcement; stop ends everything at once. Whatever plays
on the output (the media player, the voice satellite) goes through it, so two never open two
sessions. A satellite's announcement or conversation holds the output as an announcement does.
Playback runs as a config-entry background task: unloading the entry cancels it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import contextlib
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .coalescer import PlaybackMember
from .const import DOMAIN

type PlaybackRun = Callable[[PlaybackMember], Coroutine[Any, Any, None]]
type OutputRun = Callable[[], Coroutine[Any, Any, None]]


class SpeakerOutput:
    """One audio output of a device and what plays on it."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, name: str) -> None:
        """Create the output; `name` names its playback tasks."""
        self._hass = hass
        self._entry = entry
        self._name = name
        self._playing: asyncio.Task[None] | None = None
        self._playing_announcement = False
        self._stop_generation = 0
        """Counts stops: a play waiting its turn when one happened does not start."""
        self._announcements = asyncio.Lock()
        self._listeners: list[CALLBACK_TYPE] = []

    @property
    def playing(self) -> bool:
        """Whether a playback runs."""
        return self._playing is not None and not self._playing.done()

    @callback
    def async_add_listener(self, changed: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `changed` when a playback starts or ends; returns the removal."""
        self._listeners.append(changed)
        return lambda: self._listeners.remove(changed)

    async def stop(self) -> None:
        """Stop now; announcements waiting for the output are dropped too."""
        self._stop_generation += 1
        await self._cancel_playing()

    async def play(
        self, join: Callable[[], PlaybackMember], run: PlaybackRun, *, announcement: bool
    ) -> None:
        """Play once it is this play's turn; return when it has played (raising its error).

        `join` is called, without a pause before it, when the turn comes: it counts the
        speaker in the action's shared playback (see PlaybackCoalescer.join).
        """
        stop_generation = self._stop_generation
        if announcement:
            # Free, the lock is taken without a pause.
            async with self._announcements:
                if stop_generation == self._stop_generation:
                    await self._play_until_done(join(), run, announcement=True)
            return
        if self._playing_announcement:
            async with self._announcements:  # a plain play does not cut an announcement
                pass
        if stop_generation == self._stop_generation:
            await self._play_until_done(join(), run, announcement=False)

    async def hold(self, run: OutputRun) -> None:
        """Run `run` on the output as an announcement; cancelling the caller ends it too.

        A voice satellite's announcement or conversation: it waits behind an announcement,
        cuts a plain play, and is ended by stop or by a newer announcement's turn.
        """
        stop_generation = self._stop_generation
        async with self._announcements:
            if stop_generation == self._stop_generation:
                await self._run_until_done(run, announcement=True, owned=True)

    async def _play_until_done(
        self, member: PlaybackMember, run: PlaybackRun, *, announcement: bool
    ) -> None:
        """Replace what plays and wait until the new playback has ended."""
        try:
            await self._run_until_done(lambda: run(member), announcement=announcement)
        finally:
            member.leave()

    async def _run_until_done(
        self, run: OutputRun, *, announcement: bool, owned: bool = False
    ) -> None:
        """Replace what plays and wait until `run` has ended (`owned`: cancel it with us)."""
        await self._cancel_playing()
        task = self._entry.async_create_background_task(
            self._hass, run(), f"{DOMAIN} play {self._name}"
        )
        self._playing = task
        self._playing_announcement = announcement
        self._changed()
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            if owned:
                task.cancel()
                await asyncio.wait([task])
            raise
        finally:
            if self._playing is task and task.done():
                self._playing = None
                self._playing_announcement = False
                self._changed()
        if not task.cancelled():  # cancelled: a stop or a newer play, nothing to report
            task.result()

    async def _cancel_playing(self) -> None:
        task = self._playing
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _changed(self) -> None:
        for changed in list(self._listeners):
            changed()
