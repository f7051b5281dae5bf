"""Tolerant readers for decoded JSON: wrong shapes become VapixResponseError, never a crash."""

from __future__ import annotations

from collections.abc import Mapping
import json

from .exceptions import VapixResponseError

type JsonObject = Mapping[str, object]

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def decode_json(body: bytes, what: str) -> object:
    """Decode a JSON body, or say that the device answered something else."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise VapixResponseError(f"The device answered {what} with invalid JSON") from err


def as_object(value: object, what: str) -> JsonObject:
    """Return `value` as a JSON object."""
    if isinstance(value, Mapping):
        return value
    raise VapixResponseError(f"Expected an object for {what}, got {type(value).__name__}")


def as_list(value: object, what: str) -> list[object]:
    """Return `value` as a list; a single object counts as a list of one, null as empty."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping | str | int | float):
        # Some encoders write a one-element list as the element itself.
        return [value]
    raise VapixResponseError(f"Expected a list for {what}, got {type(value).__name__}")


def opt_str(obj: JsonObject, key: str, what: str) -> str | None:
    """Read an optional string; numbers are accepted as their decimal text."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise VapixResponseError(f"Expected text for {what}.{key}, got {type(value).__name__}")


def req_str(obj: JsonObject, key: str, what: str) -> str:
    """Read a string that must be present."""
    value = opt_str(obj, key, what)
    if value is None:
        raise VapixResponseError(f"The device left out {what}.{key}")
    return value


def opt_bool(obj: JsonObject, key: str, what: str) -> bool | None:
    """Read an optional boolean; "true"/"false" text is accepted too."""
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise VapixResponseError(f"Expected true or false for {what}.{key}, got {value!r:.40}")


def opt_int(obj: JsonObject, key: str, what: str) -> int | None:
    """Read an optional integer; integral numbers written as text or as 3.0 are accepted."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise VapixResponseError(f"Expected a whole number for {what}.{key}, got {value!r:.40}")


def opt_object(obj: JsonObject, key: str, what: str) -> JsonObject | None:
    """Read an optional nested object."""
    value = obj.get(key)
    if value is None:
        return None
    return as_object(value, f"{what}.{key}")
