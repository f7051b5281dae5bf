"""The automation blueprints, loaded and run with Home Assistant's own blueprint machinery.

Each blueprint must pass the automation blueprint schema and Home Assistant's own checks, and
an automation made from it must announce when its trigger fires. The announcement actions
(`tts.speak`, `media_player.play_media`) are recorded rather than performed: what is under
test is which actions the blueprint calls, with what data, and when.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed, async_mock_service

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = ROOT / "blueprints" / "automation" / "talkback"
BLUEPRINT_FILES = sorted(BLUEPRINTS.glob("*.yaml"))
TTS_ENGINE = "tts.offline"
SPEAKERS = ["media_player.front_door", "media_player.hall_speaker"]
DOORBELL = "binary_sensor.front_doorbell"
DOORBELL_EVENT = "event.gate_station_doorbell"
SATELLITE = "assist_satellite.gate_station"
CHIME = "media-source://media_source/local/chime.mp3"
COOLDOWN = timedelta(minutes=2)
# How long a trigger may take to reach its actions. A run waiting out its cooldown keeps
# hass.async_block_till_done() waiting too, so the doorbell tests wait for the calls instead.
SETTLE = 0.2


def test_every_blueprint_is_there() -> None:
    """The blueprints the documentation names exist (the parametrised tests cover them)."""
    assert [path.name for path in BLUEPRINT_FILES] == [
        "announce.yaml",
        "doorbell_announcement.yaml",
        "doorbell_conversation.yaml",
    ]


@pytest.mark.parametrize("path", BLUEPRINT_FILES, ids=lambda path: path.name)
def test_blueprint_is_valid(path: Path) -> None:
    """The automation blueprint schema accepts it and this Home Assistant supports it."""
    blueprint = Blueprint(
        load_yaml_dict(path),
        expected_domain="automation",
        path=path.name,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"].endswith(f"/blueprints/automation/talkback/{path.name}")
    # Every input the automation uses is declared (the constructor checks) and described.
    assert all(spec.get("name") for spec in blueprint.inputs.values())


@pytest.fixture
async def blueprints(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration directory holding the blueprints where an import puts them."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / "talkback"
    shutil.copytree(BLUEPRINTS, target)
    return target


@pytest.fixture
def speak(hass: HomeAssistant) -> list[ServiceCall]:
    """Calls of `tts.speak`."""
    return async_mock_service(hass, "tts", "speak")


@pytest.fixture
def play_media(hass: HomeAssistant) -> list[ServiceCall]:
    """Calls of `media_player.play_media`."""
    return async_mock_service(hass, "media_player", "play_media")


async def _automation_from(hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]) -> None:
    """Set up one automation made from a blueprint, as the UI would store it."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": "talkback_blueprint_test",
                    "alias": "Talkback blueprint test",
                    "use_blueprint": {"path": f"talkback/{blueprint}", "input": inputs},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.talkback_blueprint_test")
    assert state is not None
    assert state.state == STATE_ON  # an invalid blueprint instance is left off


@pytest.mark.usefixtures("blueprints")
async def test_announce_speaks_on_every_speaker_when_triggered(
    hass: HomeAssistant, speak: list[ServiceCall]
) -> None:
    """The chosen trigger makes the engine say the rendered message on all speakers at once."""
    await _automation_from(
        hass,
        "announce.yaml",
        {
            "triggers": [{"trigger": "event", "event_type": "talkback_test_morning"}],
            "speakers": SPEAKERS,
            "tts_engine": TTS_ENGINE,
            "message": "Good morning, it is {{ 6 + 1 }} o'clock.",
        },
    )
    assert speak == []

    hass.bus.async_fire("talkback_test_morning")
    await hass.async_block_till_done()

    assert len(speak) == 1
    assert speak[0].data == {
        "entity_id": [TTS_ENGINE],
        "media_player_entity_id": SPEAKERS,
        "message": "Good morning, it is 7 o'clock.",
        "language": "",
    }


async def _press(hass: HomeAssistant, entity_id: str, *states: str) -> None:
    """Set the states in turn and give the automation time to act on each."""
    for state in states:
        hass.states.async_set(entity_id, state)
        await asyncio.sleep(SETTLE)


