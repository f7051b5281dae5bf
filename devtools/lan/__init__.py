"""Demo LAN: a simulated device's DHCP lease, handed to Home Assistant's discovery.

Home Assistant's `dhcp` integration sniffs leases with raw sockets (and needs packages the
development environment does not install); the simulators only listen on 127.0.0.1. This
integration stands in for the sniffing part only: the action `demo_lan.lease` matches the
lease against every integration's manifest `dhcp` matchers with the loader's own list and
starts their discovery flows with a `DhcpServiceInfo`, as the dhcp integration does. What
Talkback then runs is its real `dhcp` step.
"""

from __future__ import annotations

from fnmatch import fnmatch

from homeassistant.config_entries import SOURCE_DHCP
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv, discovery_flow
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.typing import ConfigType
from homeassistant.loader import async_get_dhcp
import probatio as vol

DOMAIN = "demo_lan"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
LEASE_SCHEMA = vol.Schema(
    {vol.Required("ip"): str, vol.Required("mac"): str, vol.Optional("hostname", default=""): str}
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the lease action."""

    async def lease(call: ServiceCall) -> None:
        mac = "".join(c for c in call.data["mac"].lower() if c in "0123456789abcdef")
        hostname = call.data["hostname"].lower()
        matchers = await async_get_dhcp(hass)
        domains = {
            matcher["domain"]
            for matcher in matchers
            if "macaddress" in matcher
            and fnmatch(mac.upper(), matcher["macaddress"])
            and fnmatch(hostname, matcher.get("hostname", "*"))
        }
        for domain in domains:
            discovery_flow.async_create_flow(
                hass,
                domain,
                {"source": SOURCE_DHCP},
                DhcpServiceInfo(ip=call.data["ip"], hostname=hostname, macaddress=mac),
            )

    hass.services.async_register(DOMAIN, "lease", lease, schema=LEASE_SCHEMA)
    return True
