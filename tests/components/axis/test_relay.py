"""Relay networks: grouping round trips, peer devices and entities, and their writes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.components.media_player import ATTR_GROUP_MEMBERS
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.talkback import async_remove_config_entry_device
from custom_components.talkback.axis.data import AxisData
from custom_components.talkback.const import DOMAIN
from custom_components.talkback.vapix.models import RelayConnectionStatus, RelayPeer
from simulator.axis import AxisRelayNetwork
from simulator.core import Fault, FaultKind
from tests.components.audio_fixtures import write_tone
from tests.components.helpers import heard, play, set_up

from .helpers import (
    GROUP,
    HALL,
    HALL_LEADER,
    KITCHEN,
    KITCHEN_GAIN,
    KITCHEN_LEADER,
    KITCHEN_MUTE,
    KITCHEN_SERIAL,
    KITCHEN_STATUS,
    KITCHEN_STATUS_ID,
    MULTICAST,
    PASSWORD,
    PORCH,
    PORCH_STATUS,
    TEMPLATE,
    axis_entry,
    join,
    poll,
    poll_until,
    relay,
    unjoin,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.MEDIA_PLAYER,
        Platform.NUMBER,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
)
@pytest.mark.usefixtures("media_dir")
async def test_entities(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """The leader of a two-speaker network: every entity of every platform."""
    leader = axis_entry(axis_network[0], "Hall")
    with patch.object(AxisData, "platforms", (platform,)):
        await set_up(hass, leader)
    await relay(leader).client.set_audio_peer_configurations(
        [
            RelayPeer(name="Hall", mac=axis_network[0].mac, leader=True),
            RelayPeer(name="Kitchen", mac=axis_network[1].mac, password=PASSWORD),
        ]
    )
    await poll_until(hass, leader, KITCHEN_STATUS_ID, "online", platform)
    await snapshot_platform(hass, entity_registry, snapshot, leader.entry_id)


@pytest.mark.usefixtures("axis_network")
async def test_grouping_round_trip(
    hass: HomeAssistant,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """join -> the follower's relay entities appear on its own device -> unjoin -> gone.

    Kitchen has a Talkback entry: one device, no copy under the leader.
    """
    assert hass.states.get(HALL).attributes.get(ATTR_GROUP_MEMBERS) is None
    await join(hass, HALL, KITCHEN)
    await poll_until(hass, leader_entry, KITCHEN_STATUS, "online")
    await poll(hass, follower_entry)

    assert hass.states.get(HALL).attributes[ATTR_GROUP_MEMBERS] == [HALL, KITCHEN]
    assert hass.states.get(KITCHEN).attributes[ATTR_GROUP_MEMBERS] == [HALL, KITCHEN]
    assert hass.states.get(HALL_LEADER).state == STATE_ON
    assert hass.states.get(KITCHEN_LEADER).state == STATE_OFF
    copy = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), leader_entry.entry_id
    )
    own = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), follower_entry.entry_id
    )
    assert copy is None
    assert own is not None
    for entity_id in (KITCHEN_STATUS, KITCHEN_LEADER, KITCHEN_GAIN):
        registered = entity_registry.async_get(entity_id)
        assert registered is not None
        assert (registered.config_entry_id, registered.device_id) == (
            follower_entry.entry_id,
            own.id,
        )

    await unjoin(hass, KITCHEN)
    await hass.async_block_till_done()
    assert hass.states.get(KITCHEN_STATUS) is None
    assert entity_registry.async_get(KITCHEN_STATUS) is None
    # Kitchen's own entry keeps its device: leaving the network only drops its relay entities.
    assert device_registry.async_get(own.id) is not None
    assert hass.states.get(KITCHEN).state != STATE_UNAVAILABLE
    assert hass.states.get(HALL).attributes[ATTR_GROUP_MEMBERS] == [HALL]

    # Joining again brings the peer back, with new entities.
    await join(hass, HALL, KITCHEN)
    await poll_until(hass, leader_entry, KITCHEN_STATUS, "online")


async def test_leader_and_follower_in_one_action(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """Targeting a leader and its follower plays once: the follower hears it by relay only."""
    await join(hass, HALL, KITCHEN)
    await poll_until(hass, leader_entry, KITCHEN_STATUS, "online")
    await poll(hass, follower_entry)
    write_tone(media_dir / "tone.wav", 0.4)

    await play(hass, [HALL, KITCHEN], "media-source://media_source/local/tone.wav")

    assert [recording.kind for recording in axis_network[0].recordings] == ["transmit"]
    assert [recording.kind for recording in axis_network[1].recordings] == ["relay"]
    assert heard(axis_network[1].recordings[0]) > 4000


async def test_unjoin_on_the_leader_drops_every_follower(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """The leader leaving its own group takes every follower out."""
    await unjoin(hass, HALL)
    assert relay(network).data.followers == {}
    assert hass.states.get(KITCHEN_STATUS) is None


async def test_grouping_refusals(
    hass: HomeAssistant, network: MockConfigEntry, follower_entry: MockConfigEntry
) -> None:
    """Only Talkback's Axis speakers join, only on the leader; an orphan cannot unjoin."""
    with pytest.raises(ServiceValidationError) as caught:
        await join(hass, HALL, "media_player.somewhere_else")
    assert caught.value.translation_key == "not_an_axis_speaker"

    await poll(hass, follower_entry)
    with pytest.raises(ServiceValidationError) as caught:
        await join(hass, KITCHEN, HALL)
    assert caught.value.translation_key == "not_the_leader"

    await hass.config_entries.async_unload(network.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as caught:
        await unjoin(hass, KITCHEN)
    assert caught.value.translation_key == "leader_not_configured"


async def test_output_gain(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """A follower's gain is a level in dB over its steps, and a mute switch.

    A level is written as the nearest step the device defines; muting writes the mute
    step (the level shows unknown), unmuting returns to the level it had.
    """
    state = hass.states.get(KITCHEN_GAIN)
    assert state.state == "0"
    assert state.attributes["unit_of_measurement"] == "dB"
    assert (state.attributes["min"], state.attributes["max"], state.attributes["step"]) == (
        -57,
        6,
        1,
    )
    assert hass.states.get(KITCHEN_MUTE).state == STATE_OFF
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: KITCHEN_GAIN, "value": -6.4}, blocking=True
    )
    await poll(hass, network)
    assert hass.states.get(KITCHEN_GAIN).state == "-6"
    assert axis_network[1].output_gain[TEMPLATE.gain_name] == "-6"

    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: KITCHEN_MUTE}, blocking=True
    )
    await poll(hass, network)
    assert hass.states.get(KITCHEN_MUTE).state == STATE_ON
    assert hass.states.get(KITCHEN_GAIN).state == STATE_UNKNOWN
    assert axis_network[1].output_gain[TEMPLATE.gain_name] == "Mute"

    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: KITCHEN_MUTE}, blocking=True
    )
    await poll(hass, network)
    assert hass.states.get(KITCHEN_GAIN).state == "-6"
    assert hass.states.get(KITCHEN_MUTE).state == STATE_OFF