async def _end_cooldown(hass: HomeAssistant) -> None:
    """Let the cooldown of the running automation pass."""
    async_fire_time_changed(hass, dt_util.utcnow() + COOLDOWN + timedelta(seconds=1))
    await hass.async_block_till_done()


@pytest.mark.usefixtures("blueprints")
async def test_doorbell_announces_once_per_cooldown(
    hass: HomeAssistant, speak: list[ServiceCall], play_media: list[ServiceCall]
) -> None:
    """A chime and the message on the first press; presses in the cooldown are dropped."""
    hass.states.async_set(DOORBELL, STATE_OFF)
    await _automation_from(
        hass,
        "doorbell_announcement.yaml",
        {
            "sensors": [DOORBELL],
            "speakers": SPEAKERS,
            "tts_engine": TTS_ENGINE,
            "message": "Someone is at the front door.",
            "chime": CHIME,
            "cooldown": {"minutes": 2},
        },
    )

    await _press(hass, DOORBELL, STATE_ON, STATE_OFF)
    assert [call.data for call in play_media] == [
        {
            "entity_id": SPEAKERS,
            "media_content_id": CHIME,
            "media_content_type": "music",
            "announce": True,
        }
    ]
    assert [call.data for call in speak] == [
        {
            "entity_id": [TTS_ENGINE],
            "media_player_entity_id": SPEAKERS,
            "message": "Someone is at the front door.",
        }
    ]

    # Pressed again within the cooldown: nothing more is said.
    await _press(hass, DOORBELL, STATE_ON, STATE_OFF)
    assert len(speak) == 1

    await _end_cooldown(hass)
    await _press(hass, DOORBELL, STATE_ON)
    assert len(speak) == 2
    assert len(play_media) == 2
    await _end_cooldown(hass)


@pytest.mark.usefixtures("blueprints")
async def test_doorbell_event_announces_without_chime(
    hass: HomeAssistant, speak: list[ServiceCall], play_media: list[ServiceCall]
) -> None:
    """An event entity announces on each event, not when it comes back after a restart."""
    hass.states.async_set(DOORBELL_EVENT, STATE_UNAVAILABLE)
    await _automation_from(
        hass,
        "doorbell_announcement.yaml",
        {
            "sensors": [DOORBELL_EVENT],
            "speakers": SPEAKERS[:1],
            "tts_engine": TTS_ENGINE,
            "cooldown": {"seconds": 0},
        },
    )

    # Restored after a restart: the last press's time, no new press.
    await _press(hass, DOORBELL_EVENT, "2026-11-27T05:00:00.000+00:00")
    assert speak == []

    await _press(hass, DOORBELL_EVENT, "2026-11-27T05:01:00.000+00:00")
    assert [call.data["message"] for call in speak] == ["Someone is at the door."]
    assert play_media == []  # no chime chosen
    await hass.async_block_till_done()


@pytest.mark.usefixtures("blueprints")
async def test_ring_starts_a_conversation(hass: HomeAssistant) -> None:
    """A ring makes the satellite greet and listen; a restored state or other event does not."""
    listen = async_mock_service(hass, "talkback", "listen")
    hass.states.async_set(DOORBELL_EVENT, STATE_UNAVAILABLE)
    await _automation_from(
        hass,
        "doorbell_conversation.yaml",
        {"doorbell": DOORBELL_EVENT, "satellite": SATELLITE},
    )

    # Restored after a restart: no ring.
    await _press(hass, DOORBELL_EVENT, "2026-11-27T05:00:00.000+00:00")
    assert listen == []

    hass.states.async_set(DOORBELL_EVENT, "2026-11-27T05:01:00.000+00:00", {"event_type": "ring"})
    await hass.async_block_till_done()
    assert [call.data for call in listen] == [
        {"entity_id": [SATELLITE], "message": "Hello, how can I help?", "preannounce": False}
    ]

    hass.states.async_set(DOORBELL_EVENT, "2026-11-27T05:02:00.000+00:00", {"event_type": "other"})
    await hass.async_block_till_done()
    assert len(listen) == 1
