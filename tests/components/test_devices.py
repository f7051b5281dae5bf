"""Channel devices follow the device: new channels without a reload, gone ones removed."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.talkback.const import DOMAIN
from simulator.hikvision import ChannelConfig, HikvisionCamera
from simulator.hikvision.channel import AudioChannel

from .helpers import CAMERA, DOOR_STATION

pytestmark = pytest.mark.usefixtures("socket_enabled")


def channel_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, channel: str
) -> dr.AnyDeviceEntry | None:
    """The child device of a talk channel."""
    return device_registry.async_get_child_device_by_identifier(
        (DOMAIN, f"{DOOR_STATION.serial}_{channel}"), entry.entry_id
    )


async def poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """What the 30 s timer does."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_channel_appears_without_reload(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A sub-station added to the door station: its channel device and speaker appear."""
    data = loaded_entry.runtime_data
    assert hass.states.get("media_player.gate_channel_3") is None
    camera.channels[3] = AudioChannel(ChannelConfig(id=3))
    await poll(hass, loaded_entry)

    assert loaded_entry.runtime_data is data  # no reload
    device = channel_device(device_registry, loaded_entry, "3")
    assert device is not None
    assert hass.states.get("media_player.gate_channel_3") is not None
    assert hass.states.get("select.gate_channel_3_audio_codec").state == "G.711ulaw"
    assert "3" in data.outputs


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_gone_channel_device_is_removed(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A channel the device no longer lists: its device and entities go."""
    device = channel_device(device_registry, loaded_entry, "2")
    assert device is not None
    assert er.async_entries_for_device(entity_registry, device.id)
    del camera.channels[2]
    await poll(hass, loaded_entry)

    assert channel_device(device_registry, loaded_entry, "2") is None
    assert not er.async_entries_for_device(entity_registry, device.id)
    assert hass.states.get("media_player.gate_channel_2") is None
    assert channel_device(device_registry, loaded_entry, "1") is not None


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_user_may_delete_only_gone_devices(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The device page's delete: refused for the station and a current channel."""
    assert await async_setup_component(hass, "config", {})
    current = channel_device(device_registry, loaded_entry, "1")
    assert await _remove(hass, hass_ws_client, loaded_entry, current) is False
    station = device_registry.async_get_device_by_identifier(
        (DOMAIN, DOOR_STATION.serial), loaded_entry.entry_id
    )
    assert await _remove(hass, hass_ws_client, loaded_entry, station) is False
    # A channel device the device does not have (left over from an earlier run).
    assert station is not None
    gone = device_registry.async_get_or_create_child(
        config_entry_id=loaded_entry.entry_id,
        identifiers={(DOMAIN, f"{DOOR_STATION.serial}_9")},
        parent_device_id=station.id,
        translation_key="channel",
        translation_placeholders={"channel": "9"},
    )
    assert await _remove(hass, hass_ws_client, loaded_entry, gone) is True
    assert channel_device(device_registry, loaded_entry, "9") is None


async def _remove(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    entry: MockConfigEntry,
    device: dr.AnyDeviceEntry | None,
) -> bool:
    """Delete a device from the device page; whether Talkback let it go."""
    assert device is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": device.id,
        }
    )
    response = await client.receive_json()
    if not response["success"]:  # refused by Talkback, not for another reason
        assert (
            response["error"]["message"] == "Failed to remove device entry, rejected by integration"
        )
    return bool(response["success"])


async def test_camera_keeps_its_entities_on_the_camera(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A camera's single channel sits on the camera, which is never a gone channel."""
    camera_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, CAMERA.serial), loaded_entry.entry_id
    )
    assert camera_device is not None
    assert not dr.async_child_entries_for_config_entry(device_registry, loaded_entry.entry_id)