async def test_multicast(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """Multicast on: the device picks a group, shown by the diagnostic sensor.

    A network without network settings sends to each peer: off, not unknown; the group
    means nothing then and is unavailable.
    """
    assert hass.states.get(MULTICAST).state == STATE_OFF
    assert hass.states.get(GROUP).state == STATE_UNAVAILABLE
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: MULTICAST}, blocking=True)
    await poll(hass, network)
    assert hass.states.get(MULTICAST).state == STATE_ON
    assert hass.states.get(GROUP).state == "239.0.2.10"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: MULTICAST}, blocking=True)
    await poll(hass, network)
    assert hass.states.get(MULTICAST).state == STATE_OFF
    assert hass.states.get(GROUP).state == STATE_UNAVAILABLE


async def test_status_keeps_unknown_values_visible(
    hass: HomeAssistant, network: MockConfigEntry
) -> None:
    """A status the document does not list is shown as sent, and is a valid option."""
    coordinator = relay(network)
    peer_id = coordinator.data.followers["ac:cc:8e:5a:00:01"].id
    coordinator.async_set_updated_data(
        replace(coordinator.data, statuses={peer_id: RelayConnectionStatus("Rebooting")})
    )
    await hass.async_block_till_done()
    state = hass.states.get(KITCHEN_STATUS)
    assert state.state == "Rebooting"
    assert state.attributes["options"][-1] == "Rebooting"


