"""`$filter` semantics: type-checking a syntax tree against a facet type and compiling it to a predicate.

Values (OData v4 semantics unless said otherwise):
- `eq`/`ne` with `null` test for null or absent; `ne` is the negation of `eq` (so `x ne 'a'` holds
  for a null `x`). `gt`/`lt` with a null on either side are false; `ge`/`le` are true only when both
  sides are null.
- Strings: `eq`, `ne`, `startswith`, `endswith`, `contains` and `any(c: c eq ...)` ignore case
  (Unicode case folding), as Graph's directory does; `gt`, `ge`, `lt`, `le` compare ordinally (by
  code point, case-sensitive), the same order `$orderby` uses.
- Numbers numerically; booleans false < true; dates and date-times as instants (a date compared
  with a date-time property means midnight UTC); enum members by declaration order, written as
  strings and matched case-insensitively against the enum's members.
- `and`, `or`, `not` use three-valued logic: a string function over a null property is unknown
  (null), `not` of unknown is unknown, and only a true result selects a facet.
- `any` ranges over collections of strings (`categories/any(c: c eq 'x')`); `any()` with no body is
  true for a non-empty collection. Inside the body other properties of the facet may be used too.
- Complex values can only be tested for null (`detail eq null`); collections only with `any`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.facets.kinds import Complex, Kind, ListOf, instant_ticks
from shared.facets.model import FacetType
from shared.query.filter_syntax import Call, Compare, Lambda, Literal, Logical, Node, Not, Path, invalid, parse
from shared.query.model import Filter
from shared.query.paths import converter, enum_members, enum_position, reader, resolve
from shared.validation.names import shorten

#: A compiled boolean expression: (wire body, current `any` member or None) -> True, False or None (unknown).
Predicate = Callable[[Mapping[str, Any], Any], bool | None]
#: A compiled operand: (wire body, current `any` member) -> raw value.
Getter = Callable[[Mapping[str, Any], Any], Any]

STRING_FUNCTIONS = ("startswith", "endswith", "contains")
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
#: Literal kinds each property type accepts (besides null).
_ACCEPTS = {
    "string": ("string",),
    "enum": ("string",),
    "boolean": ("boolean",),
    "number": ("number",),
    "date": ("date",),
    "datetime": ("datetime", "date"),
}
_DESCRIBED = {
    "string": "a string in quotes, such as 'x'",
    "enum": "one of its members in quotes",
    "boolean": "true or false",
    "number": "a number",
    "date": "a date such as 2020-07-06 (no quotes)",
    "datetime": "a date-time such as 2020-07-06T06:34:12Z (no quotes)",
}


def compile_filter(text: str, facet_type: FacetType) -> Filter:
    """The compiled `$filter` for `facet_type`; 400 for anything malformed or unsupported."""
    predicate = _Compiler(facet_type).boolean(parse(text), None)

    def matches(body: Mapping[str, Any]) -> bool:
        return predicate(body, None) is True

    return Filter(text, matches)


class _Operand:
    """A typed property operand: how to read it and what it compares as."""

    def __init__(self, getter: Getter, name: str, kind: Kind | None, query_type: str | None) -> None:
        self.getter = getter
        self.name = name
        self.kind = kind
        self.query_type = query_type


class _Compiler:
    def __init__(self, facet_type: FacetType) -> None:
        self.facet_type = facet_type

    def boolean(self, node: Node, scope: str | None) -> Predicate:
        """A predicate for a node that must be a boolean expression."""
        if isinstance(node, Logical):
            parts = tuple(self.boolean(operand, scope) for operand in node.operands)
            return _all(parts) if node.op == "and" else _any(parts)
        if isinstance(node, Not):
            inner = self.boolean(node.operand, scope)
            return lambda body, member: _negate(inner(body, member))
        if isinstance(node, Compare):
            return self.compare(node, scope)
        if isinstance(node, Call):
            return self.call(node, scope)
        if isinstance(node, Lambda):
            return self.lambda_(node, scope)
        if isinstance(node, Literal) and node.kind == "boolean":
            constant = bool(node.value)
            return lambda body, member: constant
        if isinstance(node, Path):
            operand = self.operand(node, scope)
            if operand.query_type == "boolean":
                getter = operand.getter
                return lambda body, member: _boolean(getter(body, member))
            raise invalid(f"'{operand.name}' is not a boolean expression", node.pos)
        raise invalid("a literal on its own is not a condition", node.pos)

    # -- operands
    def operand(self, node: Path, scope: str | None) -> _Operand:
        if scope is not None and node.segments[0] == scope:
            if len(node.segments) > 1:
                raise invalid(f"the values of '{scope}' are strings, which have no properties", node.pos)
            return _Operand(lambda body, member: member, scope, None, "string")
        path, kind = resolve(self.facet_type, node.segments, "$filter")
        read = reader(path)
        return _Operand(lambda body, member: read(body), "/".join(path), kind, kind.query_type)

    # -- comparisons
    def compare(self, node: Compare, scope: str | None) -> Predicate:
        left, right, op = node.left, node.right, node.op
        if isinstance(left, Literal) and not isinstance(right, Literal):
            left, right, op = right, left, _FLIPPED[op]
        if not isinstance(right, Literal) or isinstance(left, Literal):
            raise invalid(
                "a comparison needs a property on one side and a literal value on the other "
                "(comparing two properties or expressions is not supported)",
                node.pos,
            )
        if isinstance(left, Path):
            return self.compare_property(self.operand(left, scope), op, right)
        return self.compare_condition(left, op, right, scope)

    def compare_condition(self, left: Node, op: str, right: Literal, scope: str | None) -> Predicate:
        """`<boolean expression> eq|ne true|false|null`, e.g. `contains(a,'x') eq false`."""
        negated = left.operand if isinstance(left, Not) else None
        if isinstance(negated, Path) and self.operand(negated, scope).query_type != "boolean":
            raise invalid("'not' applies to what follows it directly; write not (...) to negate a comparison", left.pos)
        inner = self.boolean(left, scope)
        if right.kind not in ("boolean", "null") or op not in ("eq", "ne"):
            raise invalid("a condition can only be compared with true, false or null using eq or ne", right.pos)
        wanted = right.value
        if op == "eq":
            return lambda body, member: inner(body, member) is wanted
        return lambda body, member: inner(body, member) is not wanted

    def compare_property(self, operand: _Operand, op: str, literal: Literal) -> Predicate:
        query_type = operand.query_type
        if query_type is None:
            return self.compare_structured(operand, op, literal)
        if literal.kind != "null" and literal.kind not in _ACCEPTS[query_type]:
            raise invalid(
                f"the property '{operand.name}' is {_type_name(query_type)} and cannot be compared with "
                f"{_literal_name(literal)}; compare it with {_DESCRIBED[query_type]}",
                literal.pos,
            )
        value, convert = self.literal_value(operand, literal)
        test = _COMPARE[op]
        getter = operand.getter
        if query_type == "string" and op in ("eq", "ne"):
            wanted = None if value is None else value.casefold()
            return lambda body, member: test(_folded(getter(body, member)), wanted)
        return lambda body, member: test(convert(getter(body, member)), value)

    def literal_value(self, operand: _Operand, literal: Literal) -> tuple[Any, Callable[[Any], Any]]:
        """The literal as a comparable value, and the converter for the property's raw values."""
        query_type = operand.query_type or "string"
        if query_type == "enum":
            members = enum_members(operand.kind) if operand.kind is not None else ()
            if literal.kind == "null":
                return None, enum_position(members)
            canonical = _member(members, literal.value)
            if canonical is None:
                raise invalid(
                    f"'{shorten(literal.value)}' is not a member of the enum of '{operand.name}' "
                    f"({', '.join(m for m in members if m != 'unknownFutureValue')})",
                    literal.pos,
                )
            return members.index(canonical), enum_position(members)
        if query_type == "datetime" and literal.kind == "date":
            return instant_ticks(f"{literal.value}T00:00:00Z"), converter("datetime")
        return literal.value, converter(query_type)

    def compare_structured(self, operand: _Operand, op: str, literal: Literal) -> Predicate:
        """Complex values: only `eq null` / `ne null`. Collections: only through any."""
        if isinstance(operand.kind, ListOf):
            raise invalid(
                f"'{operand.name}' is a collection; use {operand.name}/any(x: x eq ...) to test its values",
                literal.pos,
            )
        if not isinstance(operand.kind, Complex) or literal.kind != "null" or op not in ("eq", "ne"):
            raise invalid(
                f"'{operand.name}' is a complex value; comparing complex values is not supported "
                "(only eq null and ne null are)",
                literal.pos,
            )
        getter = operand.getter
        if op == "eq":
            return lambda body, member: not isinstance(getter(body, member), Mapping)
        return lambda body, member: isinstance(getter(body, member), Mapping)

    # -- functions
    def call(self, node: Call, scope: str | None) -> Predicate:
        name = node.name.lower()
        if name not in STRING_FUNCTIONS:
            raise invalid(
                f"the function '{shorten(node.name)}' is not supported (supported: {', '.join(STRING_FUNCTIONS)})",
                node.pos,
            )
        if len(node.args) != 2:
            raise invalid(f"{name} takes two arguments: a string property and a string in quotes", node.pos)
        subject, pattern = node.args
        if not isinstance(subject, Path) or not isinstance(pattern, Literal) or pattern.kind != "string":
            raise invalid(f"{name} takes a string property, then a string in quotes", node.pos)
        operand = self.operand(subject, scope)
        if operand.query_type != "string":
            raise invalid(f"{name} applies to string properties; '{operand.name}' is not a string", node.pos)
        wanted = str(pattern.value).casefold()
        getter = operand.getter
        test = _string_test(name, wanted)
        return lambda body, member: _apply(getter(body, member), test)

    # -- any
    def lambda_(self, node: Lambda, scope: str | None) -> Predicate:
        if scope is not None:
            raise invalid("any inside another any is not supported", node.pos)
        path, kind = resolve(self.facet_type, node.path, "$filter")
        name = "/".join(path)
        if not self.facet_type.is_string_collection(path):
            what = "a collection of complex values" if isinstance(kind, ListOf) else "not a collection"
            raise invalid(f"any is supported over collections of strings only; '{name}' is {what}", node.pos)
        read = reader(path)
        if node.variable is None or node.body is None:
            return lambda body, member: bool(_members(read(body)))
        inner = self.boolean(node.body, node.variable)

        def any_member(body: Mapping[str, Any], member: Any) -> bool:
            return any(inner(body, value) is True for value in _members(read(body)))

        return any_member


