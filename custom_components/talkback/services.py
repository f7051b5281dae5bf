"""Actions no Home Assistant platform covers: relay networks (move the leader, add or change
a peer) and a voice satellite's push to talk (`listen`)."""

from __future__ import annotations

from dataclasses import replace
import ipaddress
from typing import Final

from homeassistant.const import CONF_NAME, CONF_PASSWORD, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
import probatio as vol

from .axis.coordinator import RelayState, peer_key
from .axis.entries import AxisEntry, follower_configuration, loaded_axis_entries, speaker_entry
from .const import DOMAIN
from .errors import device_errors_translated
from .vapix.models import Gain, RelayPeer, normalize_mac

SERVICE_SET_RELAY_LEADER: Final = "set_relay_leader"
SERVICE_SET_RELAY_PEER: Final = "set_relay_peer"
SERVICE_LISTEN: Final = "listen"
ATTR_SPEAKER: Final = "speaker"
ATTR_LEADER: Final = "leader"
ATTR_ADDRESS: Final = "address"
ATTR_GAIN: Final = "gain"
ATTR_MESSAGE: Final = "message"
ATTR_PREANNOUNCE: Final = "preannounce"

SET_RELAY_LEADER_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_SPEAKER): cv.entity_id,
        vol.Optional(CONF_PASSWORD): cv.string,
    }
)
SET_RELAY_PEER_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_LEADER): cv.entity_id,
        vol.Required(ATTR_ADDRESS): cv.string,
        vol.Optional(CONF_NAME): cv.string,
        vol.Optional(ATTR_GAIN): cv.string,
        vol.Optional(CONF_USERNAME): cv.string,
        vol.Optional(CONF_PASSWORD): cv.string,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every entry)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_RELAY_LEADER, _set_relay_leader, schema=SET_RELAY_LEADER_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SET_RELAY_PEER, _set_relay_peer, schema=SET_RELAY_PEER_SCHEMA
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_LISTEN,
        entity_domain=Platform.ASSIST_SATELLITE,
        schema={
            vol.Optional(ATTR_MESSAGE): cv.string,
            vol.Optional(ATTR_PREANNOUNCE, default=True): cv.boolean,
        },
        func="async_listen",
    )


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _leading(axis: AxisEntry) -> RelayState | None:
    """The entry's relay network, when the device leads one that has been read."""
    relay = axis.data.relay
    if relay is None or not relay.last_update_success or not relay.data.is_leader:
        return None
    return relay.data


async def _set_relay_leader(call: ServiceCall) -> None:
    """Make a follower the leader of its network.

    The new network goes to the new leader first, then to the old one, which so steps
    down and follows. Devices never return passwords: followers that are not in Talkback
    get the password given with the action (or the devices' default).
    """
    hass = call.hass
    new_entry = speaker_entry(hass, call.data[ATTR_SPEAKER])
    new_mac = new_entry.data.device.mac_address
    old_entry = next(
        (
            axis
            for axis in loaded_axis_entries(hass)
            if (state := _leading(axis)) is not None and new_mac in state.followers
        ),
        None,
    )
    if old_entry is None:
        raise _validation_error("leader_not_configured", entity_id=call.data[ATTR_SPEAKER])
    state = _leading(old_entry)
    assert state is not None
    known = {axis.data.device.mac_address: axis for axis in loaded_axis_entries(hass)}
    peers: list[RelayPeer] = []
    for peer in state.network.peers:
        known_peer = known.get(peer_key(peer))
        if known_peer is not None:
            own = follower_configuration(known_peer)
            config = replace(peer.configuration, username=own.username, password=own.password)
        else:
            config = replace(peer.configuration, password=call.data.get(CONF_PASSWORD))
        peers.append(replace(config, leader=peer_key(peer) == new_mac))
    network = state.network.configuration
    with device_errors_translated():
        await new_entry.data.client.set_audio_peer_configurations(peers, network)
        await old_entry.data.client.set_audio_peer_configurations(peers, network)
    for axis in (new_entry, old_entry):
        relay = axis.data.relay
        assert relay is not None  # both are in a relay network
        await relay.async_refresh()


async def _set_relay_peer(call: ServiceCall) -> None:
    """Add a peer to the leader's network by address, or change the one at that address."""
    hass = call.hass
    leader = speaker_entry(hass, call.data[ATTR_LEADER])
    state = _leading(leader)
    if state is None:
        raise _validation_error("not_leading", entity_id=call.data[ATTR_LEADER])
    address = call.data[ATTR_ADDRESS].strip()
    mac = normalize_mac(address)
    ip_address: str | None = None
    if mac is None:
        try:
            ip_address = str(ipaddress.ip_address(address))
        except ValueError:
            raise _validation_error("invalid_address", address=address) from None
    existing = next(
        (
            peer
            for peer in state.network.peers
            if (mac is not None and peer_key(peer) == mac)
            or (ip_address is not None and peer.configuration.ip_address == ip_address)
        ),
        None,
    )
    gains: tuple[Gain, ...] = ()
    if (value := call.data.get(ATTR_GAIN)) is not None:
        # A new peer has no gain definition yet: its gain control is named like the leader's.
        source = existing or state.own_peer
        definitions = source.output_gain_definitions if source is not None else ()
        if not definitions:
            raise _validation_error("no_gain_control", address=address)
        gains = (Gain(definitions[0].name, value),)
    change = RelayPeer(
        id=existing.id if existing is not None else "",
        name=call.data.get(CONF_NAME),
        mac=mac.upper() if mac is not None else None,
        ip_address=ip_address,
        output_gain=gains,
        username=call.data.get(CONF_USERNAME),
        password=call.data.get(CONF_PASSWORD),
    )
    relay = leader.data.relay
    assert relay is not None  # _leading found a network
    await relay.async_write(relay.client.set_audio_peer_configuration(change), members=True)
