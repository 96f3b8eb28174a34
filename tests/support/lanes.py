"""The order `make test`'s parallel lanes take the test files in (pytest-xdist, `--dist loadfile`).

A lane takes a whole file at a time, in the order of the collection (`--no-loadscope-reorder`): the files
marked `long_running` come first, fewest tests first (the fewer a long file's tests, the longer each one
and the less its time spreads), then the others, most tests first. A long file taken last would keep its
lane busy after the others have finished; taken first, the shorter files fill the other lanes around it.
The order changes nothing else: each file still runs whole, in its own order, in one lane.
"""

from __future__ import annotations

from collections import Counter

import pytest

MARKER = "long_running"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: a file that runs far longer than most; `make test`'s lanes start it first"
    )


def file_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long-running files first, fewest tests first, then the others, most tests first; a stable sort, so
    each file keeps its own order and files that tie keep the collection's."""
    counts = Counter(file_of(item) for item in items)
    long_running = {file_of(item) for item in items if item.get_closest_marker(MARKER)}

    def rank(item: pytest.Item) -> tuple[bool, int]:
        name = file_of(item)
        return (False, counts[name]) if name in long_running else (True, -counts[name])

    items.sort(key=rank)
