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

Cost: every string value is case-folded at most once per request (`_Folds`, shared by every clause),
and before a filter is evaluated over a collection its work is estimated (`Filter.work`, see
`_Work`) so that the caller can refuse one that would cost too much (shared/query/paging.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
#: A property path, or `MEMBER` for the current `any` member.
Where = tuple[str, ...]
MEMBER: Where = ()

#: Work units of the estimate (`_Work`): one unit is about one step of comparing two characters.
#: Evaluating one node of the expression once (a comparison, a function, and/or/not, an `any` step).
NODE_WORK = 2000
#: Case-folding (or converting) one character of a stored value, once per value and request.
FOLD_WORK = 12
#: `contains`: scanning one character of the value, besides comparing it with the pattern.
_SCAN_WORK = 4
#: Case folding can make a string longer (one character to at most three: "ﬃ" -> "ffi").
_FOLD_GROWTH = 3

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
    """The compiled `$filter` for `facet_type`; 400 for anything malformed or unsupported.

    The result belongs to one request: it remembers the case-folded form of every value it reads.
    """
    compiler = _Compiler(facet_type)
    predicate = compiler.boolean(parse(text), None)

    def matches(body: Mapping[str, Any]) -> bool:
        return predicate(body, None) is True

    return Filter(text, matches, compiler.top.estimate)


class _Folds:
    """The case-folded form of each string value, computed once per request whatever number of
    clauses compare it (a dictionary keyed by the value: equal values fold once)."""

    def __init__(self) -> None:
        self.folded: dict[str, str] = {}

    def __call__(self, raw: Any) -> str | None:
        if not isinstance(raw, str):
            return None
        folded = self.folded.get(raw)
        if folded is None:
            folded = self.folded[raw] = raw.casefold()
        return folded


def _size(raw: Any) -> int:
    """An upper bound of the length of a value once case-folded (0 for anything but a string)."""
    if not isinstance(raw, str):
        return 0
    return len(raw) if raw.isascii() else _FOLD_GROWTH * len(raw)


class _Work:
    """The work of evaluating a filter (or an `any` body) once, as a linear function of the data.

    Per evaluation: `nodes` node steps, `fixed` character steps (literal lengths: equality and
    prefix tests stop within the literal), and for `contains` the product of the value's length and
    the pattern's (`chars`: steps per character of each property value, `MEMBER` for the `any`
    member). Once per facet and request: folding each value in `folds`. `anys`: each `any` body with
    its collection path, evaluated once per member.
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.fixed = 0
        self.chars: dict[Where, int] = {}
        self.folds: set[Where] = set()
        self.anys: list[tuple[Where, _Work]] = []
        self.readers: dict[Where, Callable[[Mapping[str, Any]], Any]] = {}

    def char_steps(self, where: Where, per_char: int) -> None:
        self.chars[where] = self.chars.get(where, 0) + per_char

    def estimate(self, bodies: Iterable[Mapping[str, Any]], limit: int | None = None) -> int:
        """The work units of evaluating the filter over `bodies`; stops counting once past `limit`."""
        total = 0
        for body in bodies:
            sizes: dict[Where, int] = {}
            folded = self.folds - {MEMBER}
            total += self._evaluation(body, sizes) + sum(FOLD_WORK * self._sized(p, body, sizes) for p in folded)
            collections: dict[Where, tuple[int, int]] = {}  # path -> (members, their total size)
            folded_members: set[Where] = set()
            for path, inner in self.anys:
                found = collections.get(path)
                if found is None:
                    members = _members(self.readers[path](body))
                    found = collections[path] = (len(members), sum(_size(member) for member in members))
                count, member_size = found
                total += count * inner._evaluation(body, sizes) + inner.chars.get(MEMBER, 0) * member_size
                for where in inner.folds - folded - {MEMBER}:
                    total += FOLD_WORK * self._sized(where, body, sizes)
                    folded.add(where)
                if MEMBER in inner.folds and path not in folded_members:
                    total += FOLD_WORK * member_size
                    folded_members.add(path)
            if limit is not None and total > limit:
                break
        return total

    def _evaluation(self, body: Mapping[str, Any], sizes: dict[Where, int]) -> int:
        """One evaluation of this scope over `body`, not counting the characters of `any` members."""
        units = NODE_WORK * self.nodes + self.fixed
        for where, per_char in self.chars.items():
            if where != MEMBER:
                units += per_char * self._sized(where, body, sizes)
        return units

    def _sized(self, where: Where, body: Mapping[str, Any], sizes: dict[Where, int]) -> int:
        size = sizes.get(where)
        if size is None:
            size = sizes[where] = _size(self.readers[where](body))
        return size


class _Operand:
    """A typed property operand: how to read it, what it compares as, and where it is (`MEMBER`: the
    `any` member)."""

    def __init__(
        self, getter: Getter, name: str, kind: Kind | None, query_type: str | None, where: Where = MEMBER
    ) -> None:
        self.getter = getter
        self.name = name
        self.kind = kind
        self.query_type = query_type
        self.where = where


class _Compiler:
    def __init__(self, facet_type: FacetType) -> None:
        self.facet_type = facet_type
        self.fold = _Folds()
        #: The work of the scope being compiled: the whole filter, or an `any` body.
        self.work = self.top = _Work()

    def boolean(self, node: Node, scope: str | None) -> Predicate:
        """A predicate for a node that must be a boolean expression."""
        self.work.nodes += 1
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
        self.top.readers[path] = read
        return _Operand(lambda body, member: read(body), "/".join(path), kind, kind.query_type, path)

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
        if isinstance(value, str):
            self.work.fixed += len(value)
        if query_type == "datetime":
            self.work.folds.add(operand.where)  # parsed once per value (cached), like a fold
        if query_type == "string" and op in ("eq", "ne"):
            wanted = None if value is None else value.casefold()
            fold = self.fold
            self.work.folds.add(operand.where)
            return lambda body, member: test(fold(getter(body, member)), wanted)
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
        fold = self.fold
        self.work.folds.add(operand.where)
        if name == "contains":  # at worst every position of the value against the whole pattern
            self.work.char_steps(operand.where, len(wanted) + _SCAN_WORK)
        else:
            self.work.fixed += len(wanted)

        def string_function(body: Mapping[str, Any], member: Any) -> bool | None:
            folded = fold(getter(body, member))
            return None if folded is None else test(folded)

        return string_function

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
        self.top.readers[path] = read
        if node.variable is None or node.body is None:
            return lambda body, member: bool(_members(read(body)))
        outer, self.work = self.work, _Work()
        outer.anys.append((path, self.work))
        self.work.readers = self.top.readers
        self.work.nodes = 1  # the step to each member
        try:
            inner = self.boolean(node.body, node.variable)
        finally:
            self.work = outer

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
    return _junction(parts, decisive=False)


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    return _junction(parts, decisive=True)


def _junction(parts: tuple[Predicate, ...], *, decisive: bool) -> Predicate:
    """`and` (decided by the first False) or `or` (by the first True), with OData's unknown (None) kept."""

    def junction(body: Mapping[str, Any], member: Any) -> bool | None:
        unknown = False
        for part in parts:
            result = part(body, member)
            if result is decisive:
                return decisive
            unknown = unknown or result is None
        return None if unknown else not decisive

    return junction


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def _boolean(raw: Any) -> bool | None:
    return raw if isinstance(raw, bool) else None


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
    "eq": _eq,
    "ne": _ne,
    "gt": _gt,
    "ge": _ge,
    "lt": _lt,
    "le": _le,
}


def _type_name(query_type: str) -> str:
    return {"enum": "an enum", "datetime": "a date-time", "date": "a date"}.get(query_type, f"a {query_type}")


def _literal_name(literal: Literal) -> str:
    return {
        "string": "a string",
        "number": "a number",
        "boolean": "a boolean",
        "date": "a date",
        "datetime": "a date-time",
    }.get(literal.kind, "that value")
