"""Relay peers without a Talkback entry of their own, offered as discovered devices.

A leader knows its followers (name, address, MAC) and the relay-capable devices it found on
the network (`GetDiscoveredAudioPeers`). Those Talkback does not have yet get a discovered
card each, which asks only for credentials, prefilled with the leader's (relay networks
are often set up with one account on every device).
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.device_registry import format_mac

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vapix.models import normalize_mac
from .data import AxisData

CONF_LEADER_ENTRY: Final = "leader_entry_id"


def peer_announcements(data: AxisData) -> dict[str, dict[str, Any]]:
    """What the device knows of other devices, by MAC: address, name, model."""
    relay = data.relay
    if relay is None or not relay.last_update_success:
        return {}
    state = relay.data
    found: dict[str, dict[str, Any]] = {}
    for peer in state.discovered:
        if (mac := normalize_mac(peer.mac or "")) and peer.ip_address:
            found[mac] = {CONF_HOST: peer.ip_address, "model": peer.product_type}
    if state.is_leader:
        for follower in state.followers.values():
            config = follower.configuration
            mac = normalize_mac(config.mac or "")
            host = config.ip_address or found.get(mac or "", {}).get(CONF_HOST)
            if mac and host:
                model = follower.product_type or found.get(mac, {}).get("model")
                found[mac] = {CONF_HOST: host, "model": model, "name": config.name}
    found.pop(state.own_mac, None)
    return found


@callback
def announce_relay_peers(hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData) -> None:
    """Start a discovery flow for every peer that is new and has no Talkback entry."""
    for mac, peer in peer_announcements(data).items():
        unique_id = format_mac(mac)
        if (
            unique_id in data.announced_peers
            or hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
        ):
            continue
        data.announced_peers.add(unique_id)
        discovery_flow.async_create_flow(
            hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={**peer, "mac": unique_id, CONF_LEADER_ENTRY: entry.entry_id},
        )
