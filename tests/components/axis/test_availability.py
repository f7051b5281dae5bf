"""An Axis speaker without the relay API is polled: unavailable while its device is away."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.talkback.axis.availability import DEVICE_CHECK_INTERVAL
from simulator.axis import AxisRelayNetwork
from simulator.core import Fault, FaultKind

from .helpers import HALL, TEMPLATE

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "media_dir"),
    pytest.mark.parametrize("axis_template", [replace(TEMPLATE, relay_api_version=None)]),
]

PARAM = "/axis-cgi/param.cgi"


def param_requests(network: AxisRelayNetwork) -> int:
    """How many param.cgi requests the first device answered."""
    server = network[0].server
    assert server is not None
    return sum(1 for request in server.requests if request.target.startswith(PARAM))


async def next_poll(hass: HomeAssistant) -> None:
    """Let the poll timer fire (the clock is not frozen: the client's timeouts stay real)."""
    async_fire_time_changed(hass, dt_util.utcnow() + DEVICE_CHECK_INTERVAL + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_speaker_follows_its_device(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Switched off: unavailable at the next poll, said once; on again: back at the next."""
    assert timedelta(seconds=30) == DEVICE_CHECK_INTERVAL
    assert hass.states.get(HALL).state == "idle"

    await axis_network[0].stop()
    await next_poll(hass)
    assert hass.states.get(HALL).state == STATE_UNAVAILABLE
    await next_poll(hass)
    assert caplog.text.count("Error fetching talkback device") == 1

    await axis_network[0].start()
    await next_poll(hass)
    assert hass.states.get(HALL).state == "idle"
    assert "Fetching talkback device Hall data recovered" in caplog.text


async def test_one_light_request_per_poll(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """Setup's own reading is the first poll; each later poll is one param.cgi request."""
    after_setup = param_requests(axis_network)
    server = axis_network[0].server
    assert server is not None
    requests_after_setup = len(server.requests)

    await next_poll(hass)
    await next_poll(hass)
    assert param_requests(axis_network) == after_setup + 2
    assert len(server.requests) == requests_after_setup + 2


async def test_refused_credentials_while_polling_start_reauth(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """A password changed on the device asks for new credentials, not a repair."""
    axis_network[0].faults.add(Fault(FaultKind.HTML_401))
    await next_poll(hass)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
