"""Value types of the raw HTTP streaming package: where to connect, how long to wait, what came back."""

from __future__ import annotations

from dataclasses import dataclass, field
import ipaddress
import ssl

from .const import (
    CLOSE_TIMEOUT,
    CONNECT_TIMEOUT,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    READ_TIMEOUT,
    RESPONSE_TIMEOUT,
    STALL_TIMEOUT,
    WRITE_TIMEOUT,
)


def is_ipv6_literal(host: str) -> bool:
    """Return whether `host` (without brackets) is an IPv6 address, zone id allowed."""
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Origin:
    """Scheme, host and port of a device; https when an SSL context is given.

    `host` is a name, an IPv4 address or an IPv6 address with or without brackets.
    """

    host: str
    port: int | None = None
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        host = self.host.strip()
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not host or any(char in host for char in "/?#@ \r\n\t"):
            raise ValueError(f"Not a host name or address: {self.host!r}")
        if self.port is not None and not 0 < self.port < 65536:
            raise ValueError(f"Not a TCP port: {self.port}")
        object.__setattr__(self, "host", host)

    @property
    def scheme(self) -> str:
        """`https` or `http`."""
        return "https" if self.ssl_context is not None else "http"

    @property
    def effective_port(self) -> int:
        """The TCP port to connect to."""
        if self.port is not None:
            return self.port
        return DEFAULT_HTTPS_PORT if self.ssl_context is not None else DEFAULT_HTTP_PORT

    @property
    def authority(self) -> str:
        """The Host header value: IPv6 literals in brackets, the port only when not default."""
        host = self.host
        if is_ipv6_literal(host):
            # A zone id's "%" must be percent-encoded inside a URI (RFC 6874).
            host = f"[{host.replace('%', '%25')}]"
        default = DEFAULT_HTTPS_PORT if self.ssl_context is not None else DEFAULT_HTTP_PORT
        if self.effective_port == default:
            return host
        return f"{host}:{self.effective_port}"

    def url(self, target: str = "/") -> str:
        """An absolute URL for a request-target (path and query)."""
        return f"{self.scheme}://{self.authority}{target}"


@dataclass(frozen=True, slots=True)
class RawTimeouts:
    """Seconds allowed for each network step; the defaults are the named constants."""

    connect: float = CONNECT_TIMEOUT
    write: float = WRITE_TIMEOUT
    response: float = RESPONSE_TIMEOUT
    read: float = READ_TIMEOUT
    close: float = CLOSE_TIMEOUT
    stall: float = STALL_TIMEOUT


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A complete HTTP response: status, header fields in order, and the (bounded) body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header field, case-insensitively, or None."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of a header field, in order."""
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ("" when absent)."""
        value = self.header("Content-Type") or ""
        return value.split(";", 1)[0].strip().lower()
