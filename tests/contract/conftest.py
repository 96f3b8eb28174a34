"""The contract suite's fixture: one `repository` per adapter (sqlite, cosmos), fresh per test."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.helpers import guid


@pytest.fixture(params=["sqlite", "cosmos"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A ProfileRepository on an empty store."""
    if request.param == "sqlite":
        from shared.repository.sqlite import SqliteRepository

        repo = SqliteRepository(str(tmp_path / "profiles.sqlite3"))
    else:
        from shared.repository.cosmos import CosmosRepository

        repo = CosmosRepository.from_settings(request.getfixturevalue("cosmos_settings"))
    try:
        yield repo
    finally:
        repo.close()


@pytest.fixture
def tenant() -> str:
    return guid()


@pytest.fixture
def oid() -> str:
    return guid()
