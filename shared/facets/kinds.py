"""Property kinds: how one property's values are checked, stored, read back, compared and queried.

A facet declaration (shared/facets/catalog/) names a kind for every property; everything else —
request validation, the wire shape, read-only comparison on PATCH, `$filter`/`$orderby` typing and
the OpenAPI schema — is derived from those kinds. Kinds hold no state and do no I/O.

`check` returns the canonical value to store, or records problems and returns None. Values are
plain JSON values (str, bool, int, float, list, dict, None); no coercion between JSON types is ever
applied (a number is never accepted for a string).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from shared.validation.problems import Problems

#: Default string limit (contract §2); longer free text (descriptions, notes) declares its own.
MAX_TEXT = 256
#: Longer free text: descriptions, note bodies.
MAX_LONG_TEXT = 4096
#: String collections hold at most this many members.
MAX_ITEMS = 50
ODATA_TYPE = "@odata.type"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Seconds from 0001-01-01T00:00:00Z to 10000-01-01T00:00:00Z.
_LAST_SECOND = 315_537_897_600
_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})")


Reader = Callable[[Any], Any]


def reader(kind: Kind) -> Reader | None:
    """`kind.read`, or None when it returns stored values as they are (most kinds): callers skip the call."""
    return None if type(kind).read is Kind.read else kind.read


class Kind:
    """Base of every property kind. Subclasses set `edm` and override what differs."""

    #: OData primitive or Graph type name ("String", "Boolean", "Date", "physicalAddress", ...).
    edm: ClassVar[str] = "String"
    #: What `$filter` compares this property as (None: not comparable as a whole).
    query_type: ClassVar[str | None] = "string"

    def check(self, value: object, target: str, problems: Problems) -> Any:
        raise NotImplementedError

    def read(self, stored: Any) -> Any:
        """The wire value of a stored value (upgrades shapes older versions stored)."""
        return stored

    def same(self, sent: Any, current: Any) -> bool:
        """True when a client's `sent` value denotes `current` (read-only properties on PATCH)."""
        return _plain(sent) == _plain(current)


@dataclass(frozen=True)
class Text(Kind):
    """A string of at most `max_length` characters; `rule` refines it (canonical value or None)."""

    max_length: int = MAX_TEXT
    min_length: int = 0
    rule: Callable[[str], str | None] | None = None
    #: The message for a value `rule` refuses ("must be an absolute http or https URL").
    rule_message: str = ""
    #: A short name of the rule for the OpenAPI `format` ("uri", "email", ...), if any.
    format: str | None = None

    def check(self, value: object, target: str, problems: Problems) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            problems.wrong_type(target, "a string or null")
            return None
        if len(value) > self.max_length:
            problems.too_long(target, self.max_length)
            return None
        if len(value) < self.min_length:
            problems.invalid(target, f"The value of '{target}' must not be empty.")
            return None
        if self.rule is None:
            return value
        canonical = self.rule(value)
        if canonical is None:
            problems.invalid(target, f"The value of '{target}' {self.rule_message}.")
        return canonical


@dataclass(frozen=True)
class Boolean(Kind):
    edm: ClassVar[str] = "Boolean"
    query_type: ClassVar[str | None] = "boolean"

    def check(self, value: object, target: str, problems: Problems) -> bool | None:
        if value is not None and not isinstance(value, bool):
            problems.wrong_type(target, "a boolean or null")
            return None
        return value


@dataclass(frozen=True)
class Double(Kind):
    """A finite number (int or float in JSON, never a boolean), stored as float."""

    edm: ClassVar[str] = "Double"
    query_type: ClassVar[str | None] = "number"

    def check(self, value: object, target: str, problems: Problems) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.wrong_type(target, "a number or null")
            return None
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            problems.invalid(target, f"The value of '{target}' must be a finite number.")
            return None
        return number


@dataclass(frozen=True)
class Int32(Kind):
    edm: ClassVar[str] = "Int32"
    query_type: ClassVar[str | None] = "number"

    def check(self, value: object, target: str, problems: Problems) -> int | None:
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (
                isinstance(value, float) and not value.is_integer()  # also NaN and the infinities
            )
        ):
            problems.wrong_type(target, "a whole number or null")
            return None
        if not -(2**31) <= value < 2**31:
            problems.invalid(target, f"The value of '{target}' must be a 32-bit whole number.")
            return None
        return int(value)


@dataclass(frozen=True)
class Date(Kind):
    """A calendar date, `YYYY-MM-DD` (Edm.Date)."""

    edm: ClassVar[str] = "Date"
    query_type: ClassVar[str | None] = "date"

    def check(self, value: object, target: str, problems: Problems) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            problems.wrong_type(target, "a date string (YYYY-MM-DD) or null")
            return None
        if not is_date(value):
            problems.invalid(target, f"The value of '{target}' must be a date in the form YYYY-MM-DD.")
            return None
        return value


@dataclass(frozen=True)
class DateTime(Kind):
    """A server-set instant (Edm.DateTimeOffset). Clients never set one; compared as instants."""

    edm: ClassVar[str] = "DateTimeOffset"
    query_type: ClassVar[str | None] = "datetime"

    def check(self, value: object, target: str, problems: Problems) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or instant_ticks(value) is None:
            problems.invalid(target, f"The value of '{target}' must be a date and time such as 2020-07-06T06:34:12Z.")
            return None
        return value

    def same(self, sent: Any, current: Any) -> bool:
        if sent is None or current is None:
            return sent is None and current is None
        if not isinstance(sent, str) or not isinstance(current, str):
            return False
        ticks = instant_ticks(sent)
        return ticks is not None and ticks == instant_ticks(current)


