"""The contract suite's fixtures: `repo`, one ProfileRepository per adapter, fresh per test, on a store where
the test's tenant and users are new (every test writes under a fresh tenant or object id: `tenant`, `oid`).

Adapters: `sqlite` (an empty file in tmp_path) and `cosmos` (marker `cosmos`; skipped when the server cannot
start, failed with CI=true): the run's shared database on the Cosmos-protocol test server
(`cosmos_shared_settings`), or, for a test marked `empty_store`, a fresh database of its own
(`cosmos_settings`): for tests that depend on what the whole store holds, such as the first write of a
deployment-wide secret.
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
    """Opens repositories on one store (see the module docstring); every one opened is closed at teardown."""
    opened: list[ProfileRepository] = []
    if request.param == "sqlite":
        from shared.repository.sqlite import SqliteRepository

        path = str(tmp_path / "profiles.sqlite3")

        def open_one() -> ProfileRepository:
            return SqliteRepository(path)
    else:
        from shared.repository.cosmos import CosmosRepository

        private = request.node.get_closest_marker("empty_store") is not None
        settings = request.getfixturevalue("cosmos_settings" if private else "cosmos_shared_settings")

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
    """A ProfileRepository on a store where the test's tenant and users are new (`empty_store`: an empty one)."""
    return open_repository()


@pytest.fixture(params=SAMPLE_TYPES, ids=lambda facet_type: facet_type.collection)
def facet_type(request: pytest.FixtureRequest) -> FacetType:
    """Each of the sample facet types (account, skills, positions)."""
    return request.param


@pytest.fixture
def tenant() -> str:
    """A tenant id no other test uses (so a shared store looks empty to the test)."""
    return guid()


@pytest.fixture
def oid() -> str:
    """An object id no other test uses."""
    return guid()
