"""Linear scans over JSON text: the nesting guard, and locators for errors `json` reports without a position.

None of these is a parser: they only skip string literals and look at brackets and single tokens, so
they never recurse. The locators run only after `json` has already found a problem; `explain` turns
`json`'s own error into plain words.
"""

from __future__ import annotations

import json
import re

#: The deepest nesting accepted; the top-level object is level 1.
MAX_DEPTH = 32

_STRING = r'"(?:[^"\\]|\\.)*"'
# A string literal (possibly unterminated, so it never re-enters its own contents) or a bracket.
_STRUCTURE = re.compile(_STRING + r"?|[\[\]{}]", re.S)
# A complete string literal, optionally followed by ':' (then it is a property name), or a bracket.
_KEYS = re.compile(r"(?P<str>" + _STRING + r")(?P<colon>[ \t\r\n]*:)?|[\[\]{}]", re.S)
_STRINGS = re.compile(_STRING, re.S)
_WS = " \t\r\n"
_REASONS = (
    ("Expecting property name", "expected a property name in double quotes"),
    ("Expecting value", "expected a JSON value"),
    ("Expecting ',' delimiter", "expected ',' or a closing bracket"),
    ("Expecting ':' delimiter", "expected ':' after a property name"),
    ("Invalid control character", "unescaped control character in a string"),
    ("Unterminated string", "unterminated string"),
    ("Invalid \\uXXXX escape", "invalid \\u escape"),
    ("Invalid \\escape", "invalid escape sequence"),
    ("Extra data", "unexpected data after the JSON value"),
)


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column (in characters) of offset `pos`, counting lines as `json` does."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


def find_excess_depth(text: str, limit: int = MAX_DEPTH) -> int | None:
    """Offset of the first '[' or '{' that opens level `limit + 1`, or None."""
    if text.count("[") + text.count("{") <= limit:
        return None  # cannot nest deeper than the number of opening brackets
    depth = 0
    for match in _STRUCTURE.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def previous_significant(text: str, pos: int) -> int | None:
    """Offset of the last non-whitespace character before `pos`, or None."""
    stripped = text[:pos].rstrip(_WS)
    return len(stripped) - 1 if stripped else None


def locate_token(text: str, pattern: str) -> int:
    """Offset of the first match of `pattern` outside string literals (0 when there is none)."""
    regex = re.compile(_STRING + r"|(" + pattern + r")", re.S)
    for match in regex.finditer(text):
        if match.group(1) is not None:
            return match.start(1)
    return 0


def locate_number(text: str, literal: str) -> int:
    """Offset of the number token `literal` (not part of a longer number, not inside a string)."""
    return locate_token(text, r"(?<![\w.+-])" + re.escape(literal) + r"(?![\w.+-])")


def locate_duplicate_key(text: str) -> tuple[int, str] | None:
    """Offset and name of the first property name repeated within its object, in document order."""
    stack: list[set[str] | None] = []
    for match in _KEYS.finditer(text):
        token = match.group("str")
        if token is None:
            bracket = match.group(0)
            if bracket in "[{":
                stack.append(set() if bracket == "{" else None)
            elif stack:
                stack.pop()
            continue
        if match.group("colon") is None or not stack or stack[-1] is None:
            continue
        try:
            name = json.loads(token)
        except ValueError:
            continue
        if name in stack[-1]:
            return match.start(), name
        stack[-1].add(name)
    return None


def locate_unpaired_surrogate(text: str) -> int:
    """Offset of the first string literal whose escapes decode to an unpaired surrogate (0 if none)."""
    for match in _STRINGS.finditer(text):
        token = match.group(0)
        if "\\u" not in token:
            continue
        try:
            json.loads(token).encode("utf-8")
        except (UnicodeEncodeError, ValueError):
            return match.start()
    return 0


def explain(text: str, exc: json.JSONDecodeError) -> tuple[int, str]:
    """Offset and plain-words reason for a JSONDecodeError (a trailing comma is reported at the comma)."""
    pos, char = exc.pos, text[exc.pos : exc.pos + 1]
    if char in ("}", "]"):
        prev = previous_significant(text, pos)
        if prev is not None and text[prev] == ",":
            return prev, "trailing comma"
    if char == "'":
        return pos, "single quotes are not allowed; use double quotes"
    if not char or not text[pos:].strip(_WS):
        return pos, "unexpected end of input"
    for prefix, reason in _REASONS:
        if exc.msg.startswith(prefix):
            return pos, reason
    return pos, "malformed JSON"
