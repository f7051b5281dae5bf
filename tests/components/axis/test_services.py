"""The relay actions: move the leader, add or change a peer by address."""

from __future__ import annotations

from homeassistant.components.media_player import ATTR_GROUP_MEMBERS
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import DOMAIN
from simulator.axis import AxisRelayNetwork

from .helpers import (
    HALL,
    KITCHEN,
    KITCHEN_GAIN,
    KITCHEN_STATUS,
    PASSWORD,
    join,
    poll,
    poll_until,
    relay,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

GARAGE_MAC = "AC:CC:8E:5A:00:02"


async def call(hass: HomeAssistant, service: str, **data: object) -> None:
    """A Talkback action, blocking."""
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def test_set_relay_leader(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
) -> None:
    """Kitchen takes the lead: Hall steps down and follows it."""
    await join(hass, HALL, KITCHEN)
    await poll_until(hass, leader_entry, KITCHEN_STATUS, "online")

    own = relay(leader_entry).data.own_peer
    assert own is not None
    await call(hass, "set_relay_leader", speaker=KITCHEN)
    await poll_until(hass, follower_entry, own.id, "online", "sensor")
    await poll(hass, leader_entry)
    assert relay(follower_entry).data.is_leader
    assert not relay(leader_entry).data.is_leader
    assert hass.states.get(KITCHEN).attributes[ATTR_GROUP_MEMBERS] == [KITCHEN, HALL]
    assert axis_network[1].relay.is_leader()
    assert not axis_network[0].relay.is_leader()


async def test_set_relay_leader_needs_a_network(
    hass: HomeAssistant, follower_entry: MockConfigEntry
) -> None:
    """A speaker that follows no configured leader cannot take the lead."""
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_relay_leader", speaker=KITCHEN)
    assert caught.value.translation_key == "leader_not_configured"


async def test_set_relay_peer_adds_then_changes(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
) -> None:
    """A device not in Talkback joins by MAC with its credentials; then its gain changes."""
    await join(hass, HALL, KITCHEN)
    await call(
        hass,
        "set_relay_peer",
        leader=HALL,
        address=GARAGE_MAC,
        name="Garage",
        username="root",
        password=PASSWORD,
    )
    await poll_until(hass, leader_entry, "sensor.garage_connection_status", "online")

    await call(hass, "set_relay_peer", leader=HALL, address="192.0.2.12", gain="-12")
    await poll(hass, leader_entry)
    assert hass.states.get("number.garage_output_gain").state == "-12"
    # A reconfigured leader checks its links again: Initiating, then Online.
    await poll_until(hass, leader_entry, "sensor.garage_connection_status", "online")

    await call(hass, "set_relay_peer", leader=HALL, address=GARAGE_MAC.lower(), gain="Mute")
    await poll(hass, leader_entry)
    assert hass.states.get("switch.garage_output_muted").state == "on"
    assert hass.states.get(KITCHEN_GAIN).state == "0"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"address": "not an address"}, "invalid_address"),
        ({"address": GARAGE_MAC, "gain": "loud"}, "invalid_request"),
    ],
)
async def test_set_relay_peer_refusals(
    hass: HomeAssistant,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
    data: dict[str, str],
    key: str,
) -> None:
    """Wrong input is refused as a validation error, before the device is asked."""
    await join(hass, HALL, KITCHEN)
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_relay_peer", leader=HALL, **data)
    assert caught.value.translation_key == key


async def test_set_relay_peer_needs_a_leader(
    hass: HomeAssistant, leader_entry: MockConfigEntry
) -> None:
    """A speaker that leads nothing gets no peers by address (join speakers first)."""
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_relay_peer", leader=HALL, address=GARAGE_MAC)
    assert caught.value.translation_key == "not_leading"
