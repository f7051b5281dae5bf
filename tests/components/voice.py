"""What the voice tests share: the offline pipeline, a visitor's voice, checks at the camera."""

from __future__ import annotations

from array import array
import asyncio
from collections.abc import Callable

import audioop
from homeassistant.components import assist_pipeline, conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from homeassistant.setup import async_setup_component

from devtools.speech.phrases import wav_to_pcm16k
from devtools.speech.synth import EspeakSynthesizer
from simulator.hikvision import HikvisionCamera

PORCH = "input_boolean.porch_light"
PIPELINE_NAME = "Door"


async def speech_made() -> None:
    """Wait for the text to speech Home Assistant makes in the background (its own tasks).

    A play that failed before reading its speech leaves the engine still speaking.
    """
    speaking = {t for t in asyncio.all_tasks() if t.get_name().startswith("tts_load_data")}
    if speaking:
        await asyncio.wait(speaking)


async def set_up_offline_pipeline(hass: HomeAssistant) -> assist_pipeline.Pipeline:
    """Known-phrases STT, Home Assistant's agent, eSpeak NG; a porch light it may switch.

    The engines' integration was linked after Home Assistant listed the custom integrations
    (the `homeassistant` integration is set up first): list them again.
    """
    hass.data.pop(DATA_CUSTOM_COMPONENTS, None)
    for domain, config in (
        ("input_boolean", {"input_boolean": {"porch_light": {"name": "Porch light"}}}),
        ("offline_speech", {"offline_speech": None}),
        ("assist_pipeline", {}),
    ):
        assert await async_setup_component(hass, domain, config)
    await hass.async_block_till_done()
    async_expose_entity(hass, "conversation", PORCH, True)
    pipeline = await assist_pipeline.async_create_default_pipeline(
        hass, "stt.known_phrases", "tts.espeak_ng", PIPELINE_NAME
    )
    assert pipeline is not None
    return pipeline


async def choose_pipeline(hass: HomeAssistant, select_entity_id: str) -> None:
    """Point a satellite's pipeline select at the offline pipeline."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select_entity_id, ATTR_OPTION: PIPELINE_NAME},
        blocking=True,
    )


def visitor(synthesizer: EspeakSynthesizer, text: str) -> array[int]:
    """A visitor saying `text`, as 8 kHz s16 samples for the simulated microphone."""
    pcm16k = wav_to_pcm16k(synthesizer.synthesize(text))
    return array("h", audioop.ratecv(pcm16k, 2, 1, 16000, 8000, None)[0])


class DoorAgent(conversation.AbstractConversationAgent):
    """An agent that can start conversations: asks once who is there, then thanks."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    @property
    def supported_languages(self) -> str:
        """Any language."""
        return "*"

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Answer, and expect another answer after the first."""
        self.heard.append(user_input.text)
        response = intent.IntentResponse(language=user_input.language)
        first = len(self.heard) == 1
        response.async_set_speech("Who may I say is calling" if first else "Thank you, goodbye")
        return conversation.ConversationResult(
            response=response,
            conversation_id=user_input.conversation_id,
            continue_conversation=first,
        )


async def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    """Wait until `condition()` holds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def wait_until_closed(camera: HikvisionCamera, channel_id: int = 1) -> None:
    """Every session of the camera ends, in both directions, and the channel is free."""
    await wait_for(
        lambda: (
            camera.channels[channel_id].session is None
            and all(not recording.is_open for recording in camera.recorder.recordings)
        ),
        timeout=10,
    )


def kinds(camera: HikvisionCamera) -> list[str]:
    """What the camera's sessions were: `talk` (it heard) or `listen` (it sent its mic)."""
    return [recording.kind for recording in camera.recorder.recordings]
