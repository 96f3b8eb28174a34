"""The directory port's contract, run against both adapters (local: SQLite; graph: the Graph stub)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.unit.directory.conftest import TENANT, World, app_only, delegated

ADELE = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
BEN = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
NOBODY = "ffffffff-0000-4000-8000-000000000000"


def test_a_user_is_found_by_upn_case_insensitively(world: World) -> None:
    world.add_user(ADELE, "Adele.Vance@Contoso.test", "Adele Vance")
    for spelling in ("Adele.Vance@Contoso.test", "adele.vance@contoso.test", "ADELE.VANCE@CONTOSO.TEST"):
        found = world.directory.by_upn(TENANT, spelling)
        assert found is not None and found.object_id == ADELE and found.tenant_id == TENANT
        assert found.user_principal_name == "Adele.Vance@Contoso.test" and found.display_name == "Adele Vance"


def test_a_user_is_found_by_object_id(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele Vance")
    found = world.directory.by_id(TENANT, ADELE)
    assert found is not None and found.object_id == ADELE and found.user_principal_name == "adele@contoso.test"


def test_an_unknown_upn_is_none(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele Vance")
    assert world.directory.by_upn(TENANT, "nobody@contoso.test") is None


def test_an_unknown_object_id(world: World) -> None:
    found = world.directory.by_id(TENANT, NOBODY)
    if world.knows_every_guid:
        assert found is not None and found.object_id == NOBODY and found.user_principal_name is None
    else:
        assert found is None


def test_the_caller_is_always_itself(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele Vance")
    me = world.directory.caller(delegated(ADELE, "adele@contoso.test", "Adele Vance"))
    assert (me.tenant_id, me.object_id, me.user_principal_name) == (TENANT, ADELE, "adele@contoso.test")


def test_remember_is_harmless_for_app_only_callers(world: World) -> None:
    world.directory.remember(app_only())
    assert world.directory.by_upn(TENANT, "adele@contoso.test") is None


def test_users_of_one_tenant_are_not_another_tenants(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele Vance")
    other = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    if world.kind == "local":  # Graph is one tenant's directory; the local store keys users by tenant
        assert world.directory.by_upn(other, "adele@contoso.test") is None


def test_concurrent_lookups_agree(world: World) -> None:
    world.add_user(ADELE, "adele@contoso.test", "Adele Vance")
    world.add_user(BEN, "ben@contoso.test", "Ben Walters")
    refs = ["adele@contoso.test", "BEN@contoso.test"] * 20
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda upn: world.directory.by_upn(TENANT, upn), refs))
    assert [u.object_id if u else None for u in found] == [ADELE, BEN] * 20
