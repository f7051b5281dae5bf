"""The voice satellite of a Hikvision talk channel: announce, converse and ask at the device.

Everything it plays goes through the channel's `SpeakerOutput`, held like an announcement:
an announcement or a conversation on the satellite waits behind an announcement of the
media player, cuts a plain play, and is ended by the media player's stop. A conversation
keeps one ISAPI session open in both directions (`satellite.Conversation`): the prompt, then
the microphone into the entity's Assist pipeline from speech-to-text, the reply on the
speaker, again while the agent expects an answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from homeassistant.components import assist_satellite
from homeassistant.components.assist_pipeline import PipelineEvent, PipelineEventType
from homeassistant.components.assist_pipeline.pipeline import PipelineStage
from homeassistant.components.assist_satellite import (
    AssistSatelliteAnnouncement,
    AssistSatelliteConfiguration,
    AssistSatelliteEntity,
    AssistSatelliteEntityFeature,
)
from homeassistant.components.assist_satellite.const import PREANNOUNCE_FILENAME, PREANNOUNCE_URL
from homeassistant.components.assist_satellite.entity import AssistSatelliteState
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
import yarl

from ..audio.exceptions import AudioError
from ..coalescer import DATA_COALESCER, PlayableMedia, PlaybackSettings
from ..const import DOMAIN, LOGGER
from ..deadline import play_deadline
from ..entry import TalkbackConfigEntry
from ..errors import DEVICE_ERRORS, device_error, media_unreadable
from ..media import async_resolve_media
from ..output import SpeakerOutput
from ..speaker import playback_settings, send_audio
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelEntity, add_voice_entities
from .satellite import Conversation
from .voice_select import voice_unique_id_prefix

PREANNOUNCE_PATH = Path(assist_satellite.__file__).parent / PREANNOUNCE_FILENAME


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add a satellite for every talk channel with an audio input, as channels appear."""
    hass, entry, data = platform.hass, platform.entry, platform.data
    add_voice_entities(
        platform,
        lambda channel: [
            ChannelSatellite(entry, data, channel.id, data.output(hass, entry, channel.id))
        ],
    )


