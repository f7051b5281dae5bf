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
    IsapiBasicRefusedError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiNotSupportedError,
)
from .vapix.exceptions import (
    VapixAuthenticationError,
    VapixBasicRefusedError,
    VapixBusyError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
    VapixValidationError,
)

type DeviceError = IsapiError | VapixError
DEVICE_ERRORS = (IsapiError, VapixError)

_TRANSLATION_KEYS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    # Before authentication: new credentials would not help, the device's settings would.
    ((IsapiBasicRefusedError, VapixBasicRefusedError), "basic_refused"),
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
    """Whether the device refused the credentials (a reason to ask for new ones).

    Basic refused by the policy is not: the credentials were never sent.
    """
    return isinstance(err, IsapiAuthenticationError | VapixAuthenticationError) and not isinstance(
        err, IsapiBasicRefusedError | VapixBasicRefusedError
    )


def _translated[E: HomeAssistantError](kind: type[E], key: str, reason: object) -> E:
    """An error of `kind` explained by a translation with the reason as `{error}`."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(reason) or type(reason).__name__},
    )


def device_error(err: DeviceError) -> HomeAssistantError:
    """A translated HomeAssistantError for an action that failed on the device.

    A request the client refused before sending is the caller's mistake: a validation error.
    """
    kind = ServiceValidationError if isinstance(err, VapixValidationError) else HomeAssistantError
    return _translated(kind, translation_key_for(err), err)


def media_unreadable(err: Exception) -> HomeAssistantError:
    """The media could not be read or decoded (TTS failure, ffmpeg's reason)."""
    return _translated(HomeAssistantError, "media_unreadable", err)


@contextmanager
def device_errors_translated() -> Iterator[None]:
    """Let device errors of an action reach the caller translated."""
    try:
        yield
    except DEVICE_ERRORS as err:
        raise device_error(err) from err


def _refused_or[E: HomeAssistantError](
    kind: type[E], err: DeviceError
) -> ConfigEntryAuthFailed | E:
    """Refused credentials ask for new ones (reauth); anything else becomes `kind`."""
    if is_authentication_error(err):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    return _translated(kind, translation_key_for(err), err)


def update_failed(err: DeviceError) -> ConfigEntryAuthFailed | UpdateFailed:
    """What a coordinator raises: auth asks for new credentials, the rest retries later."""
    return _refused_or(UpdateFailed, err)


def not_ready(err: DeviceError) -> ConfigEntryNotReady:
    """What setting up an entry raises when the device cannot be read now (retried later)."""
    return _translated(ConfigEntryNotReady, translation_key_for(err), err)
