"""Device-supplied text in error and log lines: flattened and cut to a sane length."""

from __future__ import annotations

from .const import MAX_QUOTED_CHARS


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
