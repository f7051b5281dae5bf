"""The voice satellite of a camera, in a real Home Assistant with the offline speech engines.

The visitor is eSpeak NG played on the simulated camera's microphone; the pipeline hears it
through the camera's receive stream. Every test checks the device afterwards: no session
left, in either direction.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
import time
from typing import Any

from homeassistant.components import assist_pipeline, conversation
from homeassistant.components.assist_satellite import AssistSatelliteEntityFeature
from homeassistant.components.assist_satellite.entity import AssistSatelliteState
from homeassistant.components.media_player import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_MEDIA_STOP, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotSupported
from homeassistant.helpers import entity_registry as er, intent
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback import deadline
from custom_components.talkback.hikvision import assist_satellite as satellite_module
from devtools.speech.synth import EspeakSynthesizer
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .audio_fixtures import write_tone
from .helpers import CAMERA, heard, play
from .voice import (
    PORCH,
    DoorAgent,
    choose_pipeline,
    kinds,
    set_up_offline_pipeline,
    speech_made,
    visitor,
    wait_for,
    wait_until_closed,
)

pytestmark = pytest.mark.usefixtures("socket_enabled", "offline_speech_integration")

SATELLITE = "assist_satellite.front_door"
SPEAKER = "media_player.front_door"
PIPELINE_SELECT = "select.front_door_assistant"
BROADCASTS = "switch.front_door_broadcasts"
QUESTION = "Hello, who is there and what do you need today"


@pytest.fixture
def camera_config() -> CameraConfig:
    """The camera, hearing silence but for the visitor (a tone would never let VAD end)."""
    return dataclasses.replace(CAMERA, microphone="silence")


@pytest.fixture
async def pipeline(hass: HomeAssistant) -> assist_pipeline.Pipeline:
    """The offline pipeline; Home Assistant's own URL for the preannounce sound."""
    hass.config.internal_url = "http://127.0.0.1:8123"
    return await set_up_offline_pipeline(hass)


@pytest.fixture
async def satellite(
    hass: HomeAssistant, pipeline: assist_pipeline.Pipeline, loaded_entry: MockConfigEntry
) -> str:
    """The camera's satellite, running the offline pipeline."""
    await choose_pipeline(hass, PIPELINE_SELECT)
    return SATELLITE


