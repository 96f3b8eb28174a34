"""Helpers for naming client-supplied things in messages without echoing unbounded input."""

from __future__ import annotations

#: Longest client-supplied name quoted in a message or a `target`.
MAX_QUOTED = 64


def shorten(name: str) -> str:
    """`name`, cut to MAX_QUOTED characters (with an ellipsis) so messages stay small."""
    return name if len(name) <= MAX_QUOTED else name[:MAX_QUOTED] + "\u2026"
