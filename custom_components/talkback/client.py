"""Protocol clients built from a config entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
import ssl
from typing import Any

import aiohttp
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.ssl import get_default_context, get_default_no_verify_context

from .const import CONF_ALLOW_BASIC_OVER_HTTP, DOMAIN, LOGGER
from .errors import DEVICE_ERRORS, is_authentication_error, not_ready
from .isapi.client import IsapiClient
from .vapix.client import VapixClient


def _connection(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, Any]:
    """Session, address, credentials and TLS context, as both clients take them.

    The TLS contexts come from Home Assistant's cache: building one in the event loop
    reads certificates from disk.
    """
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    use_ssl = bool(data.get(CONF_SSL, False))
    session: aiohttp.ClientSession = async_get_clientsession(hass, verify_ssl=verify_ssl)
    context: ssl.SSLContext | None = (
        (get_default_context() if verify_ssl else get_default_no_verify_context())
        if use_ssl
        else None
    )
    return {
        "session": session,
        "host": data[CONF_HOST],
        "username": data[CONF_USERNAME],
        "password": data[CONF_PASSWORD],
        "port": data.get(CONF_PORT),
        "use_ssl": use_ssl,
        "ssl_context": context,
        "allow_basic_over_http": bool(data.get(CONF_ALLOW_BASIC_OVER_HTTP, True)),
    }


def create_isapi_client(hass: HomeAssistant, data: Mapping[str, Any]) -> IsapiClient:
    """An ISAPI client for the Hikvision device described by config entry data."""
    return IsapiClient(**_connection(hass, data))


def create_vapix_client(hass: HomeAssistant, data: Mapping[str, Any]) -> VapixClient:
    """A VAPIX client for the Axis device described by config entry data."""
    return VapixClient(**_connection(hass, data))


async def read_device[T](reading: Coroutine[Any, Any, T]) -> T:
    """The device's identity at setup; a failure says whether to sign in again or retry later."""
    try:
        return await reading
    except DEVICE_ERRORS as err:
        if is_authentication_error(err):  # refused credentials: ask for new ones
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        raise not_ready(err) from err


def warn_if_basic_over_http(data: Mapping[str, Any], name: str, *, basic_worked: bool) -> None:
    """Say once at setup that an entry from before the option sends its password readable.

    Such entries keep working (no regression); an entry whose data holds the option was
    decided by its user and needs no warning.
    """
    if basic_worked and CONF_ALLOW_BASIC_OVER_HTTP not in data and not data.get(CONF_SSL):
        LOGGER.warning(
            "%s (%s) accepts only Basic authentication: its password goes over plain HTTP "
            "readable on the network. Turn on Digest authentication on the device or use "
            "HTTPS, then reconfigure the entry; reconfiguring also lets you forbid or "
            "explicitly allow Basic over HTTP",
            name,
            data[CONF_HOST],
        )
