"""The speaker volume number against firmware that states a range it does not keep to."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .helpers import CAMERA

pytestmark = pytest.mark.usefixtures("socket_enabled", "media_dir")

VOLUME = "number.front_door_speaker_volume"
SPEAKER = "media_player.front_door"


def _camera(**channel: object) -> CameraConfig:
    return replace(CAMERA, channels=(ChannelConfig(id=1, **channel),))  # type: ignore[arg-type]


async def _set_volume(hass: HomeAssistant, value: float) -> None:
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: VOLUME, "value": value}, blocking=True
    )


@pytest.mark.parametrize("camera_config", [_camera(speaker_volume=60, stated_volume_range=(0, 10))])
@pytest.mark.usefixtures("loaded_entry")
async def test_a_value_outside_the_stated_range_is_shown_within_it(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """The device reports 60 with a stated 0-10: the number shows 10, never above its max."""
    state = hass.states.get(VOLUME)
    assert (state.attributes["min"], state.attributes["max"]) == (0, 10)
    assert state.state == "10"
    assert hass.states.get(SPEAKER).attributes["volume_level"] == 1.0
    with pytest.raises(ServiceValidationError):
        await _set_volume(hass, 11)
    assert camera.channels[1].speaker_volume == 60


@pytest.mark.parametrize(
    "camera_config",
    [_camera(speaker_volume=40, stated_volume_range=(100, 0))],
    ids=["inverted"],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_an_inverted_range_falls_back_to_0_100(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """min 100, max 0 is no range: the slider spans 0-100 and writes what the device takes."""
    state = hass.states.get(VOLUME)
    assert (state.attributes["min"], state.attributes["max"]) == (0, 100)
    assert state.state == "40"
    await _set_volume(hass, 75)
    assert camera.channels[1].speaker_volume == 75
    assert hass.states.get(VOLUME).state == "75"
    assert hass.states.get(SPEAKER).attributes["volume_level"] == 0.75


@pytest.mark.parametrize("camera_config", [_camera(stated_volume_range=(30, 30))])
async def test_an_empty_range_falls_back_too(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """min == max leaves nothing to slide over: the number keeps the usual range."""
    state = hass.states.get(VOLUME)
    assert (state.attributes["min"], state.attributes["max"]) == (0, 100)
    assert state.state == "50"
