"""The relay network step of the config flow: who leads, who follows, multicast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..vapix.client import VapixClient
from ..vapix.models import DiscoveredRelayPeer, RelayPeer, normalize_mac
from .entries import follower_configuration, relay_entries
from .network import extend_network

CONF_LEADER: Final = "leader"
CONF_FOLLOWERS: Final = "followers"
CONF_MULTICAST: Final = "multicast"
CONF_PEER_USERNAME: Final = "peer_username"
CONF_PEER_PASSWORD: Final = "peer_password"  # noqa: S105 (a form field name)


def relay_schema(
    hass: HomeAssistant,
    own_mac: str,
    title: str,
    discovered: Sequence[DiscoveredRelayPeer],
) -> vol.Schema:
    """The form: a leader among the configured devices, followers among those and the found."""
    configured = relay_entries(hass)
    leaders = [SelectOptionDict(value=own_mac, label=title)] + [
        SelectOptionDict(value=mac, label=axis.entry.title) for mac, axis in configured.items()
    ]
    followers = [
        SelectOptionDict(value=mac, label=axis.entry.title) for mac, axis in configured.items()
    ]
    for peer in discovered:
        mac = normalize_mac(peer.mac or "")
        if mac is not None and mac != own_mac and mac not in configured:
            label = " ".join(part for part in (peer.product_type, peer.ip_address) if part)
            followers.append(SelectOptionDict(value=mac, label=f"{label} ({mac})".strip()))
    return vol.Schema(
        {
            vol.Required(CONF_LEADER, default=own_mac): SelectSelector(
                SelectSelectorConfig(options=leaders, mode=SelectSelectorMode.DROPDOWN)
            ),
            vol.Optional(CONF_FOLLOWERS, default=[]): SelectSelector(
                SelectSelectorConfig(options=followers, multiple=True)
            ),
            vol.Required(CONF_MULTICAST, default=False): bool,
            vol.Optional(CONF_PEER_USERNAME): TextSelector(),
            vol.Optional(CONF_PEER_PASSWORD): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
        }
    )


async def apply_relay_choice(
    hass: HomeAssistant,
    client: VapixClient,
    own: RelayPeer,
    discovered: Sequence[DiscoveredRelayPeer],
    choice: Mapping[str, Any],
) -> None:
    """Write the chosen network to its leader (the new device, or one already configured).

    `own` is the new device as a follower would be configured (MAC and credentials).
    Devices found by discovery get the credentials typed in the form.
    """
    configured = relay_entries(hass)
    found = {normalize_mac(peer.mac or ""): peer for peer in discovered}

    def follower(mac: str) -> RelayPeer:
        if (axis := configured.get(mac)) is not None:
            return follower_configuration(axis)
        peer = found.get(mac)
        return RelayPeer(
            mac=mac,
            ip_address=peer.ip_address if peer is not None else None,
            leader=False,
            username=choice.get(CONF_PEER_USERNAME) or None,
            password=choice.get(CONF_PEER_PASSWORD) or None,
        )

    followers = [follower(mac) for mac in choice.get(CONF_FOLLOWERS, [])]
    leader_mac: str = choice[CONF_LEADER]
    multicast = bool(choice.get(CONF_MULTICAST))
    leader_entry = configured.get(leader_mac)
    if leader_entry is None:  # the new device leads
        if not followers and not multicast:
            return  # no network wanted
        leader = RelayPeer(name=own.name, mac=own.mac, leader=True)
        await extend_network(
            client, leader, await client.get_audio_peers(), followers, multicast=multicast
        )
        return
    leader_client = leader_entry.data.client
    leader = RelayPeer(name=leader_entry.entry.title, mac=leader_mac, leader=True)
    await extend_network(
        leader_client,
        leader,
        await leader_client.get_audio_peers(),
        [own, *followers],
        multicast=multicast,
    )
    relay = leader_entry.data.relay
    assert relay is not None  # relay_entries holds devices with a relay coordinator only
    # Read at once: the new device's entry, set up next, finds itself in the network.
    await relay.async_refresh()


def own_peer(title: str, mac: str, data: Mapping[str, Any]) -> RelayPeer:
    """The device being added, as its leader will reach it."""
    return RelayPeer(
        name=title,
        mac=mac,
        leader=False,
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
    )
