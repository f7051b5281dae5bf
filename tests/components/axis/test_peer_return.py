"""Peers that leave a relay network and come back get their entities again, once."""

from __future__ import annotations

from homeassistant.const import STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import DOMAIN
from custom_components.talkback.vapix.models import RelayPeer
from simulator.axis import AxisRelayNetwork
from tests.components.helpers import assert_nothing_added_twice, device_entities, live

from .helpers import HALL_LEADER, KITCHEN_SERIAL, KITCHEN_STATUS, PASSWORD, poll, poll_until, relay

pytestmark = pytest.mark.usefixtures("socket_enabled", "media_dir")

HALL_SERIAL = "ACCC8E5A0000"


async def hall_leads(
    hass: HomeAssistant, leader: MockConfigEntry, axis_network: AxisRelayNetwork, *, kitchen: bool
) -> None:
    """Hall leads a network, with Kitchen online or alone (as its web page would write it)."""
    peers = [RelayPeer(name="Hall", mac=axis_network[0].mac, leader=True)]
    if kitchen:
        peers.append(RelayPeer(name="Kitchen", mac=axis_network[1].mac, password=PASSWORD))
    await relay(leader).client.set_audio_peer_configurations(peers)
    if kitchen:
        await poll_until(hass, leader, KITCHEN_STATUS, "online")
    else:
        await poll(hass, leader)


def entities_on(hass: HomeAssistant, entry: MockConfigEntry, serial: str) -> dict[str, str]:
    """Entity ids of the entry's device with this serial, by unique id."""
    return device_entities(
        hass,
        dr.async_get(hass).async_get_device_by_identifier((DOMAIN, serial), entry.entry_id),
    )


async def test_follower_that_leaves_and_returns_gets_its_entities_back(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Kitchen (no entry of its own) leaves the network: its device goes; back, the same ids."""
    await hall_leads(hass, leader_entry, axis_network, kitchen=True)
    before = entities_on(hass, leader_entry, KITCHEN_SERIAL)
    live_before = live(hass, before.values())
    assert KITCHEN_STATUS in live_before

    await hall_leads(hass, leader_entry, axis_network, kitchen=False)
    kitchen = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
    )
    assert kitchen is None
    assert all(hass.states.get(entity_id) is None for entity_id in before.values())

    await hall_leads(hass, leader_entry, axis_network, kitchen=True)
    assert entities_on(hass, leader_entry, KITCHEN_SERIAL) == before
    assert live(hass, before.values()) == live_before
    assert_nothing_added_twice(caplog)


async def test_leader_that_stops_leading_and_leads_again_keeps_its_own_entities(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hall's own peer entities sit on Hall, which stays: they wait, then are live again."""
    await hall_leads(hass, leader_entry, axis_network, kitchen=True)
    before = entities_on(hass, leader_entry, HALL_SERIAL)
    live_before = live(hass, before.values())
    assert HALL_LEADER in live_before

    axis_network[0].relay.leave()  # the network cleared on Hall's web page
    await poll(hass, leader_entry)
    assert hass.states.get(HALL_LEADER).state == STATE_UNAVAILABLE

    await hall_leads(hass, leader_entry, axis_network, kitchen=True)
    assert entities_on(hass, leader_entry, HALL_SERIAL) == before
    assert hass.states.get(HALL_LEADER).state == STATE_ON
    assert live(hass, before.values()) == live_before
    assert_nothing_added_twice(caplog)
