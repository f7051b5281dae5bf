"""Setting up an Axis entry: read the device and its relay network, register its devices."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from ..client import create_vapix_client, read_device, warn_if_basic_over_http
from ..const import LOGGER
from ..entry import TalkbackConfigEntry
from ..output import SpeakerOutput
from .availability import DeviceCoordinator
from .coordinator import RelayCoordinator
from .data import AxisData
from .device import device_info
from .discovery import announce_relay_peers
from .index import claim, own_mac, relay_updated, release
from .peers import remove_departed_peers, take_peer_entities
from .relay_issue import update_relay_issue


async def async_connect(hass: HomeAssistant, entry: TalkbackConfigEntry) -> AxisData:
    """Read the device and, with the relay API, its network; register the device itself."""
    remove_gain_selects(hass, entry)
    client = create_vapix_client(hass, entry.data)
    device = await read_device(client.device_info())
    warn_if_basic_over_http(entry.data, entry.title, basic_worked=client.basic_worked)
    relay = RelayCoordinator(hass, entry, client, device) if device.relay_api_supported else None
    if relay is not None:
        await relay.async_config_entry_first_refresh()
    data = AxisData(
        client=client, device=device, relay=relay, output=SpeakerOutput(hass, entry, entry.title)
    )
    if relay is None:
        # What setup just read is the first poll's answer: no second request.
        data.availability = DeviceCoordinator(hass, entry, client)
        data.availability.async_set_updated_data(await client.parameters())
    data.main_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **device_info(entry, device))
        .id
    )
    update_relay_issue(hass, entry, data)
    if relay is not None:
        # The device shows its own peer entities; a leader leaves them to it.
        mac = own_mac(data)
        claim(hass, mac, entry.entry_id)
        entry.async_on_unload(lambda: release(hass, mac, entry.entry_id))
        await take_peer_entities(hass, entry, data)

        @callback
        def relay_changed() -> None:
            remove_departed_peers(hass, entry, data)
            announce_relay_peers(hass, entry, data)
            relay_updated(hass)

        relay_changed()
        entry.async_on_unload(relay.async_add_listener(relay_changed))
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, relay API %s)",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        device.relay_api_version or "none",
    )
    return data


@callback
def remove_gain_selects(hass: HomeAssistant, entry: TalkbackConfigEntry) -> None:
    """Drop the output gain selects of earlier versions (now a number and a mute switch).

    The number keeps the select's unique id; the select itself would stay behind as an
    orphan in the user's registry.
    """
    registry = er.async_get(hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.domain == Platform.SELECT:
            registry.async_remove(registered.entity_id)