async def test_wrong_follower_credentials(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """A follower whose credentials the leader does not have shows authentication_failed."""
    peer = relay(network).data.followers["ac:cc:8e:5a:00:01"]
    await relay(network).client.set_audio_peer_configuration(
        replace(peer.configuration, password="stale", output_gain=())
    )
    await poll_until(hass, network, KITCHEN_STATUS, "authentication_failed")


async def test_leader_unreachable_then_back(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """The leader switched off: its network's entities become unavailable, then recover."""
    await axis_network[0].stop()
    await poll(hass, network)
    assert hass.states.get(KITCHEN_STATUS).state == STATE_UNAVAILABLE
    assert hass.states.get(HALL).state == STATE_UNAVAILABLE
    await axis_network[0].start()
    # Back on, the leader checks its links again: Initiating, then Online.
    await poll_until(hass, network, KITCHEN_STATUS, "online")
    assert hass.states.get(HALL).state != STATE_UNAVAILABLE


async def test_leader_refuses_credentials(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """A refused login while polling asks the user to sign in again."""
    axis_network[0].faults.add(Fault(FaultKind.HTML_401, path="/vapix/audiorelay"))
    await poll(hass, network)
    flows = hass.config_entries.flow.async_progress()
    assert any(flow["context"]["source"] == SOURCE_REAUTH for flow in flows)


async def test_remove_device(
    hass: HomeAssistant,
    network: MockConfigEntry,
    follower_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Only a peer that left the network may have its device removed by the user."""
    hall = device_registry.async_get_device_by_identifier(
        (DOMAIN, "ACCC8E5A0000"), network.entry_id
    )
    kitchen = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN_SERIAL), follower_entry.entry_id
    )
    assert hall is not None
    assert kitchen is not None
    assert not await async_remove_config_entry_device(hass, network, hall)
    assert not await async_remove_config_entry_device(hass, follower_entry, kitchen)
    stale = device_registry.async_get_or_create(
        config_entry_id=network.entry_id,
        identifiers={(DOMAIN, "ACCC8E5A0009")},
        via_device_id=hall.id,
    )
    assert await async_remove_config_entry_device(hass, network, stale)


async def test_followers_of_a_leader_outside_talkback(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """Two followers whose leader is not in Talkback each play the action once themselves."""
    porch_entry = await set_up(hass, axis_entry(axis_network[2], "Porch"))
    await join(hass, HALL, KITCHEN, PORCH)
    await poll_until(hass, leader_entry, PORCH_STATUS, "online")
    assert await hass.config_entries.async_remove(leader_entry.entry_id)
    await poll(hass, follower_entry, porch_entry)
    assert hass.states.get(KITCHEN).attributes[ATTR_GROUP_MEMBERS] == [KITCHEN, PORCH]
    write_tone(media_dir / "tone.wav", 0.4)

    await play(hass, [KITCHEN, PORCH], "media-source://media_source/local/tone.wav")

    assert axis_network[0].recordings == []
    for device in axis_network.devices[1:]:
        [recording] = device.recordings
        assert recording.kind == "transmit"
        assert heard(recording) > 4000


async def test_gain_select_of_earlier_versions_becomes_a_number(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    entity_registry: er.EntityRegistry,
    media_dir: Any,
) -> None:
    """The output gain select is dropped; the number keeps its unique id (and entity id)."""
    leader = axis_entry(axis_network[0], "Hall")
    leader.add_to_hass(hass)
    unique_id = f"{axis_network[0].serial}_peer_{KITCHEN_SERIAL}_output_gain"
    entity_registry.async_get_or_create(
        "select", DOMAIN, unique_id, config_entry=leader, suggested_object_id="kitchen_output_gain"
    )
    await set_up(hass, leader)
    await relay(leader).client.set_audio_peer_configurations(
        [
            RelayPeer(name="Hall", mac=axis_network[0].mac, leader=True),
            RelayPeer(name="Kitchen", mac=axis_network[1].mac, password=PASSWORD),
        ]
    )
    await poll(hass, leader)
    assert entity_registry.async_get_entity_id("select", DOMAIN, unique_id) is None
    assert entity_registry.async_get_entity_id("number", DOMAIN, unique_id) == KITCHEN_GAIN
