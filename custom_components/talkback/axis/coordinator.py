"""The relay network of an Axis device: its state as read, and its polling."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import DOMAIN, LOGGER, RELAY_SETTINGS_INTERVAL, RELAY_STATUS_INTERVAL
from ..errors import device_errors_translated, update_failed
from ..vapix.client import VapixClient
from ..vapix.exceptions import VapixError, VapixNotSupportedError
from ..vapix.models import (
    AxisDeviceInfo,
    DiscoveredRelayPeer,
    RelayCapabilities,
    RelayConnectionStatus,
    RelayNetwork,
    RelayNetworkPeer,
    SoundConfiguration,
    normalize_mac,
    relay_api_supported,
)


def peer_key(peer: RelayNetworkPeer) -> str:
    """What names a peer across polls: its MAC (the serial on Axis), else its id."""
    return normalize_mac(peer.configuration.mac or "") or peer.id


@dataclass(frozen=True, slots=True)
class RelayState:
    """The relay network as the device last reported it."""

    network: RelayNetwork
    statuses: dict[str, RelayConnectionStatus]
    sound: SoundConfiguration
    own_mac: str
    discovered: tuple[DiscoveredRelayPeer, ...] = ()
    """Relay-capable devices the device found on its network (read with the sound)."""

    @property
    def own_peer(self) -> RelayNetworkPeer | None:
        """The device itself as a peer of its network."""
        return next((p for p in self.network.peers if peer_key(p) == self.own_mac), None)

    @property
    def is_leader(self) -> bool:
        """Whether the device leads the network it is in."""
        own = self.own_peer
        return own is not None and own.leader

    @property
    def followers(self) -> dict[str, RelayNetworkPeer]:
        """The network's followers by peer key (only meaningful on the leader)."""
        return {peer_key(p): p for p in self.network.peers if not p.leader}

    def status(self, peer: RelayNetworkPeer) -> RelayConnectionStatus | None:
        """The leader's view of a peer's link: the status call first, the peer list else."""
        return self.statuses.get(peer.id, peer.connection_status)


class RelayCoordinator(DataUpdateCoordinator[RelayState]):
    """Reads the relay network of an Axis device.

    Peers and their link status every 15 s; master volume and the devices it found on the
    network every 5 minutes (and after a change); the capabilities (volume range) once,
    at setup.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: VapixClient,
        device: AxisDeviceInfo,
    ) -> None:
        """Create the coordinator for one device."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} relay {entry.title}",
            update_interval=RELAY_STATUS_INTERVAL,
        )
        self.client = client
        self.serial = device.serial_number
        self.own_mac = normalize_mac(device.mac_address or device.serial_number) or ""
        self.capabilities = RelayCapabilities()
        self._sound: SoundConfiguration | None = None
        self._discovered: tuple[DiscoveredRelayPeer, ...] = ()
        self._sound_read_at = 0.0

    async def async_write(
        self, write: Awaitable[object], *, settings: bool = False, members: bool = False
    ) -> None:
        """Await a write to the device, then read the network back; errors reach the caller.

        `settings`: the write changed the sound settings, otherwise read every 5 minutes.
        `members`: it changed who is in the network, which is read at once (not debounced).
        """
        with device_errors_translated():
            await write
        if settings:
            self._sound = None
        if members:
            await self.async_refresh()
        else:
            await self.async_request_refresh()

    async def _async_setup(self) -> None:
        try:
            self.capabilities = await self.client.get_service_capabilities()
        except VapixError as err:
            raise update_failed(err) from err

    async def _async_update_data(self) -> RelayState:
        try:
            network = await self.client.get_audio_peers()
            statuses = (
                {s.id: s.connection_status for s in await self.client.get_audio_peer_status()}
                if network.peers
                else {}
            )
            if (
                self._sound is None
                or time.monotonic() - self._sound_read_at >= RELAY_SETTINGS_INTERVAL.total_seconds()
            ):
                self._sound = await self.client.get_sound_configuration()
                self._discovered = await self.client.get_discovered_audio_peers()
                self._sound_read_at = time.monotonic()
        except VapixError as err:
            if isinstance(err, VapixNotSupportedError) and await self._relay_api_removed():
                LOGGER.warning(
                    "%s no longer has the audio relay API (a firmware upgrade?); reloading "
                    "without relay entities",
                    self.config_entry.title,
                )
                self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
            raise update_failed(err) from err
        return RelayState(network, statuses, self._sound, self.own_mac, self._discovered)

    async def _relay_api_removed(self) -> bool:
        """Whether the device, read afresh, lacks the API (firmware after AXIS OS 10.12 may)."""
        try:
            parameters = await self.client.parameters(refresh=True)
        except VapixError:
            return False
        return not relay_api_supported(parameters.relay_api_version)
