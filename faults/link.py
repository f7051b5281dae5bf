"""A TCP relay in front of a simulated device that can trickle the device's answers.

The simulators delay an answer but never slow it down; a slow link (or a slowloris device)
sends it byte by byte. The relay passes the client's bytes on at once, keeps half-closes
(the ISAPI talk socket ends its audio with one), and aborts both sides on a reset.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self

LISTEN_HOST = "127.0.0.1"
CHUNK = 4096


class SlowLink:
    """Relays 127.0.0.1:`port` to the device's port; `delay` > 0: seconds between answer bytes."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.delay = 0.0
        self._server: asyncio.Server | None = None
        self._relays: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """Where clients connect."""
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, LISTEN_HOST, 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for relay in list(self._relays):
            relay.cancel()
        await asyncio.gather(*self._relays, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        relay = asyncio.current_task()
        assert relay is not None
        self._relays.add(relay)
        try:
            await self._relay(reader, writer)
        finally:
            self._relays.discard(relay)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(LISTEN_HOST, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer, slow=False),
                self._pipe(up_reader, writer, slow=True),
                return_exceptions=True,
            )
        finally:
            # A reset on one side is a reset on the other; otherwise both ended already.
            writer.transport.abort()
            up_writer.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, slow: bool
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if slow and self.delay:
                    for index in range(len(data)):
                        writer.write(data[index : index + 1])
                        await writer.drain()
                        await asyncio.sleep(self.delay)
                else:
                    writer.write(data)
                    await writer.drain()
        except OSError:
            writer.transport.abort()
            raise
        if writer.can_write_eof() and not writer.transport.is_closing():
            with contextlib.suppress(OSError):
                writer.write_eof()
