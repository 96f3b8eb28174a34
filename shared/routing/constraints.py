"""ASP.NET-style inline route constraints (`{id:guid}`, `{n:int}`, `{s:length(1,10)}`, ...)."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

Check = Callable[[str], bool]

_GUID = re.compile(
    r"^(\{)?[0-9a-fA-F]{8}(-?)[0-9a-fA-F]{4}\2[0-9a-fA-F]{4}\2[0-9a-fA-F]{4}\2[0-9a-fA-F]{12}(?(1)\})$"
)
_INT = re.compile(r"^[+-]?[0-9]+$")
_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_ALPHA = re.compile(r"^[A-Za-z]+$")
_CALL = re.compile(r"^(?P<name>[A-Za-z]+)(\((?P<args>.*)\))?$", re.S)


def _int_in(low: int, high: int) -> Check:
    """Integer text within [low, high]."""
    return lambda v: bool(_INT.match(v)) and low <= int(v) <= high


def _datetime(value: str) -> bool:
    """ISO 8601 date/time (a close-enough stand-in for .NET DateTime.TryParse)."""
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_SIMPLE: dict[str, Check] = {
    "int": _int_in(-(2**31), 2**31 - 1),
    "long": _int_in(-(2**63), 2**63 - 1),
    "guid": lambda v: bool(_GUID.match(v)),
    "alpha": lambda v: bool(_ALPHA.match(v)),
    "bool": lambda v: v.lower() in ("true", "false"),
    "decimal": lambda v: bool(_NUMBER.match(v)),
    "double": lambda v: bool(_NUMBER.match(v)),
    "float": lambda v: bool(_NUMBER.match(v)),
    "datetime": _datetime,
}


def _ints(args: str, count: int, text: str) -> list[int]:
    """Parse exactly `count` comma-separated integer arguments."""
    parts = [a.strip() for a in args.split(",")] if args else []
    if len(parts) != count or not all(_INT.match(p) for p in parts):
        raise ValueError(f"bad arguments in route constraint '{text}'")
    return [int(p) for p in parts]


def build_constraint(text: str) -> Check:
    """Compile one constraint such as `int`, `guid`, `minlength(3)`, `range(1,9)`, `regex(^a+$)`."""
    match = _CALL.match(text)
    if not match:
        raise ValueError(f"unsupported route constraint '{text}'")
    name, args = match["name"].lower(), match["args"]
    if args is None and name in _SIMPLE:
        return _SIMPLE[name]
    if name == "regex" and args is not None:
        pattern = re.compile(args, re.IGNORECASE)
        return lambda v: pattern.search(v) is not None
    if name in ("minlength", "maxlength", "min", "max") and args is not None:
        (n,) = _ints(args, 1, text)
        return {
            "minlength": lambda v: len(v) >= n,
            "maxlength": lambda v: len(v) <= n,
            "min": lambda v: bool(_INT.match(v)) and int(v) >= n,
            "max": lambda v: bool(_INT.match(v)) and int(v) <= n,
        }[name]
    if name == "length" and args is not None:
        bounds = _ints(args, args.count(",") + 1, text)
        if len(bounds) == 1:
            return lambda v: len(v) == bounds[0]
        if len(bounds) == 2:
            return lambda v: bounds[0] <= len(v) <= bounds[1]
    if name == "range" and args is not None:
        low, high = _ints(args, 2, text)
        return _int_in(low, high)
    raise ValueError(f"unsupported route constraint '{text}'")
