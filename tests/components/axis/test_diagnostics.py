"""Diagnostics of an Axis relay leader: everything read, nothing secret or personal."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from simulator.axis import AxisRelayNetwork

from .helpers import PASSWORD

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.mark.usefixtures("follower_entry")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    axis_network: AxisRelayNetwork,
    network: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The device and its relay network, with credentials, MACs and addresses redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, network)
    assert diagnostics == snapshot(exclude=props("port"))
    text = json.dumps(diagnostics)
    for secret in (PASSWORD, axis_network[0].serial, axis_network[1].mac, "192.0.2.11"):
        assert secret.lower() not in text.lower()
    assert diagnostics["relay"]["is_leader"] is True
    assert diagnostics["relay"]["statuses"] == {"AudioPeer_01": "Online", "AudioPeer_02": "Online"}