@dataclass(frozen=True)
class Enum(Kind):
    """A Graph enum: members are case-sensitive as Graph writes them; `unknownFutureValue` is refused."""

    name: str = ""
    members: tuple[str, ...] = ()
    query_type: ClassVar[str | None] = "enum"

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(member for member in self.members if member != "unknownFutureValue")

    def check(self, value: object, target: str, problems: Problems) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            problems.wrong_type(target, "a string or null")
            return None
        if value not in self.accepted:
            problems.invalid(
                target, f"The value of '{target}' is not valid. Allowed values are {', '.join(self.accepted)}."
            )
            return None
        return value


@dataclass(frozen=True)
class ListOf(Kind):
    """A collection of `item` values (at most `max_items`); `scalar_ok` also takes one bare value."""

    item: Kind = field(default_factory=Text)
    max_items: int = MAX_ITEMS
    #: Accept a single value where a collection is declared, stored as a one-member list (old shapes).
    scalar_ok: bool = False
    query_type: ClassVar[str | None] = None

    def check(self, value: object, target: str, problems: Problems) -> list[Any] | None:
        if value is None:
            return None
        if self.scalar_ok and not isinstance(value, list):
            # A problem with the single value is reported where the client sent it, not at "[0]".
            member = self.item.check(value, target, problems)
            return None if member is None else [member]
        if not isinstance(value, list):
            problems.wrong_type(target, "an array or null")
            return None
        if len(value) > self.max_items:
            problems.invalid(target, f"The property '{target}' holds at most {self.max_items} values.")
            return None
        before = len(problems.errors)
        items = []
        for index, member in enumerate(value):
            if member is None:
                problems.invalid(f"{target}[{index}]", f"The values of '{target}' must not be null.")
                continue
            items.append(self.item.check(member, f"{target}[{index}]", problems))
        return items if len(problems.errors) == before else None

    def read(self, stored: Any) -> Any:
        if stored is None:
            return None
        if not isinstance(stored, list):
            stored = [stored]
        read = self._item_reader
        return list(stored) if read is None else [read(member) for member in stored]

    @cached_property
    def _item_reader(self) -> Reader | None:
        return reader(self.item)

    def same(self, sent: Any, current: Any) -> bool:
        if not isinstance(sent, list) or not isinstance(current, list):
            return _plain(sent) == _plain(current)
        return len(sent) == len(current) and all(self.item.same(a, b) for a, b in zip(sent, current, strict=True))


@dataclass(frozen=True)
class ComplexType:
    """A Graph complex type: named members, each with its kind. `required` members must be non-null."""

    name: str
    properties: Mapping[str, Kind]
    required: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"microsoft.graph.{self.name}"

    @cached_property
    def readers(self) -> tuple[tuple[str, Reader | None], ...]:
        """(member, its kind's `reader`) in declaration order, for reading stored values."""
        return tuple((name, reader(kind)) for name, kind in self.properties.items())


@dataclass(frozen=True)
class Complex(Kind):
    """A value of a complex type. It replaces the stored value as a whole (omitted members are null)."""

    type: ComplexType = field(default_factory=lambda: ComplexType("", {}))
    query_type: ClassVar[str | None] = None

    @property
    def edm(self) -> str:  # type: ignore[override]  # per-instance: the complex type's name
        return self.type.name

    def check(self, value: object, target: str, problems: Problems) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            problems.wrong_type(target, "an object or null")
            return None
        before = len(problems.errors)
        members = self.type.properties
        for key in value:
            if key == ODATA_TYPE:
                check_odata_type(value[key], self.type.qualified, f"{target}.{key}", problems)
            elif key not in members:
                problems.unknown(str(key), self.type.qualified, prefix=f"{target}.")
        out: dict[str, Any] = {}
        for name, kind in members.items():
            member = value.get(name)
            if member is None and name in self.type.required:
                problems.missing(f"{target}.{name}")
            out[name] = kind.check(member, f"{target}.{name}", problems)
        return out if len(problems.errors) == before else None

    def read(self, stored: Any) -> Any:
        if not isinstance(stored, dict):
            return None
        return {name: stored.get(name) if read is None else read(stored.get(name)) for name, read in self.type.readers}

    def same(self, sent: Any, current: Any) -> bool:
        if sent is None or current is None:
            return sent is None and current is None
        if not isinstance(sent, dict) or not isinstance(current, dict):
            return False
        if set(sent) - set(self.type.properties) - {ODATA_TYPE}:
            return False
        return all(kind.same(sent.get(name), current.get(name)) for name, kind in self.type.properties.items())


def check_odata_type(value: object, qualified: str, target: str, problems: Problems) -> None:
    """`@odata.type` may name the declared type (`#microsoft.graph.x`, or without the `#`)."""
    if value not in (f"#{qualified}", qualified):
        problems.invalid(target, f"The value of '{target}' must be '#{qualified}'.")


def is_date(value: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    if not _DATE.fullmatch(value):
        return False
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def instant_ticks(value: str) -> int | None:
    """An ISO 8601 date-time with an offset as 100 ns ticks since 0001-01-01 UTC, or None."""
    match = _INSTANT.fullmatch(value)
    if match is None:
        return None
    from datetime import datetime, timedelta

    day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}")
    except ValueError:
        return None
    seconds = (moment - datetime(1, 1, 1)) // timedelta(seconds=1)
    if offset != "Z":  # integer arithmetic: an offset may move the instant outside datetime's years
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    if not 0 <= seconds < _LAST_SECOND:  # before 0001-01-01 or after 9999-12-31 in UTC: not an instant we hold
        return None
    return seconds * 10_000_000 + int((fraction or "0").ljust(7, "0"))


def _plain(value: Any) -> Any:
    """`value` with `@odata.type` annotations and null members dropped (absent and null alike)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != ODATA_TYPE and v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
