"""The simulated network the Axis devices share: discovery and address resolution."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .speaker import AxisSpeaker


def mac_key(mac: str) -> str:
    """A MAC without separators, upper case, for comparing."""
    return mac.replace(":", "").replace("-", "").upper()


class RelayLan:
    """Every device that could be a relay peer, whether running or switched off."""

    def __init__(self) -> None:
        self._units: list[AxisSpeaker] = []

    @property
    def units(self) -> tuple[AxisSpeaker, ...]:
        """The devices on the network, in the order they joined."""
        return tuple(self._units)

    def join(self, unit: AxisSpeaker) -> None:
        """Put a device on the network; serials and addresses must be unique."""
        for other in self._units:
            if other.config.serial == unit.config.serial:
                raise ValueError(f"serial {unit.config.serial} is already on the network")
            if other.config.address == unit.config.address:
                raise ValueError(f"address {unit.config.address} is already on the network")
        self._units.append(unit)

    def leave(self, unit: AxisSpeaker) -> None:
        """Take a device off the network."""
        if unit in self._units:
            self._units.remove(unit)

    def find(self, *, mac: str | None, ip: str | None) -> AxisSpeaker | None:
        """The device a peer address means: by MAC when known, else by IP address.

        A MAC the network knows wins over the IP, as the relay API documents.
        """
        if mac:
            for unit in self._units:
                if mac_key(unit.config.serial) == mac_key(mac):
                    return unit
        if ip:
            for unit in self._units:
                if unit.config.address == ip.strip():
                    return unit
        return None

    def discoverable(self, seeker: AxisSpeaker) -> list[AxisSpeaker]:
        """Running relay-capable devices other than `seeker` (what discovery finds)."""
        return [
            unit
            for unit in self._units
            if unit is not seeker and unit.running and unit.config.relay_api_version is not None
        ]
