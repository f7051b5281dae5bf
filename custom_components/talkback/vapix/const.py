"""Constants of the VAPIX client: paths, versions, limits and every timeout."""

from __future__ import annotations

from typing import Final

DEFAULT_HTTP_PORT: Final = 80
DEFAULT_HTTPS_PORT: Final = 443

# Timeouts, in seconds. Each network step has its own so that nothing can hang.
CONNECT_TIMEOUT: Final = 5.0
"""Opening a TCP (and TLS) connection to the device."""
REQUEST_TIMEOUT: Final = 10.0
"""A whole JSON or CGI request, from connect to the last byte of the answer."""
TRANSMIT_WRITE_TIMEOUT: Final = 5.0
"""One write of audio to the device; a device that stops reading is gone."""
TRANSMIT_ANSWER_MARGIN: Final = 4.0
"""The answer to transmit.cgi comes once the device has played the audio: it is due this
long after the audio sent should have ended (at real time from its first byte)."""
TRANSMIT_READ_TIMEOUT: Final = 5.0
"""Each read of the (small) body of the transmit.cgi answer."""
TRANSMIT_CLOSE_TIMEOUT: Final = 2.0
"""Waiting for the socket to close after the session ends."""

PATH_BASIC_DEVICE_INFO: Final = "/axis-cgi/basicdeviceinfo.cgi"
PATH_PARAM: Final = "/axis-cgi/param.cgi"
PATH_AUDIO_RELAY: Final = "/vapix/audiorelay"
PATH_TRANSMIT: Final = "/axis-cgi/audio/transmit.cgi"

BASIC_DEVICE_INFO_API_VERSION: Final = "1.0"
REQUEST_CONTEXT: Final = "talkback"
"""Echoed back by JSON CGIs; lets a capture show who asked."""

PARAM_GROUP_PROPERTIES: Final = "root.Properties"
PARAM_GROUP_BRAND: Final = "root.Brand"
PARAM_RELAY_API_VERSION: Final = "Properties.API.AudioRelay.Version"
PARAM_FRIENDLY_NAME: Final = "root.Network.Bonjour.FriendlyName"
"""The owner-settable name, also the zeroconf service name (UPnP has its own copy)."""

RELAY_NAMESPACE: Final = "axar"
RELAY_MIN_API_VERSION: Final = (1, 2)
RELAY_DEPRECATED_FROM_OS: Final = "10.12"

AUDIO_CONTENT_TYPE: Final = "audio/basic"
"""8 kHz mono G.711 µ-law, what transmit.cgi plays without conversion."""
AUDIO_SAMPLE_RATE: Final = 8000
AUDIO_BYTES_PER_SECOND: Final = AUDIO_SAMPLE_RATE
"""G.711 takes one byte per sample."""
TRANSMIT_DECLARED_LENGTH: Final = 9_999_999
"""Content-Length for a live stream of unknown length (Axis devices reject chunked bodies);
the end of the audio is signalled by closing the sending half of the connection."""
TRANSMIT_REAUTH_ATTEMPTS: Final = 2
"""A 401 in the middle of the audio (stale nonce) is answered on a new connection this often."""

PEER_ID_MAX_LENGTH: Final = 64
GAIN_MUTE: Final = "Mute"
MAC_FORM: Final = "00:00:00:00:00:00"
