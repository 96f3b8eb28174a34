"""Directory fixtures: callers, and `world` — each directory adapter with a way to add users to it.

`world` is parametrised over both adapters, so a contract test runs against the local directory
(a real SQLite repository) and the Graph directory (the Graph stub over real HTTP).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.auth import Principal
from shared.directory import Directory
from shared.directory.graph import GraphDirectory
from shared.directory.graph_client import GraphClient
from shared.directory.local import LocalDirectory
from shared.repository.sqlite import SqliteRepository
from tests.support.graph_stub import GraphStub

TENANT = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"


def delegated(
    oid: str,
    upn: str | None = None,
    name: str | None = "Test User",
    scopes: str = "User.ReadWrite",
    tenant: str = TENANT,
) -> Principal:
    """A delegated caller as the authenticator builds it from a token."""
    return Principal(
        tenant_id=tenant,
        object_id=oid,
        is_app=False,
        scopes=frozenset(scopes.split()),
        roles=frozenset(),
        app_id="app",
        app_display_name=None,
        upn=upn,
        display_name=name,
    )


def app_only(roles: str = "User.ReadWrite.All", tenant: str = TENANT) -> Principal:
    """An app-only caller (client credentials)."""
    return Principal(
        tenant_id=tenant,
        object_id="11111111-2222-4333-8444-555555555555",
        is_app=True,
        scopes=frozenset(),
        roles=frozenset(roles.split()),
        app_id="app",
        app_display_name="Sync",
        upn=None,
        display_name=None,
    )


@dataclass
class World:
    """A directory adapter and how to make a user known to it."""

    kind: str
    directory: Directory
    add_user: Callable[[str, str, str], None]  # (oid, upn, display name)
    #: Graph answers only for users it has; the local directory takes any GUID as a user.
    knows_every_guid: bool
    stub: GraphStub | None = None


def graph_world(stub: GraphStub) -> World:
    def add(oid: str, upn: str, name: str) -> None:
        stub.add_user(upn, oid=oid, display_name=name)

    return World("graph", GraphDirectory(GraphClient(stub.base_url)), add, False, stub)


def local_world(path: Path) -> Iterator[World]:
    repo = SqliteRepository(str(path))
    directory = LocalDirectory(repo)

    def add(oid: str, upn: str, name: str) -> None:
        directory.remember(delegated(oid, upn, name))  # the local directory learns users from their tokens

    yield World("local", directory, add, True)
    repo.close()


@pytest.fixture(params=["local", "graph"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "graph":
        yield graph_world(request.getfixturevalue("graph_stub"))
    else:
        yield from local_world(tmp_path / "profiles.sqlite3")


@pytest.fixture
def graph_directory(graph_stub: GraphStub) -> GraphDirectory:
    directory = graph_world(graph_stub).directory
    assert isinstance(directory, GraphDirectory)
    return directory