async def ask(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """assist_satellite.ask_question, without the preannounce sound unless asked."""
    response = await hass.services.async_call(
        "assist_satellite",
        "ask_question",
        {ATTR_ENTITY_ID: SATELLITE, "preannounce": False} | data,
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def announce(hass: HomeAssistant, **data: Any) -> None:
    """assist_satellite.announce, blocking."""
    await hass.services.async_call(
        "assist_satellite", "announce", {ATTR_ENTITY_ID: SATELLITE} | data, blocking=True
    )


async def test_ask_question_hears_the_visitor(
    hass: HomeAssistant,
    satellite: str,
    camera: HikvisionCamera,
    synthesizer: EspeakSynthesizer,
) -> None:
    """The question is said, the answer heard on the same session, both directions closed."""
    camera.microphones[1].play(visitor(synthesizer, "turn on the porch light"), after_speaker=0.5)

    answer = await ask(hass, question=QUESTION)

    assert answer["sentence"] == "turn on the porch light"
    assert hass.states.get(PORCH).state == "off"  # a question's answer is not a command
    await wait_until_closed(camera)
    talk, listen = camera.recorder.recordings
    assert (talk.kind, listen.kind) == ("talk", "listen")
    assert talk.session_id == listen.session_id  # one session, both directions
    assert len(talk.data) > 8000  # the question, a few seconds of it
    assert heard(talk) > 500
    assert hass.states.get(SATELLITE).state == AssistSatelliteState.IDLE


async def test_what_the_speaker_says_is_not_heard(
    hass: HomeAssistant,
    satellite: str,
    camera: HikvisionCamera,
    synthesizer: EspeakSynthesizer,
) -> None:
    """Half duplex: a request spoken over the question is muted; the one after it is heard."""
    microphone = camera.microphones[1]
    microphone.play(visitor(synthesizer, "turn on the porch light"))  # over the question
    microphone.play(visitor(synthesizer, "what time is it"), after_speaker=0.5)

    answer = await ask(hass, question=QUESTION)

    assert answer["sentence"] == "what time is it"
    assert microphone.clips_played == 2
    await wait_until_closed(camera)


async def test_unknown_answer_is_an_error_and_closes(
    hass: HomeAssistant,
    satellite: str,
    camera: HikvisionCamera,
    synthesizer: EspeakSynthesizer,
) -> None:
    """A pipeline error (nothing recognised) ends the question with an error, nothing open."""
    camera.microphones[1].play(visitor(synthesizer, "close the garage door"), after_speaker=0.5)

    with pytest.raises(HomeAssistantError):
        await ask(hass, question=QUESTION)

    await wait_until_closed(camera)
    assert kinds(camera) == ["talk", "listen"]
    assert hass.states.get(SATELLITE).state == AssistSatelliteState.IDLE


async def test_busy_channel_is_a_translated_error(
    hass: HomeAssistant, satellite: str, camera: HikvisionCamera
) -> None:
    """Another client holds the channel: the question fails at once, saying so."""
    camera.hold(1)
    with pytest.raises(HomeAssistantError) as raised:
        await ask(hass, question=QUESTION)
    assert raised.value.translation_key == "channel_busy"
    assert hass.states.get(SATELLITE).state == AssistSatelliteState.IDLE
    assert camera.channels[1].session is None
    await speech_made()  # the question's, for nobody now


@pytest.fixture
async def door_agent(
    hass: HomeAssistant, pipeline: assist_pipeline.Pipeline, satellite: str
) -> DoorAgent:
    """An agent that can start conversations, in the satellite's pipeline.

    Home Assistant's own agent refuses `start_conversation` (it cannot start one).
    """
    agent_entry = MockConfigEntry(domain="test")
    agent_entry.add_to_hass(hass)
    agent = DoorAgent()
    conversation.async_set_agent(hass, agent_entry, agent)
    await assist_pipeline.async_update_pipeline(
        hass, pipeline, conversation_engine=agent_entry.entry_id
    )
    return agent


async def start_conversation(hass: HomeAssistant, **data: Any) -> None:
    """assist_satellite.start_conversation, blocking until the prompt was heard."""
    await hass.services.async_call(
        "assist_satellite",
        "start_conversation",
        {ATTR_ENTITY_ID: SATELLITE, "preannounce": False} | data,
        blocking=True,
    )


async def test_start_conversation_goes_on_while_the_agent_asks(
    hass: HomeAssistant,
    door_agent: DoorAgent,
    camera: HikvisionCamera,
    synthesizer: EspeakSynthesizer,
) -> None:
    """Prompt, request, reply that asks back, answer, goodbye: one session, then closed."""
    microphone = camera.microphones[1]
    microphone.play(visitor(synthesizer, "is anyone home"), after_speaker=0.5)

    await start_conversation(hass, start_message="Hello, how can I help")
    await wait_for(lambda: door_agent.heard == ["is anyone home"])
    # Answer once the agent's question has started playing.
    await wait_for(lambda: hass.states.get(SATELLITE).state == AssistSatelliteState.RESPONDING)
    microphone.play(visitor(synthesizer, "thank you"), after_speaker=0.5)
    await wait_for(lambda: door_agent.heard == ["is anyone home", "thank you"], timeout=30)

    await wait_until_closed(camera)
    # The prompt, the question back and the goodbye were said, all on one session.
    talk, listen = camera.recorder.recordings
    assert (talk.kind, listen.kind) == ("talk", "listen")
    assert talk.session_id == listen.session_id
    assert len(talk.data) > 3 * 8000
    await wait_for(lambda: hass.states.get(SATELLITE).state == AssistSatelliteState.IDLE)


async def test_home_assistant_agent_cannot_start_a_conversation(
    hass: HomeAssistant, satellite: str, camera: HikvisionCamera
) -> None:
    """Home Assistant's own agent refuses; nothing was opened on the device."""
    with pytest.raises(HomeAssistantError):
        await start_conversation(hass, start_message="Hello")
    assert camera.recorder.recordings == []


@pytest.mark.parametrize("how", ["stop", "unload"])
async def test_stop_or_unload_mid_conversation_closes_both_directions(
    hass: HomeAssistant,
    door_agent: DoorAgent,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    how: str,
) -> None:
    """While listening, the speaker's stop (or an unload) ends the conversation and its session."""
    await start_conversation(hass, start_message="Hello")
    await wait_for(lambda: hass.states.get(SATELLITE).state == AssistSatelliteState.LISTENING)
    assert sorted(kinds(camera)) == ["listen", "talk"]
    assert camera.channels[1].session is not None

    if how == "stop":
        await hass.services.async_call(
            MEDIA_PLAYER_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: SPEAKER}, blocking=True
        )
        await wait_for(lambda: hass.states.get(SATELLITE).state == AssistSatelliteState.IDLE)
    else:
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)

    await wait_until_closed(camera)
    assert door_agent.heard == []
    assert kinds(camera) == ["talk", "listen"]


@pytest.mark.parametrize("how", ["stop", "unload"])
async def test_ask_question_stopped_gets_no_answer(
    hass: HomeAssistant,
    satellite: str,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    how: str,
) -> None:
    """A question stopped (or unloaded) while listening ends with an error, not a wait forever."""
    asking = hass.async_create_task(ask(hass, question="Who is there"))
    await wait_for(lambda: hass.states.get(SATELLITE).state == AssistSatelliteState.LISTENING)
    if how == "stop":
        await hass.services.async_call(
            MEDIA_PLAYER_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: SPEAKER}, blocking=True
        )
    else:
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(HomeAssistantError):
        async with asyncio.timeout(10):
            await asking
    await wait_until_closed(camera)


async def turn_on_broadcasts(hass: HomeAssistant) -> None:
    """Let the satellite take announcements and broadcasts."""
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: BROADCASTS}, blocking=True
    )


