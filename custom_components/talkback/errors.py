"""One place that turns protocol errors into Home Assistant's translated errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiNotSupportedError,
)
from .vapix.exceptions import (
    VapixAuthenticationError,
    VapixBusyError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
    VapixValidationError,
)

type DeviceError = IsapiError | VapixError
DEVICE_ERRORS = (IsapiError, VapixError)

_TRANSLATION_KEYS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((IsapiAuthenticationError, VapixAuthenticationError), "invalid_auth"),
    ((IsapiConnectionError, VapixConnectionError), "cannot_connect"),
    ((IsapiBusyError, VapixBusyError), "channel_busy"),
    ((IsapiNotSupportedError, VapixNotSupportedError), "not_supported"),
    ((VapixValidationError,), "invalid_request"),
)


def translation_key_for(err: DeviceError) -> str:
    """Return the `exceptions` translation key that explains an error to the user."""
    for kinds, key in _TRANSLATION_KEYS:
        if isinstance(err, kinds):
            return key
    return "device_error"


def is_authentication_error(err: DeviceError) -> bool:
    """Whether the device refused the credentials (a reason to ask for new ones)."""
    return isinstance(err, IsapiAuthenticationError | VapixAuthenticationError)


def device_error(err: DeviceError) -> HomeAssistantError:
    """A translated HomeAssistantError for an action that failed on the device.

    A request the client refused before sending is the caller's mistake: a validation error.
    """
    kind = ServiceValidationError if isinstance(err, VapixValidationError) else HomeAssistantError
    return kind(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders={"error": str(err)},
    )


@contextmanager
def device_errors_translated() -> Iterator[None]:
    """Let device errors of an action reach the caller translated."""
    try:
        yield
    except DEVICE_ERRORS as err:
        raise device_error(err) from err


def update_failed(err: DeviceError) -> ConfigEntryAuthFailed | UpdateFailed:
    """What a coordinator raises: auth asks for new credentials, the rest retries later."""
    if is_authentication_error(err):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders={"error": str(err)},
    )


def setup_failed(err: DeviceError) -> ConfigEntryAuthFailed | ConfigEntryNotReady:
    """What setting up an entry raises when the device cannot be read."""
    if is_authentication_error(err):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders={"error": str(err)},
    )
