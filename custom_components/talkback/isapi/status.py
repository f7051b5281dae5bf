"""From a refused request (HTTP status, ResponseStatus) to the error the user can act on."""

from __future__ import annotations

from ..rawhttp import (
    RawHttpAuthenticationError,
    RawHttpBasicRefusedError,
    RawHttpConnectionError,
    RawHttpError,
    RawHttpTimeoutError,
    quote_device_text,
)
from .exceptions import (
    IsapiAuthenticationError,
    IsapiBasicRefusedError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiDeviceError,
    IsapiError,
    IsapiInvalidIdError,
    IsapiNotSupportedError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from .models import ResponseStatus

STATUS_DEVICE_BUSY = 2
STATUS_DEVICE_ERROR = 3
STATUS_INVALID_XML_FORMAT = 5
STATUS_INVALID_XML_CONTENT = 6
STATUS_REBOOT_REQUIRED = 7

_NOT_SUPPORTED = frozenset({"notsupport", "notsupported", "methodnotallowed"})
_BAD_CONTENT = frozenset({"badxmlcontent", "badxmlformat", "badparameters", "badjsoncontent"})


def _detail(status: ResponseStatus | None, http_status: int | None) -> str:
    if status is None:
        return f"HTTP {http_status}"
    words = [status.status_string or f"statusCode {status.status_code}"]
    if status.sub_status_code:
        words.append(f"({status.sub_status_code})")
    if status.description:
        words.append(f"- {status.description}")
    return quote_device_text(" ".join(words))


def error_for(
    http_status: int | None,
    status: ResponseStatus | None,
    *,
    action: str,
    open_means_busy: bool = False,
) -> IsapiError:
    """The typed error for a refusal while doing `action` ("opening two-way audio on ...").

    `open_means_busy`: on `open`, "invalid operation" means the channel is already open,
    which (as we always close first) means someone else holds it.
    """
    sub = (status.sub_status_code or "") if status else ""
    kind, advice = _classify(http_status, status, sub.lower(), open_means_busy=open_means_busy)
    return kind(
        advice.format(action=action, detail=_detail(status, http_status)),
        http_status=http_status,
        status_code=status.status_code if status else None,
        sub_status_code=sub or None,
    )


def _classify(
    http_status: int | None, status: ResponseStatus | None, key: str, *, open_means_busy: bool
) -> tuple[type[IsapiError], str]:
    """The error class and message template ({action}, {detail}) for a refusal."""
    code = status.status_code if status else None
    if http_status == 401 or key == "unauthorized":
        return (
            IsapiAuthenticationError,
            "The device refused the user name or password while {action}; check them",
        )
    if key == "lowprivilege":
        return (
            IsapiAuthenticationError,
            (
                "The user may not do this ({action}: {detail}); use an account with two-way "
                "audio rights (or an administrator)"
            ),
        )
    if code == STATUS_DEVICE_BUSY or "busy" in key or (http_status == 503 and status is None):
        return (
            IsapiBusyError,
            (
                "The device is busy ({action}: {detail}); another client (an intercom call or "
                "another app) is using it. Try again later"
            ),
        )
    if open_means_busy and key == "invalidoperation":
        return (
            IsapiBusyError,
            (
                "Two-way audio is already open on this channel ({action}: {detail}); another "
                "client is using it. Try again later"
            ),
        )
    if key == "invalidsessionid":
        return (
            IsapiDeviceError,
            (
                "The device no longer knows the talk session ({action}: {detail}); it may have "
                "closed it. Try again"
            ),
        )
    if key.startswith("invalid") and key.endswith("id"):  # invalidID, invalidChannelID
        return (
            IsapiInvalidIdError,
            (
                "The device has no such channel ({action}: {detail}); reload the device to "
                "read its channels again"
            ),
        )
    if key in _NOT_SUPPORTED or (status is None and http_status in (404, 405, 501)):
        return (
            IsapiNotSupportedError,
            (
                "The device does not support this ({action}: {detail}); it may have no "
                "two-way audio, or need a firmware update"
            ),
        )
    if code in (STATUS_INVALID_XML_FORMAT, STATUS_INVALID_XML_CONTENT) or key in _BAD_CONTENT:
        return (
            IsapiDeviceError,
            (
                "The device refused the values sent ({action}: {detail}); choose values the "
                "device offers"
            ),
        )
    if status is not None or (http_status is not None and http_status >= 500):
        return (
            IsapiDeviceError,
            (
                "The device reported an error ({action}: {detail}); try again, or restart the "
                "device if this persists"
            ),
        )
    return (
        IsapiResponseError,
        (
            "The device answered {detail} without an ISAPI status while {action}; check that "
            "the address and port point at the device's web server"
        ),
    )


def error_for_body(
    http_status: int, body: bytes, *, action: str, open_means_busy: bool = False
) -> IsapiError:
    """As `error_for`, reading the ResponseStatus (if any) from a body; HTML pages are fine."""
    return error_for(
        http_status,
        ResponseStatus.from_bytes(body),
        action=action,
        open_means_busy=open_means_busy,
    )


def error_for_raw(err: RawHttpError, *, action: str) -> IsapiError:
    """The ISAPI error for a failure of the raw talk socket (rawhttp)."""
    message = f"{err} (while {action})"
    if isinstance(err, RawHttpTimeoutError):
        return IsapiTimeoutError(message)
    if isinstance(err, RawHttpConnectionError):
        return IsapiConnectionError(message)
    if isinstance(err, RawHttpBasicRefusedError):
        return IsapiBasicRefusedError(message)
    if isinstance(err, RawHttpAuthenticationError):
        return IsapiAuthenticationError(message)
    return IsapiResponseError(message)
