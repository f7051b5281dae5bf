"""Errors raised by the VAPIX client; every failure is one of these."""

from __future__ import annotations


class VapixError(Exception):
    """Base class of every error the VAPIX client raises."""


class VapixConnectionError(VapixError):
    """The device cannot be reached, or the connection broke."""


class VapixTimeoutError(VapixConnectionError):
    """The device did not answer in time."""


class VapixAuthenticationError(VapixError):
    """The device rejected the username or password."""


class VapixBasicRefusedError(VapixAuthenticationError):
    """The device offers only Basic and the client may not use it (plain HTTP, or Digest worked)."""


class VapixNotSupportedError(VapixError):
    """The device lacks what was asked for (relay API missing or too old, no audio output)."""


class VapixValidationError(VapixError, ValueError):
    """A request was refused before it was sent, because the device would reject it."""


class VapixResponseError(VapixError):
    """The device answered something that cannot be understood."""


class VapixBusyError(VapixError):
    """The audio output is in use by another client; try again later."""


class VapixCommandError(VapixError):
    """The device refused a command and said why (error envelope or SOAP-style fault).

    `code` is the device's code as a string ("2000", "ter:InvalidArgVal"); `fault` is the
    SOAP fault class ("env:Sender") and `subcode` the most specific code, when given.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        fault: str | None = None,
        subcode: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Keep the device's codes next to a message for the user."""
        super().__init__(message)
        self.code = code
        self.fault = fault
        self.subcode = subcode
        self.reason = reason