async def test_announce_returns_once_heard(
    hass: HomeAssistant, satellite: str, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Any media, after the preannounce sound, on one session; the call returns when heard."""
    await turn_on_broadcasts(hass)
    write_tone(media_dir / "chime.wav", 1.0)
    started = time.monotonic()

    await announce(hass, media_id="media-source://media_source/local/chime.wav")

    elapsed = time.monotonic() - started
    await wait_until_closed(camera)
    [talk] = camera.recorder.recordings  # one session, no listening
    seconds = len(talk.data) / 8000
    assert seconds > 1.0 + 0.5  # the preannounce sound, then the one-second chime
    assert elapsed >= seconds - 0.1
    assert heard(talk) > 500


async def test_slow_speech_is_not_the_device_being_slow(
    hass: HomeAssistant,
    satellite: str,
    camera: HikvisionCamera,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A speech engine slower than the device's start bound: the announcement still plays
    (the wait for the media is the engine's, not the camera's start)."""
    monkeypatch.setattr(deadline, "PLAY_START_TIMEOUT", 0.5)
    resolve = satellite_module.async_resolve_media

    async def slow_engine(*args: Any) -> Any:
        await asyncio.sleep(1.0)
        return await resolve(*args)

    monkeypatch.setattr(satellite_module, "async_resolve_media", slow_engine)
    await turn_on_broadcasts(hass)
    write_tone(media_dir / "chime.wav", 0.3)
    await announce(hass, media_id="media-source://media_source/local/chime.wav", preannounce=False)
    await wait_until_closed(camera)
    [talk] = camera.recorder.recordings
    assert len(talk.data) >= 0.3 * 8000 - 160


async def test_announcement_cuts_a_play_and_a_play_waits_for_it(
    hass: HomeAssistant, satellite: str, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Order on one channel: a satellite announcement interrupts the media player's play
    (which does not resume); a play started during the announcement waits until it ends."""
    await turn_on_broadcasts(hass)
    write_tone(media_dir / "long.wav", 10)
    write_tone(media_dir / "chime.wav", 1.5)
    write_tone(media_dir / "after.wav", 0.5)
    long_play = hass.async_create_task(
        play(hass, SPEAKER, "media-source://media_source/local/long.wav")
    )
    await wait_for(lambda: len(camera.recorder.recordings) == 1)

    announcing = hass.async_create_task(
        announce(hass, media_id="media-source://media_source/local/chime.wav", preannounce=False)
    )
    await wait_for(lambda: len(camera.recorder.recordings) == 2)
    await long_play  # cut, not an error
    waiting = hass.async_create_task(
        play(hass, SPEAKER, "media-source://media_source/local/after.wav")
    )
    await announcing
    await waiting

    await wait_until_closed(camera)
    first, chime, after = camera.recorder.recordings
    assert len(first.data) < 5 * 8000
    assert chime.closed_at is not None
    assert after.opened_at >= chime.closed_at
    assert abs(len(chime.data) / 8000 - 1.5) < 0.3


async def test_broadcasts_reach_the_satellite_only_when_switched_on(
    hass: HomeAssistant, satellite: str, camera: HikvisionCamera
) -> None:
    """Off (the default): no ANNOUNCE, left out of broadcasts; on: announced like any other."""
    assert "HassBroadcast" in {handler.intent_type for handler in intent.async_get(hass)}
    registry = er.async_get(hass)
    assert hass.states.get(BROADCASTS).state == "off"
    response = await intent.async_handle(
        hass, "test", "HassBroadcast", {"message": {"value": "dinner is ready"}}
    )
    assert response.success_results == []
    with pytest.raises(ServiceNotSupported):
        await announce(hass, message="dinner is ready")
    assert camera.recorder.recordings == []

    await turn_on_broadcasts(hass)
    entry = registry.async_get(SATELLITE)
    assert entry is not None
    assert entry.supported_features & AssistSatelliteEntityFeature.ANNOUNCE
    response = await intent.async_handle(
        hass, "test", "HassBroadcast", {"message": {"value": "dinner is ready"}}
    )
    assert [target.id for target in response.success_results] == [SATELLITE]
    await wait_until_closed(camera)
    [talk] = camera.recorder.recordings
    assert len(talk.data) > 2 * 8000  # the preannounce sound and "dinner is ready"


@pytest.mark.parametrize(
    "camera_config", [dataclasses.replace(CAMERA, channels=(ChannelConfig(input_type=None),))]
)
async def test_no_satellite_without_audio_input(
    hass: HomeAssistant,
    pipeline: assist_pipeline.Pipeline,
    camera: HikvisionCamera,
    config_entry: MockConfigEntry,
) -> None:
    """A channel reporting no audio input gets a speaker, but no satellite, selects or switch."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    domains = {
        entry.domain
        for entry in er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
    }
    assert "media_player" in domains
    assert "assist_satellite" not in domains
    assert hass.states.get(PIPELINE_SELECT) is None
    assert hass.states.get(BROADCASTS) is None