class ChannelSatellite(ChannelEntity, AssistSatelliteEntity):
    """A talk channel as an Assist satellite (push to talk: no wake word on the device)."""

    _attr_name = None
    _attr_translation_key = "satellite"

    def __init__(
        self,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
        output: SpeakerOutput,
    ) -> None:
        """Initialise the satellite of a channel, playing on the channel's `output`."""
        super().__init__(entry, data, channel_id, "satellite")
        self._entry = entry
        self._output = output
        self._settings = data.voice_settings(channel_id)
        self._conversation: asyncio.Task[None] | None = None
        self._turn_heard = _Turn()

    # Configuration ------------------------------------------------------------------------

    @property
    def supported_features(self) -> AssistSatelliteEntityFeature:
        """Conversations always; announcements only while the channel takes broadcasts.

        Home Assistant's broadcast intent announces on every satellite advertising ANNOUNCE,
        so not advertising it is how an outdoor device stays out of broadcasts.
        """
        features = AssistSatelliteEntityFeature.START_CONVERSATION
        if self._settings.broadcasts:
            features |= AssistSatelliteEntityFeature.ANNOUNCE
        return features

    @property
    def pipeline_entity_id(self) -> str | None:
        """The channel's pipeline select."""
        return self._select_entity_id("pipeline")

    @property
    def vad_sensitivity_entity_id(self) -> str | None:
        """The channel's VAD sensitivity select."""
        return self._select_entity_id("vad_sensitivity")

    def _select_entity_id(self, key: str) -> str | None:
        prefix = voice_unique_id_prefix(self.device_data, self.channel_id)
        return er.async_get(self.hass).async_get_entity_id(SELECT_DOMAIN, DOMAIN, f"{prefix}-{key}")

    @callback
    def async_get_configuration(self) -> AssistSatelliteConfiguration:
        """No wake words: the device does not listen for one."""
        return AssistSatelliteConfiguration([], [], 0)

    async def async_set_configuration(self, config: AssistSatelliteConfiguration) -> None:
        """Nothing to configure on the device."""

    async def async_added_to_hass(self) -> None:
        """Follow the broadcast switch; end the conversation when removed."""
        await super().async_added_to_hass()
        self.async_on_remove(self._settings.async_add_listener(self._broadcasts_changed))

    async def async_will_remove_from_hass(self) -> None:
        """Nothing stays open: the conversation (and its device session) ends."""
        await self._end_conversation(replaced=False)
        await super().async_will_remove_from_hass()

    @callback
    def _broadcasts_changed(self) -> None:
        # The broadcast intent reads the features from the entity registry.
        er.async_get(self.hass).async_update_entity(
            self.entity_id, supported_features=self.supported_features
        )
        self.async_write_ha_state()

    # Announcements and conversations ------------------------------------------------------

    async def async_announce(self, announcement: AssistSatelliteAnnouncement) -> None:
        """Play the announcement (after its preannounce sound); return once it was heard."""
        await self._end_conversation()
        await self._output.hold(lambda: self._announce(announcement))

    async def async_start_conversation(
        self, start_announcement: AssistSatelliteAnnouncement
    ) -> None:
        """Say the prompt, then listen; return once the prompt was heard.

        The conversation goes on in the background (so `ask_question` gets its answer) until
        the agent expects no more answers, nothing is said, a stop, or an unload.
        """
        await self._end_conversation()
        prompt_heard: asyncio.Future[None] = self.hass.loop.create_future()
        conversation = self._entry.async_create_background_task(
            self.hass,
            self._output.hold(lambda: self._converse(start_announcement, prompt_heard)),
            f"{DOMAIN} conversation {self.entity_id}",
        )
        self._conversation = conversation
        conversation.add_done_callback(partial(self._conversation_ended, prompt_heard))
        await asyncio.wait([prompt_heard, conversation], return_when=asyncio.FIRST_COMPLETED)
        if not prompt_heard.done() and not conversation.cancelled():
            conversation.result()  # it failed before the prompt was heard: say why

    async def async_listen(self, message: str | None = None, preannounce: bool = True) -> None:
        """Push to talk (`talkback.listen`): say the greeting, then listen, with any agent.

        What a satellite's button does: the pipeline runs from speech-to-text and the
        conversation goes on while the agent expects an answer. Unlike start_conversation
        it works with Home Assistant's own agent, which cannot start a conversation itself.
        """
        await self._cancel_running_pipeline()
        greeting = await self._resolve_announcement_media_id(
            message or "", None, preannounce_media_id=PREANNOUNCE_URL if preannounce else None
        )
        self._set_state(AssistSatelliteState.RESPONDING)
        try:
            await self.async_start_conversation(greeting)
        finally:
            if self.state == AssistSatelliteState.RESPONDING:
                self._set_state(AssistSatelliteState.IDLE)

    @callback
    def _conversation_ended(
        self, prompt_heard: asyncio.Future[None], conversation: asyncio.Task[None]
    ) -> None:
        failed = not conversation.cancelled() and conversation.exception() is not None
        if failed and prompt_heard.done():  # earlier failures were raised to the caller
            LOGGER.warning(
                "%s: the conversation ended: %s", self.entity_id, conversation.exception()
            )
        if self._conversation is not conversation:
            return  # replaced by a newer one, which owns the state now
        self._conversation = None
        # Cut short (a stop, a failure, an unload), its pipeline run ends for Home Assistant
        # too: an ask_question waiting for an answer gets none; the state returns to idle.
        self._internal_on_pipeline_event(PipelineEvent(PipelineEventType.RUN_END))
        self.tts_response_finished()

    async def _end_conversation(self, *, replaced: bool = True) -> None:
        """End the running conversation; `replaced`: a newer one takes over the state."""
        if (conversation := self._conversation) is not None:
            if replaced:
                self._conversation = None
            conversation.cancel()
            await asyncio.wait([conversation])

    async def _announce(self, announcement: AssistSatelliteAnnouncement) -> None:
        async with (
            self._device_session() as settings,
            Conversation(
                self.coordinator.client, self.channel_id, settings.codec, listen=False
            ) as talk,
        ):
            await self._say(talk, settings, _clips(announcement))

    async def _converse(
        self, prompt: AssistSatelliteAnnouncement, prompt_heard: asyncio.Future[None]
    ) -> None:
        async with (
            self._device_session() as settings,
            Conversation(self.coordinator.client, self.channel_id, settings.codec) as talk,
        ):
            await self._say(talk, settings, _clips(prompt))
            prompt_heard.set_result(None)
            while await self._turn(talk, settings):
                pass

    @asynccontextmanager
    async def _device_session(self) -> AsyncIterator[PlaybackSettings]:
        """How to play (the codec read now); errors translated; the talk sensor told."""
        self._set_talking(True)
        try:
            codec = await self.coordinator.talk_codec(self.channel_id)
            yield playback_settings(self.hass, self._entry.options, codec)
        except DEVICE_ERRORS as err:
            raise device_error(err) from err
        except AudioError as err:
            raise media_unreadable(err) from err
        finally:
            self._set_talking(False)

    async def _turn(self, talk: Conversation, settings: PlaybackSettings) -> bool:
        """Listen, run the pipeline, say the reply; whether the agent expects an answer."""
        turn = self._turn_heard = _Turn()
        talk.forget_heard()
        async with aclosing(talk.heard()) as heard:
            await self.async_accept_pipeline_from_satellite(
                heard, start_stage=PipelineStage.STT, end_stage=PipelineStage.TTS
            )
        if turn.reply is None:
            return False
        try:
            await self._say(talk, settings, [turn.reply])
        finally:
            self.tts_response_finished()
        return turn.continues and talk.error is None

    async def _say(
        self, talk: Conversation, settings: PlaybackSettings, media_ids: list[str]
    ) -> None:
        """Play media on the conversation's session, the microphone muted meanwhile."""
        context_id = self._context.id if self._context else self.entity_id
        for media_id in media_ids:
            member = self.hass.data[DATA_COALESCER].join(
                context_id, media_id, partial(self._resolve, media_id), self.entity_id
            )
            try:
                with talk.gate.speaking():
                    async with play_deadline() as deadline:
                        await send_audio(member, settings, talk.talk, deadline)
            finally:
                member.leave()

    async def _resolve(self, media_id: str) -> PlayableMedia:
        # Home Assistant's own preannounce sound is read from its file, not over HTTP.
        if yarl.URL(media_id).path == PREANNOUNCE_URL:
            return PlayableMedia(str(PREANNOUNCE_PATH), PREANNOUNCE_FILENAME)
        # A pipeline's reply (a `-stream-` TTS id) is read in process like any TTS result.
        return await async_resolve_media(self.hass, media_id, self.entity_id)

    # Pipeline ----------------------------------------------------------------------------

    @callback
    def on_pipeline_event(self, event: PipelineEvent) -> None:
        """Keep what the conversation needs: the reply, and whether an answer is expected."""
        data: dict[str, Any] = event.data or {}
        if event.type is PipelineEventType.INTENT_END:
            intent_output = data.get("intent_output") or {}
            self._turn_heard.continues = bool(intent_output.get("continue_conversation"))
        elif event.type is PipelineEventType.TTS_END:
            self._turn_heard.reply = (data.get("tts_output") or {}).get("media_id")
        elif event.type is PipelineEventType.ERROR:
            LOGGER.info(
                "%s: the voice pipeline failed (%s): %s",
                self.entity_id,
                data.get("code"),
                data.get("message"),
            )


@dataclass
class _Turn:
    """What the pipeline said in one turn of a conversation."""

    reply: str | None = None
    """The reply's media id (TTS)."""
    continues: bool = False
    """Whether the agent expects an answer."""


def _clips(announcement: AssistSatelliteAnnouncement) -> list[str]:
    """What to play for an announcement: the preannounce sound, then the media."""
    clips = []
    if announcement.preannounce_media_id:
        clips.append(announcement.preannounce_media_id)
    if announcement.media_id_source == "tts":
        if announcement.message:  # an empty prompt says nothing
            clips.append(announcement.original_media_id)
    elif announcement.media_id_source == "media_id":
        clips.append(announcement.original_media_id)
    else:
        clips.append(announcement.media_id)
    return clips
