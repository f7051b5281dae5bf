"""What discovery knows of a device before the user signs in, and how its card is titled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

AXIS_OUIS: Final = frozenset({"00408c", "accc8e", "b8a44f", "e82725"})
"""Axis Communications AB in the IEEE registry (the manifest's DHCP and zeroconf matchers)."""


def is_axis_mac(mac: str) -> bool:
    """Whether a MAC (any notation) belongs to Axis."""
    digits = "".join(char for char in mac.lower() if char in "0123456789abcdef")
    return digits[:6] in AXIS_OUIS


@dataclass(frozen=True, slots=True)
class DiscoveredDevice:
    """A device found on the network, not yet signed in to."""

    vendor: str
    host: str
    port: int
    model: str
    name: str | None = None
    """The owner's name for the device, when discovery carries one."""
    credentials: dict[str, str] = field(default_factory=dict)
    """Suggested credentials (a relay leader's, for its peers)."""
    port_known: bool = True
    """False for DHCP, which knows no port: the card asks for it."""

    @property
    def label(self) -> str:
        """The card's title: the device's own name first, then model and address."""
        return discovered_label(self.model, self.name, self.host)


def discovered_label(model: str, name: str | None, host: str) -> str:
    """ "Hall (AXIS C1410, 192.0.2.10)", or "AXIS C1410 (192.0.2.10)" without a name."""
    if name:
        return f"{name} ({model}, {host})"
    return f"{model} ({host})"
