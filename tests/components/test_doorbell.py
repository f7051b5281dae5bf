"""A door station: its doorbell as an event entity, and a ring that starts a conversation.

The conversation runs with Home Assistant's own agent (`talkback.listen`, from the
blueprint): the visitor asks for the porch light, Home Assistant switches it on and the
answer is heard at the door station's speaker.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
import shutil

from homeassistant.const import STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from devtools.speech.synth import EspeakSynthesizer
from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import CAMERA, DOOR_STATION, heard
from .voice import (
    PORCH,
    choose_pipeline,
    set_up_offline_pipeline,
    visitor,
    wait_for,
    wait_until_closed,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

DOORBELL = "event.gate_doorbell"
BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "talkback"


@pytest.fixture
def camera_config() -> CameraConfig:
    """A door station with two talk channels, hearing silence but for the visitor."""
    return dataclasses.replace(DOOR_STATION, microphone="silence")


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry, domain: str) -> list[str]:
    """The entry's entities of one domain."""
    return sorted(
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.domain == domain
    )


async def test_ring_fires_the_doorbell_event(
    hass: HomeAssistant, camera: HikvisionCamera, loaded_entry: MockConfigEntry
) -> None:
    """One press, one `ring` (the stream and the call status report the same press)."""
    state = hass.states.get(DOORBELL)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["device_class"] == "doorbell"
    assert state.attributes["event_types"] == ["ring"]

    camera.events.press()
    await wait_for(lambda: hass.states.get(DOORBELL).state != STATE_UNKNOWN)
    state = hass.states.get(DOORBELL)
    assert state.attributes["event_type"] == "ring"
    first = state.state

    await hass.async_block_till_done()
    assert hass.states.get(DOORBELL).state == first  # no second event for the same press
    assert len(entity_ids(hass, loaded_entry, "assist_satellite")) == 2  # one per channel


@pytest.mark.parametrize("camera_config", [CAMERA])
async def test_a_camera_has_no_doorbell(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Only door stations get the event entity."""
    assert entity_ids(hass, loaded_entry, "event") == []


@pytest.mark.parametrize(
    "camera_config", [dataclasses.replace(DOOR_STATION, heartbeat_seconds=0.2)]
)
async def test_unload_stops_watching(
    hass: HomeAssistant, camera: HikvisionCamera, loaded_entry: MockConfigEntry
) -> None:
    """The watcher is a config-entry background task: unloading ends its streams.

    The device sees a closed stream when it next writes to it: heartbeats come often here.
    """
    await wait_for(lambda: camera.events.listeners > 0)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await wait_for(lambda: camera.events.listeners == 0, timeout=5)


@pytest.mark.usefixtures("offline_speech_integration")
async def test_ring_then_the_visitor_turns_on_the_porch_light(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    config_entry: MockConfigEntry,
    synthesizer: EspeakSynthesizer,
    tmp_path: Path,
) -> None:
    """Ring -> blueprint -> greeting -> request -> Home Assistant acts -> answer at the door."""
    await set_up_offline_pipeline(hass)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    [satellite, _second] = entity_ids(hass, config_entry, "assist_satellite")
    [pipeline_select, _] = [
        entity_id
        for entity_id in entity_ids(hass, config_entry, "select")
        if "assistant" in entity_id
    ] or [None, None]
    assert pipeline_select is not None
    await choose_pipeline(hass, pipeline_select)
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "talkback")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": "door",
                    "alias": "Door",
                    "use_blueprint": {
                        "path": "talkback/doorbell_conversation.yaml",
                        "input": {"doorbell": DOORBELL, "satellite": satellite},
                    },
                }
            ]
        },
    )
    await hass.async_block_till_done()
    camera.microphones[1].play(visitor(synthesizer, "turn on the porch light"), after_speaker=0.5)

    camera.events.press()

    await wait_for(lambda: hass.states.get(PORCH).state == STATE_ON, timeout=30)
    await wait_until_closed(camera)
    talk, listen = camera.recorder.recordings
    assert (talk.kind, listen.kind) == ("talk", "listen")
    assert talk.session_id == listen.session_id
    assert len(talk.data) > 2 * 8000  # the greeting and the answer
    assert heard(talk) > 500
