"""The helpers both protocol clients share: the MAC rule, capped reads, quoted device text."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.talkback.rawhttp import (
    RawHttpBodyTooLargeError,
    normalize_mac,
    quote_device_text,
    read_bounded,
)


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("A6-63-9E-F8-01-09", "a6:63:9e:f8:01:09"),  # Hikvision deviceInfo
        ("a663.9ef8.0109", "a6:63:9e:f8:01:09"),
        ("ACCC12345678", "ac:cc:12:34:56:78"),  # an Axis serial number is its MAC
        (" 00:40:8C:F6:88:E4 ", "00:40:8c:f6:88:e4"),  # Axis serverreport, padded
        ("00:00:00:00:00:00", None),  # the placeholder of recorders without a MAC
        ("*****************", None),  # masked by the poster of a capture
        ("", None),
        (None, None),
        ("ACCC1234567", None),
        ("ACCC123456789", None),
    ],
)
def test_one_mac_rule(text: str | None, mac: str | None) -> None:
    """The same rule for ISAPI MACs and Axis serials; colon lower case, as unique ids use."""
    assert normalize_mac(text) == mac


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_read_bounded() -> None:
    """At the limit it reads; one byte over (or a declared length over) is refused."""
    assert await read_bounded(_chunks(b"ab", b"cd"), 4) == b"abcd"
    with pytest.raises(RawHttpBodyTooLargeError, match="more than 4 bytes"):
        await read_bounded(_chunks(b"ab", b"cde"), 4)
    with pytest.raises(RawHttpBodyTooLargeError):
        await read_bounded(_chunks(), 4, declared_length=5)


def test_quote_device_text() -> None:
    """One line, at most 200 characters, whatever the device sent."""
    assert quote_device_text(b"Not\r\n  supported") == "Not supported"
    quoted = quote_device_text("x" * 57858)
    assert len(quoted) == 200
    assert quoted.endswith("…")
