"""Turn a device's error answer into one typed error.

Axis devices report failures three ways: the JSON-CGI envelope
(`{"error": {"code": "2000", "message": ...}}`, codes are strings), the JSON form of a
SOAP fault used by the `/vapix/...` services (`{"Fault": "env:Sender", "FaultCode":
"ter:InvalidArgVal", "FaultReason": ...}`), and a plain SOAP 1.2 `<env:Fault>` in XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import json
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .exceptions import (
    VapixAuthenticationError,
    VapixBusyError,
    VapixCommandError,
    VapixError,
    VapixNotSupportedError,
    VapixResponseError,
)

_NOT_AUTHORIZED = frozenset({"ter:NotAuthorized", "NotAuthorized"})
_NOT_SUPPORTED = frozenset(
    {"ter:ActionNotSupported", "ter:UnknownAction", "ActionNotSupported", "UnknownAction"}
)
_MAX_TEXT = 200
"""Device text quoted in an error is cut, so a huge body cannot flood a log."""


@dataclass(frozen=True, slots=True)
class DeviceFault:
    """What the device said went wrong."""

    code: str
    message: str | None = None
    fault: str | None = None
    subcode: str | None = None

    def to_error(self, what: str) -> VapixError:
        """The typed error for this fault; `what` names the request, e.g. "GetAudioPeers"."""
        codes = {self.code, self.fault, self.subcode}
        detail = f"{self.message} " if self.message else ""
        shown = "/".join(c for c in (self.fault, self.code, self.subcode) if c)
        if codes & _NOT_AUTHORIZED:
            return VapixAuthenticationError(
                f"The device refused {what} for this user ({shown}); "
                "use an account in the Administrator group"
            )
        if codes & _NOT_SUPPORTED:
            return VapixNotSupportedError(
                f"The device does not support {what} ({shown}); check its AXIS OS version"
            )
        return VapixCommandError(
            f"The device refused {what}: {detail}({shown})",
            code=self.code,
            fault=self.fault,
            subcode=self.subcode,
            reason=self.message,
        )


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return text[:_MAX_TEXT] or None
    return None


def fault_from_json(data: object) -> DeviceFault | None:
    """Find an error envelope or a JSON SOAP-style fault in decoded JSON."""
    if not isinstance(data, Mapping):
        return None
    error = data.get("error")
    if isinstance(error, Mapping):
        code = _text(error.get("code")) or "unknown"
        return DeviceFault(code=code, message=_text(error.get("message")))
    if "Fault" in data or "FaultCode" in data:
        fault = _text(data.get("Fault"))
        code = _text(data.get("FaultCode")) or fault or "unknown"
        message = _text(data.get("FaultReason")) or _text(data.get("FaultMsg"))
        return DeviceFault(
            code=code, message=message, fault=fault, subcode=_text(data.get("FaultSubCode"))
        )
    return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> Any:
    return next((child for child in element if _local(child.tag) == name), None)


def fault_from_xml(body: bytes) -> DeviceFault | None:
    """Find a SOAP 1.2 (or 1.1) Fault element in an XML body."""
    try:
        root = ElementTree.fromstring(body)
    except ParseError, DefusedXmlException, ValueError:
        return None
    fault_element = next((el for el in root.iter() if _local(el.tag) == "Fault"), None)
    if fault_element is None:
        return None
    # SOAP 1.2: Code/Value, nested Subcode/Value ..., Reason/Text.
    values: list[str] = []
    level = _child(fault_element, "Code")
    while level is not None:
        if (text := _text(getattr(_child(level, "Value"), "text", None))) is not None:
            values.append(text)
        level = _child(level, "Subcode")
    reason = _child(fault_element, "Reason")
    message = _text(getattr(_child(reason, "Text"), "text", None)) if reason is not None else None
    if not values:  # SOAP 1.1
        if (code := _text(getattr(_child(fault_element, "faultcode"), "text", None))) is not None:
            values.append(code)
        message = _text(getattr(_child(fault_element, "faultstring"), "text", None))
    if not values:
        return DeviceFault(code="unknown", message=message)
    return DeviceFault(
        code=values[1] if len(values) > 1 else values[0],
        message=message,
        fault=values[0] if len(values) > 1 else None,
        subcode=values[-1] if len(values) > 2 else None,
    )


def find_fault(body: bytes) -> DeviceFault | None:
    """Look for a fault in a body of any of the three forms."""
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        return fault_from_xml(stripped)
    try:
        data = json.loads(stripped)
    except UnicodeDecodeError, json.JSONDecodeError, RecursionError:
        return None
    return fault_from_json(data)


def error_for_status(status: int, body: bytes, what: str) -> VapixError | None:
    """The error an answer stands for, or None when it is a success.

    A recognisable fault in the body wins over the bare status code.
    """
    fault = find_fault(body) if body else None
    if fault is not None:
        return fault.to_error(what)
    if status < 300:
        return None
    if status == 401:
        return VapixAuthenticationError(
            f"The device rejected the username or password for {what}; check the credentials"
        )
    if status == 403:
        return VapixAuthenticationError(
            f"The user may not use {what}; use an account in the Administrator group"
        )
    if status == 404:
        return VapixNotSupportedError(f"The device does not offer {what} (HTTP 404)")
    if status == 503:
        return VapixBusyError(f"The device is busy and refused {what}; try again later")
    return VapixResponseError(f"The device answered {what} with HTTP {status}")
