"""The query string as the Functions host hands it to a function (`func.HttpRequest.params`).

Parsed from the raw query (`+` is a space); like the host (ASP.NET Core's `StringValues`), keys are
case-insensitive, the values of a repeated key are joined with `,` (`?a=1&a=2` → `"1,2"`) and keys
whose values are all empty are dropped. The local host (devhost) and `$batch` items use this one rule.
"""

from __future__ import annotations

from urllib.parse import parse_qsl


def parse_query_string(query_string: str) -> dict[str, str]:
    """`params` for a raw query string (without `?`), spelled as first written."""
    merged: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="replace"):
        spelled.setdefault(key.lower(), key)
        merged.setdefault(key.lower(), []).append(value)
    joined = {spelled[k]: ",".join(v for v in values if v) for k, values in merged.items()}
    return {k: v for k, v in joined.items() if v}
