"""Defaults of the raw HTTP streaming package: every wait and every size limit has a name."""

from typing import Final

# Seconds.
CONNECT_TIMEOUT: Final = 10.0  # TCP connect plus the TLS handshake
WRITE_TIMEOUT: Final = 10.0  # draining one write to a peer that stopped reading
RESPONSE_TIMEOUT: Final = 10.0  # the response head, once the request (or its body) is complete
READ_TIMEOUT: Final = 10.0  # each read of a response body
CLOSE_TIMEOUT: Final = 2.0  # waiting for the transport to close after we closed it
STALL_TIMEOUT: Final = 3.0  # a streamed body with nothing acknowledged by the device this long

# Bytes.
MAX_HEAD_BYTES: Final = 16 * 1024  # status line plus header fields of a response
MAX_HEADER_COUNT: Final = 100
# What a streamed body may hold in the transport before a write waits (asyncio's default,
# 64 KiB, is 8 s of G.711 that a device that stopped reading would never take).
STREAM_WRITE_BUFFER_BYTES: Final = 4096
MAX_BODY_BYTES: Final = 1024 * 1024  # a response body read into memory (devices send XML/JSON)

# Characters of device-supplied text quoted in an error message.
MAX_QUOTED_CHARS: Final = 200

DEFAULT_HTTP_PORT: Final = 80
DEFAULT_HTTPS_PORT: Final = 443
