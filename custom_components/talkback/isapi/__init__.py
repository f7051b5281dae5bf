"""Async Hikvision ISAPI two-way audio client. No Home Assistant imports.

`IsapiClient` (injected aiohttp session) reads device identity and two-way audio channels,
changes their settings, opens and closes sessions, receives audio, and talks through
`TalkSession` (raw G.711 on one long `PUT .../audioData`, sent with `rawhttp`). Every failure
is an `IsapiError`; `python -m custom_components.talkback.isapi` probes a device or plays a
file through it.
"""

from ..rawhttp import normalize_mac
from .client import IsapiClient
from .exceptions import (
    IsapiAuthenticationError,
    IsapiBasicRefusedError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiDeviceError,
    IsapiError,
    IsapiInvalidIdError,
    IsapiNotSupportedError,
    IsapiResponseError,
    IsapiTimeoutError,
    IsapiTooManyChannelsError,
)
from .models import (
    DeviceInfo,
    IsapiTimeouts,
    NetworkInterface,
    ResponseStatus,
    TwoWayAudioCapabilities,
    TwoWayAudioChannel,
    TwoWayAudioSession,
    g711_law,
)
from .talk import TalkSession

__all__ = [
    "DeviceInfo",
    "IsapiAuthenticationError",
    "IsapiBasicRefusedError",
    "IsapiBusyError",
    "IsapiClient",
    "IsapiConnectionError",
    "IsapiDeviceError",
    "IsapiError",
    "IsapiInvalidIdError",
    "IsapiNotSupportedError",
    "IsapiResponseError",
    "IsapiTimeoutError",
    "IsapiTimeouts",
    "IsapiTooManyChannelsError",
    "NetworkInterface",
    "ResponseStatus",
    "TalkSession",
    "TwoWayAudioCapabilities",
    "TwoWayAudioChannel",
    "TwoWayAudioSession",
    "g711_law",
    "normalize_mac",
]
