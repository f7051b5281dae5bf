"""What an Axis device tells anyone before sign-in, and what discovery makes of it.

AXIS OS 8.40 and later answer `getAllUnrestrictedProperties` of basicdeviceinfo.cgi without
credentials (the owner can turn that off): brand, product number, name and type, serial
number (= MAC) and firmware. That is enough to tell a speaker or an intercom from a plain
camera before asking the user for anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import ssl
from typing import Final, Self

import aiohttp

from .const import (
    BASIC_DEVICE_INFO_API_VERSION,
    CONNECT_TIMEOUT,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    PATH_BASIC_DEVICE_INFO,
    REQUEST_CONTEXT,
)
from .exceptions import (
    VapixAuthenticationError,
    VapixConnectionError,
    VapixNotSupportedError,
    VapixResponseError,
)

PROBE_TIMEOUT: Final = 5.0
"""The whole unauthenticated probe; discovery must not keep a flow waiting."""
MAX_PROBE_BYTES: Final = 64 * 1024
"""The answer is a few hundred bytes of JSON; anything larger is not an Axis device."""

AUDIO_PRODUCT_TYPES: Final = ("speaker", "intercom", "audio", "horn", "door station")
"""Words of `ProdType` that name a device made to play sound ("Network Speaker",
"Network Intercom", "Audio System Device", "Network Horn Speaker")."""
AUDIO_PRODUCT_PREFIXES: Final = ("C", "I", "A8", "D4")
"""Product number families with a loudspeaker: C audio (speakers, horns, mini speakers,
audio bridges), I intercoms, A8 door stations, D4 audio-visual alerters."""


@dataclass(frozen=True, slots=True)
class UnrestrictedInfo:
    """The properties an Axis device gives without credentials."""

    serial_number: str
    product_number: str
    product_short_name: str | None
    product_full_name: str | None
    product_type: str | None
    firmware_version: str | None

    @classmethod
    def from_json(cls, document: object) -> Self:
        """Read a basicdeviceinfo answer; VapixResponseError when it is not one."""
        data = document.get("data") if isinstance(document, dict) else None
        props = data.get("propertyList") if isinstance(data, dict) else None
        if not isinstance(props, dict):
            raise VapixResponseError("basicdeviceinfo answered without a propertyList")

        def text(key: str) -> str | None:
            value = props.get(key)
            return value.strip() or None if isinstance(value, str) else None

        serial = text("SerialNumber")
        if serial is None:
            raise VapixResponseError("basicdeviceinfo answered without a SerialNumber")
        return cls(
            serial_number=serial,
            product_number=text("ProdNbr") or "",
            product_short_name=text("ProdShortName"),
            product_full_name=text("ProdFullName"),
            product_type=text("ProdType"),
            firmware_version=text("Version"),
        )

    @property
    def plays_audio(self) -> bool:
        """Whether the model is made to play sound, judged from its type and number.

        Cameras with an audio output (a line out, a built-in speaker) cannot be told from
        other cameras without credentials: they are left to the user to add.
        """
        kind = (self.product_type or "").lower()
        if any(word in kind for word in AUDIO_PRODUCT_TYPES):
            return True
        return self.product_number.upper().startswith(AUDIO_PRODUCT_PREFIXES)

    @property
    def model(self) -> str:
        """The short product name ("AXIS C1410"), else the product number."""
        return self.product_short_name or self.product_number or "Axis device"


def owner_name(friendly_name: str | None, serial_number: str) -> str | None:
    """The name the owner gave the device, None for the factory default.

    Axis devices announce themselves (Bonjour, UPnP, `Network.Bonjour.FriendlyName`) as
    "AXIS M1065-LW - ACCC12345678" until the owner renames them.
    """
    name = (friendly_name or "").strip()
    if not name or name.upper().endswith(f" - {serial_number.upper()}"):
        return None
    return name


async def get_unrestricted_info(
    session: aiohttp.ClientSession,
    host: str,
    *,
    port: int | None = None,
    use_ssl: bool = False,
    ssl_context: ssl.SSLContext | bool | None = None,
) -> UnrestrictedInfo:
    """Ask the device who it is, without credentials.

    VapixAuthenticationError: the owner turned anonymous access off. VapixNotSupportedError:
    no basicdeviceinfo.cgi (firmware before 8.40, or not an Axis device).
    """
    if port is None:
        port = DEFAULT_HTTPS_PORT if use_ssl else DEFAULT_HTTP_PORT
    literal = f"[{host}]" if ":" in host else host
    url = f"{'https' if use_ssl else 'http'}://{literal}:{port}{PATH_BASIC_DEVICE_INFO}"
    request = {
        "apiVersion": BASIC_DEVICE_INFO_API_VERSION,
        "context": REQUEST_CONTEXT,
        "method": "getAllUnrestrictedProperties",
    }
    try:
        async with (
            asyncio.timeout(PROBE_TIMEOUT),
            session.post(
                url,
                json=request,
                ssl=ssl_context if use_ssl and ssl_context is not None else True,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(connect=CONNECT_TIMEOUT),
            ) as response,
        ):
            body = bytearray()
            async for chunk in response.content.iter_chunked(16 * 1024):
                body += chunk
                if len(body) > MAX_PROBE_BYTES:
                    break
            status = response.status
    except TimeoutError as err:
        raise VapixConnectionError(
            f"{host}:{port} did not answer within {PROBE_TIMEOUT:g} s"
        ) from err
    except (aiohttp.ClientError, OSError) as err:
        raise VapixConnectionError(
            f"Cannot reach {host}:{port} ({err.__class__.__name__})"
        ) from err
    if status in (401, 403):
        raise VapixAuthenticationError(f"{host} does not answer basicdeviceinfo anonymously")
    if status == 404:
        raise VapixNotSupportedError(f"{host} has no basicdeviceinfo.cgi")
    if status != 200 or len(body) > MAX_PROBE_BYTES:
        raise VapixResponseError(f"{host} answered basicdeviceinfo with HTTP {status}")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise VapixResponseError(f"{host} answered basicdeviceinfo with no JSON") from err
    if isinstance(document, dict) and "error" in document:
        raise VapixNotSupportedError(f"{host} refused getAllUnrestrictedProperties")
    return UnrestrictedInfo.from_json(document)
