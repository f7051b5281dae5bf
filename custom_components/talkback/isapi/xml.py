"""Safe, namespace-blind reading and faithful writing of ISAPI XML documents.

Devices use several namespaces (hikvision.com, isapi.org, std-cgi.com, psialliance, none)
and repeat `version`/`xmlns` on children, so elements are found by local name only.
defusedxml refuses DTDs, so entity bombs and external entities never expand.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .const import MAX_XML_BYTES
from .exceptions import IsapiResponseError


def local_name(tag: str) -> str:
    """`{namespace}name` -> `name`."""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str | None:
    """`{namespace}name` -> `namespace`; None without one."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else None


def parse_document(body: bytes, *, what: str) -> Element:
    """Parse a device's XML answer; anything unsafe, oversized or broken is a typed error."""
    if len(body) > MAX_XML_BYTES:
        raise IsapiResponseError(
            f"The device sent {what} larger than {MAX_XML_BYTES} bytes; refusing to parse it"
        )
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as err:
        raise IsapiResponseError(
            f"The device sent {what} with a DTD or entities, which is refused for safety"
        ) from err
    except (ParseError, ValueError, LookupError) as err:
        # ValueError/LookupError: e.g. an unknown encoding in the XML declaration.
        raise IsapiResponseError(
            f"The device sent {what} that is not well-formed XML; check that the address "
            "and port point at the device's ISAPI web server"
        ) from err
    return root


def expect_root(root: Element, *names: str, what: str) -> Element:
    """Refuse a document whose root element is not one of `names`."""
    if local_name(root.tag) not in names:
        raise IsapiResponseError(
            f"The device sent <{local_name(root.tag)}> where {what} (<{names[0]}>) was expected"
        )
    return root


def child(element: Element, name: str) -> Element | None:
    """The first child with this local name."""
    return next((item for item in element if local_name(item.tag) == name), None)


def children(element: Element, name: str) -> list[Element]:
    """Every child with this local name."""
    return [item for item in element if local_name(item.tag) == name]


def child_text(element: Element, name: str) -> str | None:
    """The stripped text of a child; None when the child is missing or empty."""
    found = child(element, name)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def parse_bool(text: str | None) -> bool | None:
    """ISAPI booleans are `true`/`false` (some firmware capitalises them)."""
    if text is None:
        return None
    return {"true": True, "false": False}.get(text.strip().lower())


def parse_int(text: str | None) -> int | None:
    """An integer, or None when missing or not a number."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def set_child_text(element: Element, name: str, value: str) -> None:
    """Set a child's text, adding the child (in the parent's namespace) if missing."""
    found = child(element, name)
    if found is None:
        namespace = namespace_of(element.tag)
        found = Element(f"{{{namespace}}}{name}" if namespace else name)
        element.append(found)
    found.text = value


def serialize(element: Element) -> bytes:
    """Write a document back with default namespaces (`xmlns="..."`), never prefixes.

    ElementTree would invent `ns0:` prefixes, which embedded ISAPI servers do not accept.
    Unknown elements, attributes and order are kept as they were read.
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _serialize(element, None, parts)
    return "".join(parts).encode()


# A literal CR would come back as LF (XML end-of-line handling); a reference survives.
_TEXT_ENTITIES = {"\r": "&#13;"}


def _serialize(element: Element, parent_namespace: str | None, parts: list[str]) -> None:
    name = local_name(element.tag)
    namespace = namespace_of(element.tag)
    attributes = [
        f" {local_name(key)}={quoteattr(value)}"
        for key, value in element.attrib.items()
        if namespace_of(key) is None  # namespaced attributes (xsi:...) carry no settings
    ]
    if namespace != parent_namespace:
        attributes.append(f" xmlns={quoteattr(namespace or '')}")
    if not element.text and len(element) == 0:
        parts.append(f"<{name}{''.join(attributes)}/>")
        return
    parts.append(f"<{name}{''.join(attributes)}>")
    if element.text:
        parts.append(escape(element.text, _TEXT_ENTITIES))
    for item in element:
        _serialize(item, namespace, parts)
        if item.tail:
            parts.append(escape(item.tail, _TEXT_ENTITIES))
    parts.append(f"</{name}>")
