"""The Graph directory: lookups cached per process (counted at the stub), the caller, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import composition
from shared.directory.cache import CachePolicy, DirectoryCache
from shared.directory.graph import GraphDirectory
from shared.directory.graph_client import GraphClient
from shared.directory.local import LocalDirectory
from shared.errors import ServiceUnavailable
from tests.support.graph_stub import GraphStub
from tests.unit.directory.conftest import TENANT, delegated

OID = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
UPN = "Adele.Vance@contoso.test"


def test_a_warm_lookup_costs_no_call_by_either_key(graph_stub: GraphStub, graph_directory: GraphDirectory) -> None:
    graph_stub.add_user(UPN, oid=OID, age_group="adult")
    first = graph_directory.by_upn(TENANT, UPN.upper())
    assert first is not None and graph_stub.user_requests == 1
    assert graph_directory.by_upn(TENANT, UPN.lower()) == first
    assert graph_directory.by_id(TENANT, OID.upper()) == first
    assert graph_directory.caller(delegated(OID, UPN)) == first
    assert graph_stub.user_requests == 1


def test_an_unknown_user_is_asked_again_only_after_the_negative_age(graph_stub: GraphStub) -> None:
    now = [0.0]
    cache = DirectoryCache(CachePolicy(ttl=300, negative_ttl=30), clock=lambda: now[0])
    directory = GraphDirectory(GraphClient(graph_stub.base_url), cache)
    assert directory.by_upn(TENANT, UPN) is None
    assert directory.by_upn(TENANT, UPN) is None
    assert graph_stub.user_requests == 1
    graph_stub.add_user(UPN, oid=OID)
    now[0] = 30.0
    found = directory.by_upn(TENANT, UPN)
    assert found is not None and found.object_id == OID and graph_stub.user_requests == 2


def test_an_entry_expires(graph_stub: GraphStub) -> None:
    now = [0.0]
    directory = GraphDirectory(GraphClient(graph_stub.base_url), DirectoryCache(clock=lambda: now[0]))
    graph_stub.add_user(UPN, oid=OID, age_group="minor")
    assert directory.by_id(TENANT, OID).age_group == "minor"  # type: ignore[union-attr]
    graph_stub.users[OID]["ageGroup"] = "adult"
    now[0] = directory.cache.policy.ttl
    assert directory.by_id(TENANT, OID).age_group == "adult"  # type: ignore[union-attr]
    assert graph_stub.user_requests == 2


def test_the_caller_unknown_to_graph_is_described_by_its_token(
    graph_stub: GraphStub, graph_directory: GraphDirectory
) -> None:
    me = graph_directory.caller(delegated(OID, UPN, "Adele Vance"))
    assert (me.object_id, me.user_principal_name, me.display_name, me.age_group) == (OID, UPN, "Adele Vance", None)
    assert graph_stub.user_requests == 1


def test_the_caller_gets_graphs_properties(graph_stub: GraphStub, graph_directory: GraphDirectory) -> None:
    graph_stub.add_user(UPN, oid=OID, age_group="notAdult", user_type="Guest", external_user_state="Accepted")
    me = graph_directory.caller(delegated(OID, "token-upn@contoso.test"))
    assert (me.user_principal_name, me.age_group, me.user_persona) == (UPN, "notAdult", "externalGuest")


def test_an_outage_is_503_and_is_not_cached(graph_stub: GraphStub, graph_directory: GraphDirectory) -> None:
    graph_stub.add_user(UPN, oid=OID)
    graph_stub.outage = True
    graph_directory.client._sleep = lambda _s: None
    with pytest.raises(ServiceUnavailable):
        graph_directory.by_upn(TENANT, UPN)
    with pytest.raises(ServiceUnavailable):
        graph_directory.caller(delegated(OID, UPN))
    graph_stub.outage = False
    assert graph_directory.by_upn(TENANT, UPN) is not None


def test_the_composition_root_picks_the_adapter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, graph_stub: GraphStub
) -> None:
    monkeypatch.setenv("PROFILE_SQLITE_PATH", str(tmp_path / "p.sqlite3"))
    monkeypatch.delenv("DIRECTORY", raising=False)
    composition.reset()
    try:
        assert isinstance(composition.directory(), LocalDirectory)
        assert composition.directory() is composition.directory()
        monkeypatch.setenv("DIRECTORY", "graph")
        monkeypatch.setenv("GRAPH_ENDPOINT", graph_stub.base_url)
        composition.reset()
        chosen = composition.directory()
        assert isinstance(chosen, GraphDirectory) and chosen.client.endpoint == graph_stub.base_url
        assert not chosen.client.sends_token
    finally:
        composition.reset()
