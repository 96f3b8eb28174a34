"""Route templates as the Functions host matches them: literal segments, `{name}` and a final `{*name}`.

A template is parsed once (`Template.parse`); a request path is split and percent-decoded once
(`RequestPath.parse`) and then matched against any number of templates without further decoding.
Literal segments match case-insensitively; a parameter matches one non-empty segment; a catch-all
takes the rest of the path (possibly nothing). Constraints (`{id:guid}`), optional and default values
and complex segments are refused at parse time: no route of the app uses them, and a template the
app cannot serve should stop start-up rather than route differently from the host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    """A `{name}` segment, or `{*name}` (catch-all, last only)."""

    name: str
    catch_all: bool = False


Segment = str | Param


_ENCODED_SLASH = re.compile(r"(%2[Ff])")


def decode(raw: str) -> str:
    """Percent-decode one path segment as UTF-8 (`%40` -> `@`), except `%2F`, which stays as it was sent.

    The Functions host's server (Kestrel) decodes the request path but leaves `%2F` encoded, and its
    routing passes route values on as they are then, so `users/a%2Fb/profile` binds `user` = `a%2Fb`.
    """
    parts = _ENCODED_SLASH.split(raw)
    return "".join(part if i % 2 else unquote(part, encoding="utf-8", errors="replace") for i, part in enumerate(parts))


def parse_segment(text: str, template: str) -> Segment:
    """One template segment: a literal (kept lower-case) or a parameter."""
    if "{" not in text and "}" not in text:
        return text.lower()
    inner = text[1:-1] if text.startswith("{") and text.endswith("}") else ""
    catch_all = inner.startswith("*")
    name = inner.lstrip("*")
    if not _NAME.match(name):
        raise ValueError(f"unsupported route segment '{text}' in '{template}' (only literals, {{name}} and {{*name}})")
    return Param(name, catch_all)


def parse_template(template: str) -> tuple[Segment, ...]:
    """Parse a whole template; surrounding slashes are ignored."""
    text = template.strip("/")
    segments = tuple(parse_segment(s, template) for s in text.split("/")) if text else ()
    for i, seg in enumerate(segments):
        if isinstance(seg, Param) and seg.catch_all and i != len(segments) - 1:
            raise ValueError(f"a catch-all parameter must be the last segment in '{template}'")
    return segments


@dataclass(frozen=True)
class RequestPath:
    """A request path split into segments once: percent-decoded (UTF-8) and lower-cased for literals.

    Splitting happens on the raw path, so `%2F` stays inside a segment (and encoded: see `decode`);
    leading slashes and one trailing slash are ignored.
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


@dataclass(frozen=True)
class Template:
    """A parsed template with the path lengths it accepts precomputed."""

    text: str
    segments: tuple[Segment, ...]
    min_length: int
    max_length: int | None  # None: a catch-all takes any number of segments

    @classmethod
    def parse(cls, text: str) -> Template:
        """Parse `text`; raises ValueError for a template the host rule here does not serve."""
        segments = parse_template(text)
        catch_all = bool(segments) and isinstance(segments[-1], Param) and segments[-1].catch_all
        length = len(segments)
        return cls(text, segments, length - 1 if catch_all else length, None if catch_all else length)

    def match(self, path: RequestPath) -> dict[str, str] | None:
        """The route values when the path matches, else None (lengths are checked first, cheaply)."""
        length = len(path.decoded)
        if length < self.min_length or (self.max_length is not None and length > self.max_length):
            return None
        values: dict[str, str] = {}
        for i, seg in enumerate(self.segments):
            if isinstance(seg, str):
                if path.lowered[i] != seg:
                    return None
            elif seg.catch_all:
                rest = "/".join(path.decoded[i:])
                if rest:
                    values[seg.name] = rest
                return values
            elif path.decoded[i]:
                values[seg.name] = path.decoded[i]
            else:
                return None
        return values

    def last_literal(self) -> tuple[int, str] | None:
        """(position, lower-case text) of the last literal segment, None when there is none.

        Every segment before a catch-all (which can only be last) stands for exactly one path segment, so a
        matching path holds that literal at that position.
        """
        for position in range(len(self.segments) - 1, -1, -1):
            segment = self.segments[position]
            if isinstance(segment, str):
                return position, segment
        return None
