"""What the repository port hands the delta service: changed facets and tombstones, a page at a time.

Layout and ordering per store: docs/data-model.md, "Change tracking". In short: every write that
changes a facet stamps it with a number taken in the same transaction or batch (`seq`); a delete
leaves a tombstone stamped the same way and kept for `TOMBSTONE_RETENTION_S`.

Two values are the adapter's own and opaque to the service (JSON, sealed into tokens by it):
- a **cursor**: where a round starts (what a deltaLink remembers);
- a **position**: where the next page of the same round starts (what a nextLink remembers).
"""

from __future__ import annotations

from typing import Any, Final

from shared.repository.port import Facet

#: How long a delta token is honoured (Graph's lifetime for identity resources).
RETENTION_S: Final = 7 * 24 * 3600
#: How long a tombstone is kept: the retention window plus an hour for clock differences between
#: the instance that deleted and the one that checks a token's age (ages never order changes).
TOMBSTONE_RETENTION_S: Final = RETENTION_S + 3600

#: JSON values the adapter puts in cursors and positions.
Cursor = Any
Position = Any


class InvalidCursor(Exception):
    """A cursor or position this store did not issue (e.g. one sealed before a change of store)."""


def change_number(value: object) -> int:
    """A change number an adapter issued in a cursor or position (the service passes back what it sealed)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < -1:
        raise InvalidCursor("not a change number of this store")
    return value


def page_position(after: Position | None, floor: int) -> tuple[int | None, tuple[int, str, str, str]]:
    """(the counter at the round's start, the keyset position) of a per-user page, as both adapters issue
    it; the round's first page starts at `floor`."""
    if after is None:
        return None, (floor, "", "", "")
    if not (isinstance(after, list) and len(after) == 5 and all(isinstance(part, str) for part in after[2:])):
        raise InvalidCursor("not a position of this store")
    return change_number(after[0]), (change_number(after[1]), after[2], after[3], after[4])


class Change:
    """One changed facet (`facet` is its stored JSON) or one deleted facet (`facet` is None)."""

    __slots__ = ("collection", "facet", "facet_id", "object_id", "seq")

    def __init__(self, object_id: str, collection: str, facet_id: str, facet: Facet | None, seq: int) -> None:
        self.object_id = object_id
        self.collection = collection
        self.facet_id = facet_id
        self.facet = facet
        self.seq = seq

    @property
    def deleted(self) -> bool:
        return self.facet is None

    def __repr__(self) -> str:
        state = "deleted" if self.facet is None else "changed"
        return f"Change({self.object_id}/{self.collection}/{self.facet_id} {state} seq={self.seq})"


class ChangePage:
    """One page of a round: its changes, then either where the next page starts or where the next round does."""

    __slots__ = ("after", "changes", "cursor")

    def __init__(self, changes: list[Change], *, after: Position | None, cursor: Cursor | None) -> None:
        #: In the order the round delivers them.
        self.changes = changes
        #: Set when more pages follow (then `cursor` is None).
        self.after = after
        #: Set on the last page: the next round starts here.
        self.cursor = cursor

    def __repr__(self) -> str:
        return f"ChangePage({len(self.changes)} changes, after={self.after!r}, cursor={self.cursor!r})"
