"""Device addresses as the protocols spell them: MAC addresses (and Axis serials, which are MACs)."""

from __future__ import annotations

import re

_MAC_SEPARATORS = re.compile(r"[:\-.\s]")
_HEX12 = re.compile(r"[0-9a-f]{12}")


def normalize_mac(value: str | None) -> str | None:
    """`A6-63-9E-F8-01-09`, `a663.9ef8.0109`, `ACCC12345678` -> `a6:63:9e:f8:01:09` form.

    None when the value is not a MAC: empty, masked (`*****`), or the all-zero placeholder
    some recorders report for an unset address (it would make every such device the same).
    """
    if value is None:
        return None
    digits = _MAC_SEPARATORS.sub("", value).lower()
    if not _HEX12.fullmatch(digits) or digits == "0" * 12:
        return None
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2))
