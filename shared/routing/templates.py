"""Parsing and matching of ASP.NET-style route templates (`users/{user:guid}/profile`, `{*rest}`).

A template is parsed once (`Template.parse`); a request path is split and percent-decoded once
(`RequestPath.parse`) and then matched against any number of templates without further decoding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from shared.routing.constraints import Check, build_constraint

# Precedence digit of each segment kind, as ASP.NET Core's RoutePrecedence.ComputeInbound: lower wins.
LITERAL, COMPLEX, CONSTRAINED, PARAMETER, CATCH_ALL = 1, 2, 3, 4, 5
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Param:
    """A `{name[:constraint...][?|=default]}` or `{*name}` segment."""

    name: str
    checks: tuple[Check, ...] = ()
    optional: bool = False
    default: str | None = None
    catch_all: bool = False

    def accepts(self, value: str) -> bool:
        """True when every constraint accepts the (decoded) value."""
        return all(check(value) for check in self.checks)


@dataclass(frozen=True)
class Complex:
    """A segment mixing literals and parameters, such as `{name}.{ext}`."""

    pattern: re.Pattern[str]
    params: tuple[Param, ...] = field(default=())


Segment = str | Param | Complex


def decode(raw: str) -> str:
    """Percent-decode one path segment as UTF-8 (`%40` -> `@`, `%2F` stays inside the value)."""
    return unquote(raw, encoding="utf-8", errors="replace")


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses (constraint arguments may contain it)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def parse_param(token: str, template: str) -> Param:
    """Parse the inside of `{...}`."""
    catch_all = token.startswith("*")
    token = token.lstrip("*")
    optional = token.endswith("?")
    token = token[:-1] if optional else token
    head, *default = _split_top(token, "=")
    name, *constraints = _split_top(head, ":")
    if not _NAME.match(name) or len(default) > 1:
        raise ValueError(f"invalid route parameter '{{{token}}}' in '{template}'")
    checks = tuple(build_constraint(c) for c in constraints)
    return Param(name, checks, optional, default[0] if default else None, catch_all)


def parse_segment(text: str, template: str) -> Segment:
    """Parse one template segment into a literal (kept lower-case), a parameter or a complex segment."""
    if "{" not in text and "}" not in text:
        return text.lower()
    whole = _TOKEN.fullmatch(text)
    if whole:
        return parse_param(whole[1], template)
    params, pattern, pos = [], "", 0
    for m in _TOKEN.finditer(text):
        pattern += re.escape(text[pos : m.start()])
        param = parse_param(m[1], template)
        if param.catch_all or param.optional or param.default is not None:
            raise ValueError(f"unsupported parameter in complex segment '{text}' of '{template}'")
        params.append(param)
        pattern += f"(?P<{param.name}>.+?)"
        pos = m.end()
    rest = text[pos:]
    if "{" in rest or "}" in rest:
        raise ValueError(f"unbalanced braces in route template '{template}'")
    return Complex(re.compile(pattern + re.escape(rest) + "$", re.IGNORECASE | re.S), tuple(params))


def parse_template(template: str) -> tuple[Segment, ...]:
    """Parse a whole template; `~/` and surrounding slashes are ignored."""
    text = template.removeprefix("~").strip("/")
    segments = tuple(parse_segment(s, template) for s in text.split("/")) if text else ()
    for i, seg in enumerate(segments):
        if isinstance(seg, Param) and seg.catch_all and i != len(segments) - 1:
            raise ValueError(f"a catch-all parameter must be the last segment in '{template}'")
    return segments


def rank(segment: Segment) -> int:
    """The segment's precedence digit (lower is tried first)."""
    if isinstance(segment, str):
        return LITERAL
    if isinstance(segment, Complex):
        return COMPLEX
    if segment.catch_all:
        return CATCH_ALL
    return CONSTRAINED if segment.checks else PARAMETER


@dataclass(frozen=True)
class RequestPath:
    """A request path split into segments once: percent-decoded (UTF-8) and lower-cased for literals.

    Splitting happens on the raw path, so `%2F` stays inside a segment (as `/` once decoded); leading
    slashes and one trailing slash are ignored.
    """

    decoded: tuple[str, ...]
    lowered: tuple[str, ...]

    @classmethod
    def parse(cls, raw_path: str) -> RequestPath:
        decoded = tuple(decode(s) for s in split_path(raw_path))
        return cls(decoded, tuple(s.lower() for s in decoded))


def split_path(raw_path: str) -> list[str]:
    """Split a raw request path into raw segments, ignoring leading slashes and one trailing slash."""
    path = raw_path.lstrip("/")
    path = path[:-1] if path.endswith("/") else path
    return path.split("/") if path else []


def match(segments: tuple[Segment, ...], path: RequestPath) -> dict[str, str] | None:
    """Match a split request path; return the decoded route values, or None."""
    values: dict[str, str] = {}
    decoded = path.decoded
    for i, seg in enumerate(segments):
        if isinstance(seg, Param) and seg.catch_all:
            return _bind(seg, "/".join(decoded[i:]), values)
        if i >= len(decoded):
            if isinstance(seg, Param) and (seg.optional or seg.default is not None):
                if seg.default is not None:
                    values[seg.name] = seg.default
                continue
            return None
        if not _match_segment(seg, decoded[i], path.lowered[i], values):
            return None
    return values if len(decoded) <= len(segments) else None


def _match_segment(seg: Segment, value: str, lowered: str, values: dict[str, str]) -> bool:
    """Match one present path segment (literal, complex or parameter), recording route values."""
    if isinstance(seg, str):
        return lowered == seg
    if isinstance(seg, Complex):
        found = seg.pattern.match(value)
        if not found or not all(p.accepts(found[p.name]) for p in seg.params):
            return False
        values.update(found.groupdict())
        return True
    return bool(value) and _bind(seg, value, values) is not None


@dataclass(frozen=True)
class Template:
    """A parsed template with what matching needs precomputed: precedence and the path lengths it accepts."""

    text: str
    segments: tuple[Segment, ...]
    precedence: tuple[int, ...]
    min_length: int
    max_length: int | None  # None: a catch-all takes any number of segments

    @classmethod
    def parse(cls, text: str) -> Template:
        """Parse `text`; raises ValueError for a malformed template or an unknown constraint."""
        segments = parse_template(text)
        required = [i for i, s in enumerate(segments) if not _may_be_absent(s)]
        catch_all = bool(segments) and isinstance(segments[-1], Param) and segments[-1].catch_all
        return cls(text, segments, tuple(rank(s) for s in segments), (required[-1] + 1) if required else 0,
                   None if catch_all else len(segments))

    def match(self, path: RequestPath) -> dict[str, str] | None:
        """The route values when the path matches, else None (lengths are checked first, cheaply)."""
        length = len(path.decoded)
        if length < self.min_length or (self.max_length is not None and length > self.max_length):
            return None
        return match(self.segments, path)


def _may_be_absent(segment: Segment) -> bool:
    """True for a parameter that may match no path segment (optional, defaulted or catch-all)."""
    return isinstance(segment, Param) and (segment.optional or segment.default is not None or segment.catch_all)


def _bind(param: Param, value: str, values: dict[str, str]) -> dict[str, str] | None:
    """Record a parameter's value (or its default when empty); None if a constraint rejects it."""
    if not value:
        if param.default is not None:
            values[param.name] = param.default
        return values
    if not param.accepts(value):
        return None
    values[param.name] = value
    return values
