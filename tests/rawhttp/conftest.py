"""Fixtures for rawhttp tests: loopback sockets allowed, a scripted peer per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import ssl

import pytest

from custom_components.talkback.rawhttp import Origin

from .scripted import Script, ScriptedServer, ServeFactory


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """rawhttp is tested over real 127.0.0.1 sockets."""


@pytest.fixture
def serve() -> ServeFactory:
    """`async with serve(script) as (server, origin)` runs a scripted server for a block."""

    @asynccontextmanager
    async def run(
        script: Script,
        tls: ssl.SSLContext | None = None,
        client_tls: ssl.SSLContext | None = None,
    ) -> AsyncIterator[tuple[ScriptedServer, Origin]]:
        server = ScriptedServer(script, tls)
        await server.start()
        try:
            yield server, Origin("127.0.0.1", server.port, client_tls)
        finally:
            await server.close()
        assert server.errors == []

    return run
