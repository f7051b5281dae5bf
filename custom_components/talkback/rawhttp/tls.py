"""TLS contexts for devices: verified by default, or trusting anything for self-signed devices."""

from __future__ import annotations

import asyncio
import ssl

type SslOption = ssl.SSLContext | bool | None
"""How a client is told to verify TLS: a context as given, False for self-signed devices,
None or True for the system's certificate store."""


def insecure_ssl_context() -> ssl.SSLContext:
    """A client context that accepts any certificate: for devices with self-signed ones.

    Cheap to build (no certificate store is loaded), so it is safe inside the event loop.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def verified_ssl_context() -> ssl.SSLContext:
    """The system's default verifying context, built off the event loop.

    Loading the certificate store reads files; doing it in the loop would block it.
    Applications that already own a context (Home Assistant does) should pass that instead.
    """
    return await asyncio.to_thread(ssl.create_default_context)


async def ssl_context_for(option: SslOption) -> ssl.SSLContext:
    """The context an `ssl_context` option of a client stands for."""
    if isinstance(option, ssl.SSLContext):
        return option
    if option is False:
        return insecure_ssl_context()
    return await verified_ssl_context()
