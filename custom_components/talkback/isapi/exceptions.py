"""Errors of the ISAPI client: one base, one class per thing the user can do something about."""

from __future__ import annotations


class IsapiError(Exception):
    """Base of every ISAPI client error.

    `http_status` and the ResponseStatus fields are kept when the device sent them.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        status_code: int | None = None,
        sub_status_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.status_code = status_code
        self.sub_status_code = sub_status_code


class IsapiConnectionError(IsapiError):
    """The device is unreachable, the connection broke, or a step timed out."""


class IsapiTimeoutError(IsapiConnectionError):
    """One network step did not finish within its timeout."""


class IsapiAuthenticationError(IsapiError):
    """The device refused the credentials (or the user lacks the permission)."""


class IsapiBasicRefusedError(IsapiAuthenticationError):
    """The device offers only Basic authentication and the client may not use it.

    Over plain HTTP without `allow_basic_over_http`, or after Digest has worked with it.
    """


class IsapiBusyError(IsapiError):
    """The channel (or device) is in use by someone else; try again later."""


class IsapiNotSupportedError(IsapiError):
    """The device, or this channel's configuration, does not support the request."""


class IsapiInvalidIdError(IsapiError):
    """The device has no channel with that id."""


class IsapiDeviceError(IsapiError):
    """The device reported an internal error or refused the request's content."""


class IsapiResponseError(IsapiError):
    """The device answered with something malformed or unexpected."""


class IsapiTooManyChannelsError(IsapiResponseError):
    """The device lists more two-way audio channels than Talkback takes (`MAX_TALK_CHANNELS`)."""
