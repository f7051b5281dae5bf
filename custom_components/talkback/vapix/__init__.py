"""Async Axis VAPIX client: audio relay service and audio output. No Home Assistant imports.

Usage::

    client = VapixClient(session, "192.0.2.10", username="root", password=password)
    info = await client.device_info()          # serial (= MAC), model, audio output, relay API
    network = await client.get_audio_peers()   # VapixNotSupportedError without relay API 1.2
    await client.transmit(frames)              # paced 160-byte µ-law frames, 8 kHz
"""

from .client import VapixClient
from .exceptions import (
    VapixAuthenticationError,
    VapixBasicRefusedError,
    VapixBusyError,
    VapixCommandError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
    VapixResponseError,
    VapixTimeoutError,
    VapixValidationError,
)
from .models import (
    AxisDeviceInfo,
    AxisParameters,
    DiscoveredRelayPeer,
    Gain,
    GainDefinition,
    RelayCapabilities,
    RelayConnectionStatus,
    RelayNetwork,
    RelayNetworkConfiguration,
    RelayNetworkPeer,
    RelayPeer,
    RelayPeerStatus,
    RelayRole,
    SoundConfiguration,
    VolumeRange,
    normalize_mac,
)
from .transmit import TransmitSession

__all__ = [
    "AxisDeviceInfo",
    "AxisParameters",
    "DiscoveredRelayPeer",
    "Gain",
    "GainDefinition",
    "RelayCapabilities",
    "RelayConnectionStatus",
    "RelayNetwork",
    "RelayNetworkConfiguration",
    "RelayNetworkPeer",
    "RelayPeer",
    "RelayPeerStatus",
    "RelayRole",
    "SoundConfiguration",
    "TransmitSession",
    "VapixAuthenticationError",
    "VapixBasicRefusedError",
    "VapixBusyError",
    "VapixClient",
    "VapixCommandError",
    "VapixConnectionError",
    "VapixError",
    "VapixNotSupportedError",
    "VapixResponseError",
    "VapixTimeoutError",
    "VapixValidationError",
    "VolumeRange",
    "normalize_mac",
]
