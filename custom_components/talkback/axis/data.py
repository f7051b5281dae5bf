"""What a loaded Axis entry keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from homeassistant.const import Platform
from homeassistant.helpers.entity import Entity

from ..output import SpeakerOutput
from ..vapix.client import VapixClient
from ..vapix.models import AxisDeviceInfo
from .availability import DeviceCoordinator
from .coordinator import RelayCoordinator


@dataclass
class AxisData:
    """An Axis speaker (or camera with audio out) while its entry is loaded."""

    platforms: ClassVar[tuple[Platform, ...]] = (
        Platform.BINARY_SENSOR,
        Platform.MEDIA_PLAYER,
        Platform.NUMBER,
        Platform.SENSOR,
        Platform.SWITCH,
    )
    client: VapixClient
    device: AxisDeviceInfo
    relay: RelayCoordinator | None
    """None when the device has no usable audio relay API (AXIS OS 10.12 on, cameras)."""
    output: SpeakerOutput
    """What plays on the device's speaker (one transmit session at a time)."""
    talking: bool = False
    """Whether Talkback itself is sending audio to the device right now."""
    main_device_id: str = ""
    """Device registry id of the device itself."""
    peer_entities: dict[str, list[Entity]] = field(default_factory=dict)
    """The peer entities this entry shows, by peer MAC (handed over when a peer's own
    entry takes them)."""
    announced_peers: set[str] = field(default_factory=set)
    """Relay peers offered as discovered devices since the entry was loaded."""
    availability: DeviceCoordinator | None = None
    """Polls a device without the relay API (the relay coordinator polls one with it)."""
