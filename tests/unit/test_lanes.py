"""The order `make test`'s lanes take the files in (tests/support/lanes.py): long-running files first, fewest
tests first, then the others, most tests first; each file's own tests keep their order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support import lanes


@dataclass
class Item:
    """The two things the ordering reads of a pytest item: its node id and its markers."""

    nodeid: str
    long_running: bool = False

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == lanes.MARKER and self.long_running else None


def items(file: str, count: int, *, long_running: bool = False) -> list[Item]:
    return [Item(f"{file}::test_{index}", long_running) for index in range(count)]


def test_long_running_files_first_fewest_tests_first_then_the_others_most_tests_first() -> None:
    collected = [
        *items("a.py", 2),
        *items("b.py", 5, long_running=True),
        *items("c.py", 9),
        *items("d.py", 1, long_running=True),
        *items("e.py", 2),
    ]
    lanes.pytest_collection_modifyitems(collected)  # type: ignore[arg-type]
    assert [item.nodeid for item in collected] == [
        "d.py::test_0",
        *(f"b.py::test_{index}" for index in range(5)),
        *(f"c.py::test_{index}" for index in range(9)),
        *(f"a.py::test_{index}" for index in range(2)),  # a tie with e.py keeps the collection's order
        *(f"e.py::test_{index}" for index in range(2)),
    ]


def test_the_marker_is_registered(pytestconfig: pytest.Config) -> None:
    assert any(line.startswith(f"{lanes.MARKER}:") for line in pytestconfig.getini("markers"))
