"""A loopback TCP server that runs one scripted coroutine per connection.

rawhttp must be tested against a peer that can misbehave on cue (answer early, hang up,
stop reading, speak garbage), which no real HTTP server does on purpose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
import ssl

from custom_components.talkback.rawhttp import Origin


@dataclass
class Peer:
    """One accepted connection, as seen by the script."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    heads: list[dict[str, str]] = field(default_factory=list)

    async def read_head(self) -> dict[str, str]:
        """Read a request head; keys are lower-case names, plus ':line' for the request line."""
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode().split("\r\n")
        head = {":line": lines[0]}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                head[name.strip().lower()] = value.strip()
        self.heads.append(head)
        return head

    async def read_to_eof(self) -> bytes:
        """Everything the client writes until it half-closes."""
        return await self.reader.read()

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


type Script = Callable[[Peer], Awaitable[None]]


def response(status: int, body: bytes = b"", *headers: str, reason: str = "X") -> bytes:
    """A response with Content-Length and the given extra header lines."""
    lines = [f"HTTP/1.1 {status} {reason}", *headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class ScriptedServer:
    """Serve `script` on 127.0.0.1; record what every connection's script saw."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self._tls = tls
        self.peers: list[Peer] = []
        self.errors: list[BaseException] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer = Peer(reader, writer)
        self.peers.append(peer)
        try:
            await self.script(peer)
        except ConnectionError, asyncio.IncompleteReadError, ssl.SSLError:
            pass
        except Exception as err:  # noqa: BLE001 - surfaced by the test through `errors`
            self.errors.append(err)
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await writer.wait_closed()

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


type ServeFactory = Callable[..., AbstractAsyncContextManager[tuple[ScriptedServer, Origin]]]
"""The `serve` fixture: `async with serve(script) as (server, origin)`."""
