"""resolve_target: the permission check first (no directory call without it), then the lookup."""

from __future__ import annotations

import pytest

from shared.errors import BadRequest, Forbidden, NotFound
from shared.services.users import USER_NOT_FOUND, resolve_target
from tests.support.graph_stub import GraphStub
from tests.unit.directory.conftest import TENANT, World, app_only, delegated

ADELE = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
BEN = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"


def calls(world: World) -> int:
    return world.stub.user_requests if world.stub else 0


def test_a_caller_without_all_learns_nothing_and_costs_no_lookup(world: World) -> None:
    world.add_user(BEN, "ben@contoso.test", "Ben")
    adele = delegated(ADELE, "adele@contoso.test", scopes="User.ReadWrite")
    for ref in ("ben@contoso.test", BEN, "nobody@contoso.test", "x" * 300):
        with pytest.raises(Forbidden):
            resolve_target(world.directory, adele, ref, write=False)
    with pytest.raises(Forbidden):
        resolve_target(world.directory, app_only(roles="User.Read.All"), "ben@contoso.test", write=True)
    assert calls(world) == 0


def test_me_with_an_app_token_is_400_without_a_lookup(world: World) -> None:
    with pytest.raises(BadRequest):
        resolve_target(world.directory, app_only(), "me", write=False)
    assert calls(world) == 0


def test_an_app_reaches_any_directory_user_by_upn(world: World) -> None:
    world.add_user(BEN, "Ben@Contoso.test", "Ben")
    target = resolve_target(world.directory, app_only(), "ben@CONTOSO.test", write=True)
    assert (target.tenant_id, target.object_id, target.own) == (TENANT, BEN, False)
    assert target.user.user_principal_name == "Ben@Contoso.test"


@pytest.mark.parametrize("ref", ["not-a-user", "x" * 257 + "@contoso.test", ""])
def test_neither_guid_nor_upn_is_404_without_a_lookup(world: World, ref: str) -> None:
    with pytest.raises(NotFound) as raised:
        resolve_target(world.directory, app_only(), ref, write=False)
    assert raised.value.message == USER_NOT_FOUND
    assert calls(world) == 0


def test_an_unknown_upn_is_404(world: World) -> None:
    with pytest.raises(NotFound):
        resolve_target(world.directory, app_only(), "nobody@contoso.test", write=False)


def test_an_unknown_guid(world: World) -> None:
    if world.knows_every_guid:  # DIRECTORY=local: a GUID names a user directly, as before
        target = resolve_target(world.directory, app_only(), BEN.upper(), write=False)
        assert target.object_id == BEN and target.user.user_principal_name is None
    else:
        with pytest.raises(NotFound):
            resolve_target(world.directory, app_only(), BEN, write=False)


def test_me_and_the_callers_own_references_are_own(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele")
    adele = delegated(ADELE, "adele@contoso.test", "Adele")
    for ref in ("me", "ME", ADELE, ADELE.upper(), "Adele@Contoso.test"):
        target = resolve_target(world.directory, adele, ref, write=True)
        assert (target.object_id, target.own, target.user.object_id) == (ADELE, True, ADELE)


def test_a_upn_that_turns_out_to_be_the_caller_is_own(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele")
    token_without_upn = delegated(ADELE, None, "Adele", scopes="User.ReadWrite.All")
    target = resolve_target(world.directory, token_without_upn, "adele@contoso.test", write=True)
    assert target.own and target.object_id == ADELE


def test_local_records_delegated_callers_so_their_upn_resolves(tmp_path) -> None:
    from tests.unit.directory.conftest import local_world

    for world in local_world(tmp_path / "p.sqlite3"):
        with pytest.raises(NotFound):
            resolve_target(world.directory, app_only(), "adele@contoso.test", write=False)
        resolve_target(world.directory, delegated(ADELE, "Adele@contoso.test", "Adele"), "me", write=False)
        target = resolve_target(world.directory, app_only(), "adele@contoso.test", write=False)
        assert target.object_id == ADELE and target.user.display_name == "Adele"
        assert target.user.age_group is None and target.user.user_persona is None


def test_graph_supplies_the_directory_properties(graph_stub: GraphStub) -> None:
    from tests.unit.directory.conftest import graph_world

    world = graph_world(graph_stub)
    graph_stub.add_user("ben@contoso.test", oid=BEN, age_group="minor", user_type="Guest")
    target = resolve_target(world.directory, app_only(), "ben@contoso.test", write=True)
    assert (target.user.age_group, target.user.user_persona) == ("minor", "internalGuest")
