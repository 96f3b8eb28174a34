"""Delta query through the app's functions (contract §12): per user and tenant-wide, links, errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.functions.helpers import BASE, FUNCTIONS, created, delete_facet, patch_facet
from tests.support.app import body_of
from tests.support.identity import TEST_OID

ADMIN_OID = "0c5d9b7e-1111-4222-8333-444455556666"


def call_delta(invoke, token, name: str, path: str, *, params=None, headers=None, route_params=None):
    return invoke(
        FUNCTIONS[name], "GET", path, token=token, params=params or {}, headers=headers, route_params=route_params or {}
    )


def follow(invoke, token, name, link: str, **kwargs) -> Any:
    """GET a nextLink or deltaLink exactly as given."""
    parts = urlsplit(link)
    assert link.startswith(BASE)
    return call_delta(
        invoke, token, name, parts.path.removeprefix("/api/"), params=dict(parse_qsl(parts.query)), **kwargs
    )


def walk(invoke, token, name, path, *, params=None, headers=None, route_params=None):
    """Every page of a round: (items, the deltaLink, pages)."""
    response = call_delta(invoke, token, name, path, params=params, headers=headers, route_params=route_params)
    items, pages = [], 0
    while True:
        assert response.status_code == 200, response.get_body()
        body = body_of(response)
        pages += 1
        items += body["value"]
        assert ("@odata.nextLink" in body) != ("@odata.deltaLink" in body)
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        assert body["value"]
        response = follow(invoke, token, name, body["@odata.nextLink"], headers=headers, route_params=route_params)


def test_a_round_in_pages_then_only_the_changes(invoke, identity):
    token = identity.mint()
    made = [created(invoke, token, "skills", {"displayName": f"s{n}"})[0] for n in range(3)]
    prefer = {"Prefer": "odata.maxpagesize=2"}
    first = call_delta(invoke, token, "skills_delta_me", "me/profile/skills/delta", headers=prefer)
    assert first.status_code == 200 and first.headers["Preference-Applied"] == "odata.maxpagesize=2"
    body = body_of(first)
    assert body["@odata.context"] == f"{BASE}/api/$metadata#users('{TEST_OID}')/profile/skills"
    assert body["@odata.nextLink"].startswith(f"{BASE}/api/me/profile/skills/delta?$skiptoken=")
    items, delta_link, pages = walk(invoke, token, "skills_delta_me", "me/profile/skills/delta", headers=prefer)
    assert pages == 2 and [item["id"] for item in items] == [item["id"] for item in made]
    assert delta_link.startswith(f"{BASE}/api/me/profile/skills/delta?$deltatoken=")

    assert patch_facet(invoke, token, "skills", made[0]["id"], {"displayName": "renamed"}).status_code == 200
    assert delete_facet(invoke, token, "skills", made[1]["id"]).status_code == 204
    response = follow(invoke, token, "skills_delta_me", delta_link)
    changes = body_of(response)
    assert [item["id"] for item in changes["value"]] == [made[0]["id"], made[1]["id"]]
    assert changes["value"][0]["displayName"] == "renamed"
    assert changes["value"][1] == {"id": made[1]["id"], "@removed": {"reason": "deleted"}}
    quiet = body_of(follow(invoke, token, "skills_delta_me", changes["@odata.deltaLink"]))
    assert quiet["value"] == [] and "@odata.deltaLink" in quiet


def test_another_reader_sees_audience_changes(invoke, identity):
    owner = identity.mint()
    item, _ = created(invoke, owner, "skills", {"displayName": "shared", "allowedAudiences": "organization"})
    reader = identity.mint(oid=ADMIN_OID, preferred_username="reader@contoso.test", scp="User.Read.All")
    route = {"user": TEST_OID}
    items, link, _ = walk(
        invoke, reader, "skills_delta_user", f"users/{TEST_OID}/profile/skills/delta", route_params=route
    )
    assert [i["id"] for i in items] == [item["id"]]
    assert patch_facet(invoke, owner, "skills", item["id"], {"allowedAudiences": "me"}).status_code == 200
    changes = body_of(follow(invoke, reader, "skills_delta_user", link, route_params=route))
    assert changes["value"] == [{"id": item["id"], "@removed": {"reason": "changed"}}]


def test_latest_and_select(invoke, identity):
    token = identity.mint()
    created(invoke, token, "skills", {"displayName": "old"})
    latest = body_of(
        call_delta(
            invoke,
            token,
            "skills_delta_me",
            "me/profile/skills/delta",
            params={"$deltatoken": "latest", "$select": "displayName"},
        )
    )
    assert latest["value"] == [] and "@odata.deltaLink" in latest
    new, _ = created(invoke, token, "skills", {"displayName": "new", "proficiency": "expert"})
    changes = body_of(follow(invoke, token, "skills_delta_me", latest["@odata.deltaLink"]))
    assert changes["value"] == [{"id": new["id"], "displayName": "new"}]


@pytest.mark.parametrize("option", ["$filter", "$orderby", "$expand", "$skip", "$count", "$top"])
def test_unsupported_options_are_400(invoke, identity, option):
    response = call_delta(invoke, identity.mint(), "skills_delta_me", "me/profile/skills/delta", params={option: "x"})
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert error["code"] == "invalidRequest" and option in error["message"] and "delta" in error["message"]


def test_tokens_from_another_caller_or_altered_are_400(invoke, identity):
    token = identity.mint()
    created(invoke, token, "skills", {"displayName": "x"})
    _, link, _ = walk(invoke, token, "skills_delta_me", "me/profile/skills/delta")
    other = identity.mint(oid=ADMIN_OID, preferred_username="admin@contoso.test", scp="User.ReadWrite.All")
    route = {"user": TEST_OID}
    stolen = follow(invoke, other, "skills_delta_user", link.replace("/me/", f"/users/{TEST_OID}/"), route_params=route)
    assert stolen.status_code == 400 and "$deltatoken is not valid" in body_of(stolen)["error"]["message"]
    bent = follow(invoke, token, "skills_delta_me", link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert bent.status_code == 400
    assert follow(invoke, token, "names_delta_me", link.replace("/skills/", "/names/")).status_code == 400


def test_tenant_wide_feeds_for_applications(invoke, identity):
    owner = identity.mint()
    mine, _ = created(invoke, owner, "skills", {"displayName": "a"})
    admin = identity.mint(oid=ADMIN_OID, preferred_username="admin@contoso.test", scp="User.ReadWrite.All")
    theirs, _ = created(invoke, admin, "names", {"first": "B"})
    app = identity.mint_app(roles=["User.Read.All"])
    items, link, _ = walk(invoke, app, "skills_delta_users", "users/profile/skills/delta")
    assert [item["@odata.id"] for item in items] == [f"users('{TEST_OID}')/profile/skills('{mine['id']}')"]
    every, _, _ = walk(invoke, app, "profile_delta_users", "users/profile/delta")
    assert {item["@odata.id"] for item in every} == {
        f"users('{TEST_OID}')/profile/skills('{mine['id']}')",
        f"users('{ADMIN_OID}')/profile/names('{theirs['id']}')",
    }
    assert {item["@odata.type"] for item in every} == {
        "#microsoft.graph.skillProficiency",
        "#microsoft.graph.personName",
    }
    assert delete_facet(invoke, owner, "skills", mine["id"]).status_code == 204
    changes = body_of(follow(invoke, app, "skills_delta_users", link))
    assert changes["value"] == [
        {
            "@odata.id": f"users('{TEST_OID}')/profile/skills('{mine['id']}')",
            "id": mine["id"],
            "@removed": {"reason": "deleted"},
        }
    ]


@pytest.mark.parametrize("claims", [{"scp": "User.Read"}, {"scp": "User.ReadWrite"}])
def test_tenant_wide_feeds_need_a_dot_all_permission(invoke, identity, claims):
    response = call_delta(
        invoke, identity.mint(**claims), "skills_delta_users", "users/profile/skills/delta", params={"$filter": "x"}
    )  # the permission comes before the options
    assert response.status_code == 403 and body_of(response)["error"]["code"] == "accessDenied"
    assert (
        call_delta(
            invoke, identity.mint_app(roles=["User.Read"]), "profile_delta_users", "users/profile/delta"
        ).status_code
        == 403
    )
    assert call_delta(invoke, None, "profile_delta_users", "users/profile/delta").status_code == 401
