"""One place that turns protocol errors into Home Assistant's translated errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiNotSupportedError,
)


def translation_key_for(err: IsapiError) -> str:
    """Return the `exceptions` translation key that explains an error to the user."""
    if isinstance(err, IsapiAuthenticationError):
        return "invalid_auth"
    if isinstance(err, IsapiConnectionError):
        return "cannot_connect"
    if isinstance(err, IsapiBusyError):
        return "channel_busy"
    if isinstance(err, IsapiNotSupportedError):
        return "not_supported"
    return "device_error"


def device_error(err: IsapiError) -> HomeAssistantError:
    """A translated HomeAssistantError for an action that failed on the device."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders={"error": str(err)},
    )


@contextmanager
def device_errors_translated() -> Iterator[None]:
    """Let device errors of an action reach the caller translated."""
    try:
        yield
    except IsapiError as err:
        raise device_error(err) from err
