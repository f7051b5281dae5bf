"""Reading a device's answer into memory without trusting its size."""

from __future__ import annotations

from collections.abc import AsyncIterable

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
