"""The contract suite's fixtures: `repo`, one ProfileRepository per adapter on an empty store, fresh per test.

Adapters: `sqlite` (a file in tmp_path) and `cosmos` (a fresh database on the Cosmos-protocol test
server, marker `cosmos`; skipped when the server cannot start, failed with CI=true).
`open_repository()` opens another instance on the same store (what another process would see).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.facets.model import FacetType
from shared.repository import ProfileRepository
from tests.contract.helpers import SAMPLE_TYPES, guid

STORES = ["sqlite", pytest.param("cosmos", marks=pytest.mark.cosmos)]


@pytest.fixture(params=STORES)
def open_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], ProfileRepository]]:
    """Opens repositories on one empty store; every one opened is closed at teardown."""
    opened: list[ProfileRepository] = []
    if request.param == "sqlite":
        from shared.repository.sqlite import SqliteRepository

        path = str(tmp_path / "profiles.sqlite3")

        def open_one() -> ProfileRepository:
            return SqliteRepository(path)
    else:
        from shared.repository.cosmos import CosmosRepository

        settings = request.getfixturevalue("cosmos_settings")

        def open_one() -> ProfileRepository:
            return CosmosRepository.from_settings(settings)

    def factory() -> ProfileRepository:
        opened.append(open_one())
        return opened[-1]

    yield factory
    for repository in opened:
        repository.close()


@pytest.fixture
def repo(open_repository: Callable[[], ProfileRepository]) -> ProfileRepository:
    """A ProfileRepository on an empty store."""
    return open_repository()


@pytest.fixture(params=SAMPLE_TYPES, ids=lambda facet_type: facet_type.collection)
def facet_type(request: pytest.FixtureRequest) -> FacetType:
    """Each of the sample facet types (account, skills, positions)."""
    return request.param


@pytest.fixture
def tenant() -> str:
    return guid()


@pytest.fixture
def oid() -> str:
    return guid()
