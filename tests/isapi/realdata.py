"""Real device payloads from /work/shared/real-devices/hikvision, as bytes the parsers read.

The diagnostics dumps and one issue capture are xmltodict JSON; they are turned back into the
XML the device sent (attributes from "@name", text from "#text", lists as repeated elements).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

REAL_DEVICES = Path("/work/shared/real-devices/hikvision")


def real_files(pattern: str) -> list[Path]:
    """Real payload files matching a glob, sorted (the test ids are their names)."""
    return sorted(REAL_DEVICES.glob(pattern))


def xmltodict_to_xml(name: str, value: Any) -> str:
    """Serialise one xmltodict node back to XML text."""
    if isinstance(value, list):
        return "".join(xmltodict_to_xml(name, item) for item in value)
    if value is None:
        return f"<{name}/>"
    if not isinstance(value, dict):
        return f"<{name}>{escape(str(value))}</{name}>"
    attributes = "".join(
        f" {key[1:]}={quoteattr(str(item))}" for key, item in value.items() if key.startswith("@")
    )
    inner = escape(str(value.get("#text", "")))
    inner += "".join(
        xmltodict_to_xml(key, item) for key, item in value.items() if not key.startswith(("@", "#"))
    )
    return f"<{name}{attributes}>{inner}</{name}>"


def device_info_documents() -> list[tuple[str, bytes, dict[str, Any]]]:
    """(id, XML bytes, the xmltodict values) of every real deviceInfo answer."""
    found: list[tuple[str, bytes, dict[str, Any]]] = [
        (path.name, path.read_bytes(), {}) for path in real_files("deviceInfo_*.xml")
    ]
    for path in real_files("deviceInfo_*.json"):
        info = json.loads(path.read_text())["DeviceInfo"]
        found.append((path.name, xmltodict_to_xml("DeviceInfo", info).encode(), info))
    for path in real_files("diagnostics/*.json"):
        dump = json.loads(path.read_text())["data"]["ISAPI"]
        info = dump["System/deviceInfo"]["response"]["DeviceInfo"]
        found.append((path.name, xmltodict_to_xml("DeviceInfo", info).encode(), info))
    return found
