"""Limits and timeouts of the simulator core; every network wait has one of these."""

from typing import Final

LISTEN_HOST: Final = "127.0.0.1"

# Request head limits: a real embedded web server has small buffers, so do we.
MAX_HEADER_BYTES: Final = 16 * 1024
MAX_HEADER_COUNT: Final = 64
MAX_BODY_BYTES: Final = 1024 * 1024
READ_CHUNK_BYTES: Final = 4096
# A device's socket receive buffer: an embedded device's, not loopback's autotuned
# megabytes, so that a device that stops reading is hidden by as much as on a LAN.
RECEIVE_BUFFER_BYTES: Final = 64 * 1024

# Seconds.
HEAD_READ_TIMEOUT: Final = 10.0  # first request on a new connection
KEEPALIVE_TIMEOUT: Final = 30.0  # idle keep-alive connection between requests
BODY_READ_TIMEOUT: Final = 30.0  # silence inside a declared (Content-Length or chunked) body
WRITE_TIMEOUT: Final = 10.0  # draining one response write to a slow reader
SHUTDOWN_TIMEOUT: Final = 5.0  # connections still busy after close() are cancelled

NONCE_LIFETIME: Final = 60.0  # seconds a Digest nonce stays fresh
NONCE_BYTES: Final = 16
MAX_NONCES: Final = 1024  # oldest nonces are forgotten beyond this

REQUEST_LOG_SIZE: Final = 2000
GAP_THRESHOLD: Final = 0.1  # seconds between two audio arrivals counted as a gap

CONTROL_PREFIX: Final = "/simulator/"
