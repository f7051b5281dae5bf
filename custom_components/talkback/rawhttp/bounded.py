"""Reading a device's answer into memory without trusting its size, and quoting it safely."""

from __future__ import annotations

from collections.abc import AsyncIterable

from .const import MAX_QUOTED_CHARS
from .exceptions import RawHttpBodyTooLargeError


async def read_bounded(
    chunks: AsyncIterable[bytes], limit: int, *, declared_length: int | None = None
) -> bytes:
    """Join the chunks of a body; raise `RawHttpBodyTooLargeError` past `limit` bytes.

    A declared length above the limit is refused before anything is read.
    """
    if declared_length is not None and declared_length > limit:
        raise RawHttpBodyTooLargeError(limit)
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise RawHttpBodyTooLargeError(limit)
    return bytes(data)


def quote_device_text(text: str | bytes, limit: int = MAX_QUOTED_CHARS) -> str:
    """Device-supplied text for an error or log line: one line, at most `limit` characters.

    Devices have sent error pages of tens of kilobytes; an error message quotes the start.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"
