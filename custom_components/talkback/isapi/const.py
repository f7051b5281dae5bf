"""ISAPI paths, limits and every timeout of the client (seconds)."""

from typing import Final

# Paths.
PATH_DEVICE_INFO: Final = "/ISAPI/System/deviceInfo"
PATH_NETWORK_INTERFACES: Final = "/ISAPI/System/Network/interfaces"
PATH_TWO_WAY_AUDIO: Final = "/ISAPI/System/TwoWayAudio/channels"

# Timeouts of ordinary requests (connect + answer), per step.
REQUEST_TIMEOUT: Final = 10.0  # deviceInfo, channel list, channel settings, capabilities
CONNECT_TIMEOUT: Final = 5.0  # TCP (and TLS) connect of every request and of the talk socket
OPEN_TIMEOUT: Final = 5.0  # PUT .../open: a held channel must fail fast, never hang
CLOSE_TIMEOUT: Final = 5.0  # PUT .../close, also run while cancelling a talk
# The talk socket.
TALK_WRITE_TIMEOUT: Final = 5.0  # one audio write while the camera does not read
TALK_RESPONSE_TIMEOUT: Final = 5.0  # the camera's answer after the audio ended
TALK_SOCKET_CLOSE_TIMEOUT: Final = 2.0  # the talk socket closing
# The receive stream (GET audioData).
RECEIVE_HEAD_TIMEOUT: Final = 10.0  # the response head of GET audioData
RECEIVE_READ_TIMEOUT: Final = 5.0  # silence between two pieces of received audio

TALK_STALL_TIMEOUT: Final = 3.0  # the camera acknowledged none of the audio for this long

# A 401 on the talk socket (the nonce went stale) re-authenticates and goes on with the
# next frame on a new socket, at most this many times per talk.
TALK_AUTH_ATTEMPTS: Final = 3

# More two-way audio channels than any real device has (NVRs: 32 at most) is not a device
# answering; each channel costs entities and requests.
MAX_TALK_CHANNELS: Final = 64

# Bytes.
MAX_XML_BYTES: Final = 256 * 1024  # an ISAPI document; real ones are a few kilobytes
RECEIVE_CHUNK_BYTES: Final = 1024

CONTENT_TYPE_XML: Final = "application/xml"
CONTENT_TYPE_TALK: Final = "application/octet-stream"
CONTENT_TYPE_RECEIVE: Final = "audio/basic"
