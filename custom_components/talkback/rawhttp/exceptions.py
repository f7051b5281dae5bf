"""Errors of the raw HTTP streaming package; protocol clients map them to their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quoting import quote_device_text

if TYPE_CHECKING:
    from .models import RawResponse


class RawHttpError(Exception):
    """Base of every error raised by rawhttp."""


class RawHttpConnectionError(RawHttpError):
    """The device could not be reached, or the connection broke."""


class RawHttpTimeoutError(RawHttpConnectionError):
    """One network step did not finish within its timeout."""


class RawHttpCutOffError(RawHttpConnectionError):
    """The connection ended inside the response: the device started answering, then broke off.

    A broken connection (try again), not a malformed answer: what arrived is well-formed.
    """


class RawHttpResponseError(RawHttpError):
    """The device sent something that is not a well-formed, bounded HTTP response."""


class RawHttpBodyTooLargeError(RawHttpResponseError):
    """The device sent a body larger than the caller's limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The device sent more than {limit} bytes")
        self.limit = limit


class RawHttpAuthenticationError(RawHttpError):
    """The device asked for authentication this package cannot provide."""


class RawHttpBasicRefusedError(RawHttpAuthenticationError):
    """The device offers only Basic and the policy forbids it (plain HTTP, or Digest worked)."""


class RawHttpUnansweredError(RawHttpTimeoutError):
    """The body ended and the device did not answer in time (`RawStream.finish`)."""


class RawHttpStalledError(RawHttpTimeoutError):
    """The device stopped taking the request body: nothing was acknowledged for too long."""


class RawHttpEarlyResponseError(RawHttpError):
    """The device answered before the request body was complete (e.g. 401, 403, 503).

    The response is attached; the stream is finished and can only be closed.
    """

    def __init__(self, response: RawResponse) -> None:
        super().__init__(
            f"The device answered {response.status} {quote_device_text(response.reason)} "
            "before the body was complete"
        )
        self.response = response
