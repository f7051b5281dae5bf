"""One device per piece of hardware: a follower's relay entities move with its own entry."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import DOMAIN
from custom_components.talkback.vapix.models import RelayPeer
from simulator.axis import AxisRelayNetwork
from tests.components.helpers import set_up

from .helpers import KITCHEN_GAIN, KITCHEN_SERIAL, PASSWORD, axis_entry, poll, poll_until, relay

pytestmark = pytest.mark.usefixtures("socket_enabled")

LINK = "sensor.kitchen_link"
"""Kitchen's connection status, renamed by the user: the name must survive every move."""


async def kitchen_follows_hall(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader: MockConfigEntry
) -> None:
    """Hall leads a network with Kitchen (written on the device, as its web page would)."""
    await relay(leader).client.set_audio_peer_configurations(
        [
            RelayPeer(name="Hall", mac=axis_network[0].mac, leader=True),
            RelayPeer(name="Kitchen", mac=axis_network[1].mac, password=PASSWORD),
        ]
    )
    await poll_until(hass, leader, "sensor.kitchen_connection_status", "online")


def devices_of(registry: dr.DeviceRegistry, entry: MockConfigEntry) -> list[dr.DeviceEntry]:
    """The main devices of an entry."""
    return dr.async_entries_for_config_entry(registry, entry.entry_id)


@pytest.mark.usefixtures("media_dir")
async def test_peer_moves_to_its_own_entry_and_back(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Kitchen added later takes its entities; Kitchen's entry removed gives them back."""
    await kitchen_follows_hall(hass, axis_network, leader_entry)
    hall = device_registry.async_get_device_by_identifier(
        (DOMAIN, "ACCC8E5A0000"), leader_entry.entry_id
    )
    copy = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
    )
    assert hall is not None
    assert copy is not None
    assert copy.via_device_id == hall.id
    registered = entity_registry.async_get("sensor.kitchen_connection_status")
    assert registered is not None
    entity_registry.async_update_entity(registered.entity_id, new_entity_id=LINK)
    unique_id = registered.unique_id

    # Kitchen gets its own entry: one device, the entities on it, the names kept.
    kitchen_entry = await set_up(hass, axis_entry(axis_network[1], "Kitchen"))
    await poll(hass, leader_entry)
    own = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), kitchen_entry.entry_id
    )
    assert own is not None
    assert device_registry.async_get(copy.id) is None
    assert [d.id for d in devices_of(device_registry, leader_entry)] == [hall.id]
    assert [d.id for d in devices_of(device_registry, kitchen_entry)] == [own.id]
    moved = entity_registry.async_get(LINK)
    assert moved is not None
    assert (moved.unique_id, moved.config_entry_id, moved.device_id) == (
        unique_id,
        kitchen_entry.entry_id,
        own.id,
    )
    assert hass.states.get(LINK).state == "online"
    gain = entity_registry.async_get(KITCHEN_GAIN)
    assert gain is not None
    assert gain.device_id == own.id
    assert hass.states.get(KITCHEN_GAIN).state == "0"

    # The leader reloads: Kitchen's entities follow the new coordinator.
    await hass.config_entries.async_reload(leader_entry.entry_id)
    await hass.async_block_till_done()
    await poll_until(hass, leader_entry, LINK, "online")
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
        )
        is None
    )

    # Kitchen's entry removed: the peer is a device of the leader's entry again.
    await hass.config_entries.async_remove(kitchen_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, leader_entry)
    back = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
    )
    assert back is not None
    assert back.via_device_id == hall.id
    status = next(
        e for e in er.async_entries_for_device(entity_registry, back.id) if e.unique_id == unique_id
    )
    assert status.config_entry_id == leader_entry.entry_id
    assert hass.states.get(status.entity_id).state == "online"


async def test_leader_unloaded_leaves_follower_entities_unavailable(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    media_dir: Any,
) -> None:
    """Without a loaded leader nobody reads the network: unavailable, not wrong."""
    await kitchen_follows_hall(hass, axis_network, leader_entry)
    await set_up(hass, axis_entry(axis_network[1], "Kitchen"))
    assert hass.states.get("sensor.kitchen_connection_status").state == "online"
    await hass.config_entries.async_unload(leader_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.kitchen_connection_status").state == "unavailable"
    await hass.config_entries.async_setup(leader_entry.entry_id)
    await hass.async_block_till_done()
    await poll_until(hass, leader_entry, "sensor.kitchen_connection_status", "online")


@pytest.mark.usefixtures("media_dir")
async def test_follower_reload_keeps_one_device(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A follower's entry reloads (options saved, address followed): still one device."""
    entity_registry = er.async_get(hass)
    await kitchen_follows_hall(hass, axis_network, leader_entry)
    kitchen_entry = await set_up(hass, axis_entry(axis_network[1], "Kitchen"))
    for _ in range(2):
        await hass.config_entries.async_reload(kitchen_entry.entry_id)
        await hass.async_block_till_done()
        await poll(hass, leader_entry)
    own = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), kitchen_entry.entry_id
    )
    assert own is not None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
        )
        is None
    )
    status = entity_registry.async_get("sensor.kitchen_connection_status")
    assert status is not None
    assert (status.config_entry_id, status.device_id) == (kitchen_entry.entry_id, own.id)
    assert hass.states.get("sensor.kitchen_connection_status").state == "online"
    assert "does not generate unique IDs" not in caplog.text
    assert "Error" not in caplog.text
