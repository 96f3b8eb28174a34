"""The `Prefer` request header (RFC 7240) on the read routes: `odata.maxpagesize` (OData v4.01 §8.2.8.3).

- Preferences are comma-separated; each is a name, optionally `=value` (a token or a quoted string),
  optionally followed by `;` parameters, which are ignored. Names are case-insensitive; several
  `Prefer` headers arrive joined by commas. `maxpagesize` (OData v4.01 also takes it without
  `odata.`) is honoured when its value is a whole number of ASCII digits from 1 upwards: a page then
  holds at most that many items (at most `MAX_TOP`: larger values are applied as `MAX_TOP`), and the
  response says so with `Preference-Applied: odata.maxpagesize=<applied>`.
- A malformed or unknown preference is ignored, as RFC 7240 §2 asks; so is a second `maxpagesize`.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.query.model import MAX_TOP, PageLimits

#: The response header that tells which preferences were applied.
PREFERENCE_APPLIED = "Preference-Applied"
_NAMES = ("odata.maxpagesize", "maxpagesize")
#: Values longer than this are not numbers we could honour (and are never converted).
_MAX_DIGITS = 9


def max_page_size(headers: Mapping[str, str]) -> int | None:
    """The page size the client prefers (1..`MAX_TOP`, larger values lowered to it), or None."""
    value = headers.get("prefer")
    if not value:
        return None
    for preference in value.split(","):
        name, _, raw = preference.split(";", 1)[0].partition("=")
        if name.strip().lower() not in _NAMES:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_DIGITS or int(raw) < 1:
            return None
        return min(int(raw), MAX_TOP)
    return None


def page_limits(headers: Mapping[str, str], max_bytes: int) -> tuple[PageLimits, dict[str, str]]:
    """The limits of a page for this request, and the response headers that report the preference applied."""
    size = max_page_size(headers)
    if size is None:
        return PageLimits(max_items=MAX_TOP, max_bytes=max_bytes), {}
    return PageLimits(max_items=size, max_bytes=max_bytes), {PREFERENCE_APPLIED: f"odata.maxpagesize={size}"}
