"""How much of a streamed body the device has taken, from the kernel's TCP counters.

A device that stops reading is hidden by socket buffers: writes keep succeeding until the
sender's and the receiver's buffers are full, which on a LAN is many seconds of G.711. The
kernel knows better: `TCP_INFO.tcpi_bytes_acked` grows only while the peer takes data.
A stream whose acknowledged byte count stands still for `stall` seconds while data is
waiting has a device that stopped reading, whatever our buffer sizes; the device's own
receive buffer can still hide up to its size (the end-of-audio answer covers that).

Linux only (TCP_INFO layout, SIOCOUTQ); elsewhere `AckWatch.available` is False and
only the write and response timeouts bound a stuck device.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
import time
from typing import Protocol

if sys.platform != "win32":
    import fcntl
    import termios

# struct tcp_info (linux/tcp.h): 8 one-byte fields, 24 u32 fields (to tcpi_total_retrans),
# then u64 tcpi_pacing_rate, tcpi_max_pacing_rate, tcpi_bytes_acked (Linux 4.1+).
_BYTES_ACKED = struct.Struct("=Q")
_BYTES_ACKED_OFFSET = 120
_TCP_INFO_SIZE = 256
CHECK_INTERVAL = 0.2
"""Seconds between two readings of the counters by `stalled()`; a stall is seen this late."""
_QUEUED = struct.Struct("=i")  # SIOCOUTQ (= TIOCOUTQ): bytes sent or queued, not acknowledged


class _SocketOptions(Protocol):
    def getsockopt(self, level: int, option: int, buflen: int, /) -> bytes: ...
    def fileno(self) -> int: ...


def _tcp_info(sock: _SocketOptions) -> bytes | None:
    option = getattr(socket, "TCP_INFO", None)
    if option is None or not sys.platform.startswith("linux"):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, option, _TCP_INFO_SIZE)
    except OSError:
        return None
    return info if len(info) >= _BYTES_ACKED_OFFSET + _BYTES_ACKED.size else None


class AckWatch:
    """Watches one connection's acknowledged bytes; see the module docstring."""

    def __init__(self, writer: asyncio.StreamWriter, stall: float) -> None:
        # asyncio's TransportSocket (plain and TLS transports alike) answers getsockopt.
        self._socket: _SocketOptions | None = writer.get_extra_info("socket")
        self._writer = writer
        self.stall = stall
        self.available = self._counters() is not None
        self._acked = 0
        self._since = time.monotonic()
        self._checked = 0.0  # when the counters were last read

    def _counters(self) -> tuple[int, int] | None:
        """(bytes acknowledged, bytes not yet acknowledged), or None when the kernel won't say."""
        if self._socket is None:
            return None
        info = _tcp_info(self._socket)
        if info is None:
            return None
        (acked,) = _BYTES_ACKED.unpack_from(info, _BYTES_ACKED_OFFSET)
        if sys.platform == "win32":
            return None
        queued = bytearray(_QUEUED.size)
        try:
            fcntl.ioctl(self._socket.fileno(), termios.TIOCOUTQ, queued)
        except OSError:
            return None
        (waiting,) = _QUEUED.unpack(queued)
        return acked, waiting

    def waiting(self) -> bool:
        """Whether data is waiting for the device: in the transport or not yet acknowledged."""
        counters = self._counters()
        queued = counters is not None and counters[1] > 0
        return queued or self._writer.transport.get_write_buffer_size() > 0

    def stalled(self) -> bool:
        """True when data has waited `stall` seconds without any of it being acknowledged.

        Called on every audio write; the kernel is asked at most every `CHECK_INTERVAL`
        (two system calls each time), which is all a bound of seconds needs.
        """
        now = time.monotonic()
        if now - self._checked < CHECK_INTERVAL:
            return False
        self._checked = now
        counters = self._counters()
        if counters is None:
            return False
        acked, queued = counters
        if acked != self._acked or (
            queued == 0 and self._writer.transport.get_write_buffer_size() == 0
        ):
            self._acked = acked
            self._since = now
            return False
        return now - self._since >= self.stall
