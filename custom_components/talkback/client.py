"""Protocol clients built from a config entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.ssl import get_default_context, get_default_no_verify_context

from .isapi.client import IsapiClient


def create_isapi_client(hass: HomeAssistant, data: Mapping[str, Any]) -> IsapiClient:
    """An ISAPI client for the device described by config entry data.

    The TLS contexts come from Home Assistant's cache: building one in the event loop
    reads certificates from disk.
    """
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    use_ssl = bool(data.get(CONF_SSL, False))
    return IsapiClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        data[CONF_HOST],
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        port=data.get(CONF_PORT),
        use_ssl=use_ssl,
        ssl_context=(get_default_context() if verify_ssl else get_default_no_verify_context())
        if use_ssl
        else None,
    )
