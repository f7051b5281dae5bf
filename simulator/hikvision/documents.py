"""The XML documents a Hikvision device sends, in each namespace variant.

Written out by hand (not with ElementTree) so the output looks like the captures in
real-devices/hikvision/: `version`/`xmlns` repeated on list items and sub-blocks, one
element per line, capabilities as `opt`/`min`/`max` attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .config import CameraConfig, NamespaceVariant, RequestUrlStyle
from .const import STATUS_STRINGS

_NAMESPACES: dict[NamespaceVariant, tuple[str | None, str]] = {
    NamespaceVariant.HIKVISION: ("http://www.hikvision.com/ver20/XMLSchema", "2.0"),
    NamespaceVariant.ISAPI: ("http://www.isapi.org/ver20/XMLSchema", "2.0"),
    NamespaceVariant.STD_CGI: ("http://www.std-cgi.com/ver20/XMLSchema", "1.0"),
    NamespaceVariant.PSIA: ("urn:psialliance-org", "1.0"),
    NamespaceVariant.NONE: (None, "1.0"),
}
NAMESPACE_URIS = {variant: uri for variant, (uri, _) in _NAMESPACES.items()}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(slots=True)
class Element:
    """An element; `stamped` ones carry version and xmlns, as real devices repeat them."""

    tag: str
    text: str | None = None
    children: list[Element] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    stamped: bool = False


def el(tag: str, text: object = None, *children: Element, stamped: bool = False) -> Element:
    """Shorthand for an element with text (bools become true/false) or children."""
    if isinstance(text, bool):
        text = "true" if text else "false"
    return Element(tag, None if text is None else str(text), list(children), stamped=stamped)


def cap(tag: str, current: object = None, **attrs: object) -> Element:
    """A capability: `<tag opt="a,b"/>`, `<tag min="0" max="100"/>`, or with the current value."""
    element = el(tag, current)
    element.attrs = {name: str(value) for name, value in attrs.items()}
    return element


def render(root: Element, variant: NamespaceVariant) -> bytes:
    """Serialise a document in a namespace variant (the root is always stamped)."""
    uri, version = _NAMESPACES[variant]
    stamp = [("version", version)]
    if uri is not None:
        # The OEM (std-cgi) capture lists xmlns first; the others version first.
        stamp = (
            [("xmlns", uri), *stamp]
            if variant is NamespaceVariant.STD_CGI
            else [*stamp, ("xmlns", uri)]
        )
    lines: list[str] = []
    _render(root, stamp, lines, is_root=True)
    declaration = "" if variant is NamespaceVariant.STD_CGI else _DECLARATION
    return (declaration + "\n".join(lines) + "\n").encode()


def _render(
    node: Element, stamp: list[tuple[str, str]], lines: list[str], *, is_root: bool
) -> None:
    attrs = [*stamp] if node.stamped or is_root else []
    attrs.extend(node.attrs.items())
    opening = node.tag + "".join(f" {name}={quoteattr(value)}" for name, value in attrs)
    if node.children:
        lines.append(f"<{opening}>")
        for child in node.children:
            _render(child, stamp, lines, is_root=False)
        lines.append(f"</{node.tag}>")
    elif node.text is None:
        lines.append(f"<{opening}/>")
    else:
        lines.append(f"<{opening}>{escape(node.text)}</{node.tag}>")


def response_status(
    config: CameraConfig,
    path: str,
    status_code: int,
    sub_status: str,
    description: str | None = None,
) -> bytes:
    """A ResponseStatus document."""
    children = []
    if config.request_url is RequestUrlStyle.PATH:
        children.append(el("requestURL", path))
    elif config.request_url is RequestUrlStyle.EMPTY:
        children.append(el("requestURL", ""))
    children += [
        el("statusCode", status_code),
        el("statusString", STATUS_STRINGS[status_code]),
        el("subStatusCode", sub_status),
    ]
    if description:
        children.append(el("description", description))
    return render(el("ResponseStatus", None, *children), config.namespace)


def device_info(config: CameraConfig) -> bytes:
    """GET /ISAPI/System/deviceInfo."""
    root = el(
        "DeviceInfo",
        None,
        el("deviceName", config.device_name),
        el("deviceID", _device_id(config.serial)),
        el("deviceDescription", config.device_type),
        el("deviceLocation", "hangzhou"),
        el("systemContact", "Hikvision.China"),
        el("model", config.model),
        el("serialNumber", config.serial),
        el("macAddress", config.mac),
        el("firmwareVersion", config.firmware_version),
        el("firmwareReleasedDate", config.firmware_build),
        el("encoderVersion", "V7.3"),
        el("encoderReleasedDate", "build 240801"),
        el("hardwareVersion", "0x0"),
        el("deviceType", config.device_type),
        el("telecontrolID", 88),
        el("supportBeep", False),
        el("supportVideoLoss", False),
        el("manufacturer", "hikvision"),
    )
    return render(root, config.namespace)


def _device_id(serial: str) -> str:
    digits = "".join(f"{ord(char):02x}" for char in serial)[-32:].rjust(32, "0")
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:32]}"


def network_interfaces(config: CameraConfig, address: str) -> bytes:
    """GET /ISAPI/System/Network/interfaces: one wired interface carrying the MAC."""
    interface = el(
        "NetworkInterface",
        None,
        el("id", 1),
        el(
            "IPAddress",
            None,
            el("ipVersion", "v4"),
            el("addressingType", "static"),
            el("ipAddress", address),
            el("subnetMask", "255.0.0.0"),
            el("DefaultGateway", None, el("ipAddress", "0.0.0.0")),
            el("PrimaryDNS", None, el("ipAddress", "0.0.0.0")),
            stamped=True,
        ),
        el(
            "Link",
            None,
            el("MACAddress", config.mac),
            el("autoNegotiation", True),
            el("speed", 0),
            el("duplex", "full"),
            cap("MTU", 1500, min=500, max=9676),
            stamped=True,
        ),
        stamped=True,
    )
    return render(el("NetworkInterfaceList", None, interface), config.namespace)


def two_way_audio_session(config: CameraConfig, session_id: str) -> bytes:
    """PUT .../open."""
    return render(el("TwoWayAudioSession", None, el("sessionId", session_id)), config.namespace)
