"""The repair of an Axis device that lost its audio relay API in a firmware upgrade."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.talkback.const import DOMAIN
from simulator.axis import AxisRelayNetwork
from simulator.core import Fault, FaultKind
from tests.components.audio_fixtures import write_tone
from tests.components.helpers import play
from tests.components.repairs import (
    issue_texts,
    placeholders_in,
    start_fix_flow,
    submit_fix_flow,
    talkback_issues,
)

from .helpers import (
    GROUP,
    HALL,
    HALL_LEADER,
    KITCHEN_GAIN,
    KITCHEN_LEADER,
    KITCHEN_SERIAL,
    KITCHEN_STATUS,
    MULTICAST,
    TEMPLATE,
    poll,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

RELAY_ENTITIES = {MULTICAST, GROUP, HALL_LEADER, KITCHEN_LEADER, KITCHEN_STATUS, KITCHEN_GAIN}
NEW_FIRMWARE = "11.11.73"


def relay_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry:
    """The entry's lost-relay-API issue (it must exist)."""
    return talkback_issues(hass)[f"relay_api_removed_{entry.entry_id}"]


def kitchen_devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[dr.DeviceEntry]:
    """The devices of an entry that stand for the Kitchen speaker."""
    return [
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if (DOMAIN, KITCHEN_SERIAL) in device.identifiers
    ]


async def lose_relay_api(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, entry: MockConfigEntry
) -> None:
    """Upgrade the leader to a firmware without the API; the next relay poll notices."""
    axis_network[0].install_firmware(NEW_FIRMWARE, relay_api_version=None)
    await poll(hass, entry)
    await hass.async_block_till_done()


async def test_lost_api_reloads_keeps_the_speaker_and_raises_the_issue(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    network: MockConfigEntry,
    follower_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The entry reloads without relay; the speaker plays; the fix removes the leftovers."""
    entity_registry = er.async_get(hass)
    # The multicast group is shown only while multicast is on (it is off here).
    for entity_id in RELAY_ENTITIES - {GROUP}:
        assert hass.states.get(entity_id).state != STATE_UNAVAILABLE, entity_id
    assert hass.states.get(GROUP) is not None
    assert talkback_issues(hass) == {}

    await lose_relay_api(hass, axis_network, network)

    assert network.runtime_data.relay is None
    assert hass.states.get(HALL).state == "idle"
    for entity_id in RELAY_ENTITIES:
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE, entity_id
    issue = relay_issue(hass, network)
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "device": "Hall",
        "firmware": NEW_FIRMWARE,
        "removed_in": "10.12",
    }
    write_tone(Path(hass.config.media_dirs["local"]) / "tone.wav", 0.3)
    await play(hass, HALL, "media-source://media_source/local/tone.wav")
    assert [r.kind for r in axis_network[0].recordings] == ["transmit"]

    step = await start_fix_flow(hass_client, issue.issue_id)
    assert step["type"] == "form"
    assert step["description_placeholders"]["firmware"] == NEW_FIRMWARE
    assert entity_registry.async_get(MULTICAST) is not None  # nothing removed unconfirmed
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()

    for entity_id in RELAY_ENTITIES:
        assert entity_registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    assert kitchen_devices(hass, network) == []
    assert len(kitchen_devices(hass, follower_entry)) == 1  # Kitchen's own entry keeps its own
    assert entity_registry.async_get(HALL) is not None
    assert talkback_issues(hass) == {}

    # Nothing is left to raise it again.
    assert await hass.config_entries.async_reload(network.entry_id)
    await hass.async_block_till_done()
    assert talkback_issues(hass) == {}


async def test_issue_goes_when_the_api_comes_back(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    network: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A firmware with the API again: the device poll reloads, the relay entities return."""
    await lose_relay_api(hass, axis_network, network)
    step = await start_fix_flow(hass_client, relay_issue(hass, network).issue_id)

    axis_network[0].install_firmware("10.11.65", relay_api_version="1.2")
    availability = network.runtime_data.availability
    assert availability is not None
    await availability.async_refresh()
    await hass.async_block_till_done()

    assert network.runtime_data.relay is not None
    assert talkback_issues(hass) == {}
    assert hass.states.get(MULTICAST).state != STATE_UNAVAILABLE
    # The dialog the user left open has nothing left to remove.
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert (done["type"], done["reason"]) == ("abort", "relay_api_back")
    assert entity_registry.async_get(MULTICAST) is not None


async def test_a_relay_api_lost_while_away_is_found_at_setup(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    network: MockConfigEntry,
) -> None:
    """Upgraded while Home Assistant was off: setup finds the leftovers itself."""
    assert await hass.config_entries.async_unload(network.entry_id)
    axis_network[0].install_firmware(NEW_FIRMWARE, relay_api_version=None)
    assert await hass.config_entries.async_setup(network.entry_id)
    await hass.async_block_till_done()
    assert relay_issue(hass, network).translation_placeholders["firmware"] == NEW_FIRMWARE


@pytest.mark.parametrize("axis_template", [replace(TEMPLATE, relay_api_version=None)])
async def test_no_issue_for_a_device_that_never_had_the_api(
    hass: HomeAssistant, leader_entry: MockConfigEntry, media_dir: Path
) -> None:
    """Nothing was left behind, so there is nothing to say."""
    assert talkback_issues(hass) == {}


async def test_issue_texts_use_the_placeholders_raised(hass: HomeAssistant) -> None:
    """Every text exists and names only placeholders the issue provides."""
    texts = await issue_texts(hass, "relay_api_removed")
    assert {"title", "fix_flow.step.confirm.description"} <= set(texts)
    for key, text in texts.items():
        assert placeholders_in(text) <= {"device", "firmware", "removed_in"}, key


async def test_an_unanswered_check_does_not_reload(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, network: MockConfigEntry
) -> None:
    """The relay service gone but param.cgi failing too: wait for a clear answer."""
    axis_network[0].faults.add(Fault(FaultKind.STATUS, path="/axis-cgi/param.cgi", status=500))
    await lose_relay_api(hass, axis_network, network)
    assert network.runtime_data.relay is not None
    assert hass.states.get(HALL).state == STATE_UNAVAILABLE
    assert talkback_issues(hass) == {}

    axis_network[0].faults.clear()
    await poll(hass, network)
    await hass.async_block_till_done()
    assert network.runtime_data.relay is None
    assert relay_issue(hass, network)


async def test_unloading_withdraws_the_issue_and_an_open_fix_aborts(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    network: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Unloaded, Talkback does not know what the device has: the issue goes, a fix aborts."""
    await lose_relay_api(hass, axis_network, network)
    step = await start_fix_flow(hass_client, relay_issue(hass, network).issue_id)
    assert await hass.config_entries.async_unload(network.entry_id)
    assert talkback_issues(hass) == {}
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert (done["type"], done["reason"]) == ("abort", "not_loaded")
    assert er.async_get(hass).async_get(MULTICAST) is not None