def _string_test(name: str, wanted: str) -> Callable[[str], bool]:
    """The test of startswith / endswith / contains against an already case-folded pattern."""
    if name == "contains":
        return lambda text: wanted in text
    if name == "startswith":
        return lambda text: text.startswith(wanted)
    return lambda text: text.endswith(wanted)


def _members(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    def conjunction(body: Mapping[str, Any], member: Any) -> bool | None:
        unknown = False
        for part in parts:
            result = part(body, member)
            if result is False:
                return False
            unknown = unknown or result is None
        return None if unknown else True

    return conjunction


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    def disjunction(body: Mapping[str, Any], member: Any) -> bool | None:
        unknown = False
        for part in parts:
            result = part(body, member)
            if result is True:
                return True
            unknown = unknown or result is None
        return None if unknown else False

    return disjunction


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def _boolean(raw: Any) -> bool | None:
    return raw if isinstance(raw, bool) else None


def _folded(raw: Any) -> str | None:
    return raw.casefold() if isinstance(raw, str) else None


def _apply(raw: Any, test: Callable[[str], bool]) -> bool | None:
    return test(raw.casefold()) if isinstance(raw, str) else None


def _member(members: tuple[str, ...], written: str) -> str | None:
    lower = written.lower()
    return next((member for member in members if member.lower() == lower), None)


def _eq(value: Any, literal: Any) -> bool:
    return value is None if literal is None else value is not None and value == literal


def _ne(value: Any, literal: Any) -> bool:
    return not _eq(value, literal)


def _gt(value: Any, literal: Any) -> bool:
    return value is not None and literal is not None and value > literal


def _lt(value: Any, literal: Any) -> bool:
    return value is not None and literal is not None and value < literal


def _ge(value: Any, literal: Any) -> bool:
    if value is None or literal is None:
        return value is None and literal is None
    return bool(value >= literal)


def _le(value: Any, literal: Any) -> bool:
    if value is None or literal is None:
        return value is None and literal is None
    return bool(value <= literal)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _eq, "ne": _ne, "gt": _gt, "ge": _ge, "lt": _lt, "le": _le,
}


def _type_name(query_type: str) -> str:
    return {"enum": "an enum", "datetime": "a date-time", "date": "a date"}.get(query_type, f"a {query_type}")


def _literal_name(literal: Literal) -> str:
    return {
        "string": "a string", "number": "a number", "boolean": "a boolean",
        "date": "a date", "datetime": "a date-time",
    }.get(literal.kind, "that value")

