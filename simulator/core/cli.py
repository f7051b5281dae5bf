"""Command-line plumbing shared by device kinds: `--camera key=value,key=value`.

Each device kind registers a `DeviceKind` (see simulator/kinds.py); `python -m simulator`
turns every `--<kind> SPEC` option into one device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .device import SimulatedDevice

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class DeviceSpec:
    """The `key=value,...` options of one device; every key must be used exactly once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._values: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, equals, value = item.partition("=")
            key = key.strip()
            if not equals or not key:
                raise ValueError(f"{item!r} is not key=value")
            if key in self._values:
                raise ValueError(f"{key!r} given twice")
            self._values[key] = value.strip()
        self._used: set[str] = set()

    def _take(self, key: str) -> str | None:
        self._used.add(key)
        return self._values.get(key)

    def string(self, key: str, default: str) -> str:
        """A text option."""
        value = self._take(key)
        return default if value is None else value

    def optional(self, key: str) -> str | None:
        """A text option without default."""
        return self._take(key)

    def integer(self, key: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
        """An integer option within [minimum, maximum]."""
        number = self.optional_integer(key, minimum, maximum)
        return default if number is None else number

    def optional_integer(self, key: str, minimum: int = 0, maximum: int = 2**31) -> int | None:
        """An integer option within [minimum, maximum], None when not given."""
        value = self._take(key)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError as err:
            raise ValueError(f"{key}={value!r} is not an integer") from err
        if not minimum <= number <= maximum:
            raise ValueError(f"{key}={number} is outside {minimum}..{maximum}")
        return number

    def number(self, key: str, default: float) -> float:
        """A non-negative number option."""
        value = self._take(key)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError as err:
            raise ValueError(f"{key}={value!r} is not a number") from err
        if number < 0:
            raise ValueError(f"{key}={number} must not be negative")
        return number

    def flag(self, key: str, default: bool) -> bool:
        """A boolean option (true/false, yes/no, on/off, 1/0)."""
        value = self._take(key)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError(f"{key}={value!r} is not true or false")

    def choice[E: StrEnum](self, key: str, enum: type[E], default: E) -> E:
        """One of an enum's values."""
        value = self._take(key)
        if value is None:
            return default
        try:
            return enum(value)
        except ValueError as err:
            choices = ", ".join(member.value for member in enum)
            raise ValueError(f"{key}={value!r}: choose one of {choices}") from err

    def listing(self, key: str, separator: str = "+") -> list[str] | None:
        """A `+`-separated list option (commas separate options)."""
        value = self._take(key)
        return None if value is None else [item for item in value.split(separator) if item]

    def finish(self) -> None:
        """Refuse keys no option read (typos must not pass silently)."""
        unknown = sorted(set(self._values) - self._used)
        if unknown:
            raise ValueError(f"unknown options: {', '.join(unknown)}")


@dataclass(frozen=True, slots=True)
class DeviceKind:
    """One kind of device the CLI can start: `--<option> SPEC`."""

    option: str
    help: str
    build: Callable[[DeviceSpec, Path | None], SimulatedDevice]
