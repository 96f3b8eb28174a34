"""The profile resource through its functions: implicit for every user, derived id, `$select`/`$expand`, DELETE."""

from __future__ import annotations

import pytest

from shared.facets.catalog import FACET_TYPES
from tests.functions.helpers import (
    GUID,
    OTHER_OID,
    call_profile,
    context,
    created,
    get_facet,
    listed,
)
from tests.support.app import body_of
from tests.support.identity import TEST_OID, TEST_UPN

PROFILE_TYPE = "#microsoft.graph.profile"


def profile_of(invoke, token, **kwargs):
    response = call_profile(invoke, "GET", token, **kwargs)
    assert response.status_code == 200, response.get_body()
    return body_of(response)


# --- the implicit profile ------------------------------------------------------------------------------------


def test_a_user_who_never_posted_has_a_profile(invoke, identity):
    body = profile_of(invoke, identity.mint())
    assert body == {
        "@odata.context": context(TEST_OID, "profile/$entity"),
        "@odata.type": PROFILE_TYPE,
        "id": body["id"],
    }
    assert GUID.match(body["id"])


def test_post_returns_the_id_get_gave_before(invoke, identity):
    token = identity.mint()
    before = profile_of(invoke, token)["id"]
    response = call_profile(invoke, "POST", token)
    assert response.status_code == 201 and body_of(response)["id"] == before
    assert profile_of(invoke, token)["id"] == before


def test_delete_then_get_gives_the_same_id(invoke, identity):
    token = identity.mint()
    first = body_of(call_profile(invoke, "POST", token))["id"]
    assert call_profile(invoke, "DELETE", token).status_code == 204
    assert profile_of(invoke, token)["id"] == first
    assert call_profile(invoke, "POST", token).status_code == 201  # it can be created again
    assert body_of(call_profile(invoke, "GET", token))["id"] == first


def test_profile_ids_differ_per_user_and_are_the_same_through_every_route(invoke, identity):
    mine = profile_of(invoke, identity.mint())["id"]
    other = profile_of(invoke, identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test"))["id"]
    assert mine != other
    admin = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read.All")
    assert profile_of(invoke, admin, user=TEST_OID)["id"] == mine
    assert profile_of(invoke, admin, user=TEST_UPN.upper())["id"] == mine
    assert profile_of(invoke, identity.mint_app(["User.Read.All"]), user=TEST_OID)["id"] == mine


def test_another_users_profile_carries_their_context(invoke, identity):
    reader = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read.All")
    assert profile_of(invoke, reader, user=TEST_OID.upper())["@odata.context"] == context(TEST_OID, "profile/$entity")


@pytest.mark.parametrize("collection", ["account", "skills", "positions"])
def test_post_after_a_facet_create_is_409(invoke, identity, collection):
    token = identity.mint()
    created(invoke, token, collection)
    response = call_profile(invoke, "POST", token)
    assert response.status_code == 409 and body_of(response)["error"]["code"] == "conflict"


def test_delete_of_a_never_created_profile_is_204(invoke, identity):
    token = identity.mint()
    response = call_profile(invoke, "DELETE", token)
    assert response.status_code == 204 and response.get_body() == b"" and "Content-Type" not in response.headers
    assert call_profile(invoke, "DELETE", token).status_code == 204


def test_profile_routes_check_permissions_first(invoke, identity):
    reader = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read")
    assert call_profile(invoke, "GET", reader, user=TEST_OID).status_code == 403
    writer = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read.All")
    assert call_profile(invoke, "DELETE", writer, user=TEST_OID).status_code == 403
    assert call_profile(invoke, "POST", writer, user=TEST_OID).status_code == 403
    assert call_profile(invoke, "GET", identity.mint_app(["User.Read.All"])).status_code == 400  # /me is delegated


# --- DELETE removes everything ----------------------------------------------------------------------------------


def test_delete_profile_removes_the_facets_of_every_collection(invoke, identity):
    token = identity.mint()
    ids = {facet_type.collection: created(invoke, token, facet_type.collection)[0]["id"] for facet_type in FACET_TYPES}
    other = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test")
    kept, _ = created(invoke, other, "skills")
    assert call_profile(invoke, "DELETE", token).status_code == 204
    for collection, facet_id in ids.items():
        assert listed(invoke, token, collection) == [], collection
        assert get_facet(invoke, token, collection, facet_id).status_code == 404
    assert [item["id"] for item in listed(invoke, other, "skills")] == [kept["id"]]  # only that user's data
    assert call_profile(invoke, "POST", token).status_code == 201  # the stored profile is gone too


def test_an_admin_deletes_another_users_profile(invoke, identity):
    owner = identity.mint()
    created(invoke, owner, "names", {"first": "Adele"})
    admin = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.ReadWrite.All")
    assert call_profile(invoke, "DELETE", admin, user=TEST_UPN).status_code == 204
    assert listed(invoke, owner, "names") == []


# --- $select and $expand ---------------------------------------------------------------------------------------


def test_expand_inlines_the_named_collections_with_their_nested_select(invoke, identity):
    token = identity.mint()
    skill, _ = created(invoke, token, "skills", {"displayName": "Python", "proficiency": "expert"})
    name, _ = created(invoke, token, "names", {"first": "Adele", "last": "Vance"})
    created(invoke, token, "interests", {"displayName": "Sailing"})
    body = profile_of(invoke, token, params={"$expand": "skills,names($select=first)"})
    assert list(body) == ["@odata.context", "@odata.type", "id", "skills", "names"]
    skill.pop("@odata.context")
    assert body["skills"] == [skill]
    assert body["names"] == [{"id": name["id"], "first": "Adele"}]


def test_expand_is_ordered_by_creation_and_empty_collections_are_empty_arrays(invoke, identity):
    token = identity.mint()
    ids = [created(invoke, token, "skills", {"displayName": str(i)})[0]["id"] for i in range(3)]
    body = profile_of(invoke, token, params={"$expand": "Skills,patents"})
    assert [item["id"] for item in body["skills"]] == ids and body["patents"] == []


def test_expand_shows_another_user_only_the_visible_facets(invoke, identity):
    owner = identity.mint()
    hidden, _ = created(invoke, owner, "skills", {"displayName": "private", "allowedAudiences": "contacts"})
    shown, _ = created(invoke, owner, "skills", {"displayName": "public", "allowedAudiences": "organization"})
    account, _ = created(invoke, owner, "account", {"allowedAudiences": "everyone"})
    created(invoke, owner, "names", {"first": "Adele"})
    reader = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read.All")
    body = profile_of(invoke, reader, user=TEST_OID, params={"$expand": "skills($select=displayName),names,account"})
    assert body["skills"] == [{"id": shown["id"], "displayName": "public"}]
    assert body["names"] == []
    assert [item["id"] for item in body["account"]] == [account["id"]]
    writer = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.ReadWrite.All")
    everything = profile_of(invoke, writer, user=TEST_OID, params={"$expand": "skills"})
    assert [item["id"] for item in everything["skills"]] == [hidden["id"], shown["id"]]


def test_expand_star_inlines_every_collection(invoke, identity):
    token = identity.mint()
    created(invoke, token, "websites", {"webUrl": "https://contoso.com"})
    body = profile_of(invoke, token, params={"$expand": "*"})
    assert set(body) == {"@odata.context", "@odata.type", "id", *(ft.collection for ft in FACET_TYPES)}
    assert [item["webUrl"] for item in body["websites"]] == ["https://contoso.com"]


def test_select_on_the_profile(invoke, identity):
    token = identity.mint()
    created(invoke, token, "names", {"first": "Adele"})
    body = profile_of(invoke, token, params={"$select": "id,skills"})
    assert list(body) == ["@odata.context", "@odata.type", "id"]  # a collection is inline only when expanded
    body = profile_of(invoke, token, params={"$select": "id", "$expand": "names($select=first)"})
    assert list(body) == ["@odata.context", "@odata.type", "id", "names"] and body["names"][0]["first"] == "Adele"
    assert profile_of(invoke, token, params={"select": "id", "expand": "names"})["names"][0]["first"] == "Adele"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"$expand": "nope"}, "nope"),
        ({"$expand": "skills($select=nope)"}, "nope"),
        ({"$expand": "skills("}, "$expand"),
        ({"$filter": "id eq 'x'"}, "$filter"),
        ({"$top": "1"}, "$top"),
        ({"$select": "nope"}, "nope"),
    ],
)
def test_profile_query_options_that_are_not_supported_are_400_naming_them(invoke, identity, params, named):
    response = call_profile(invoke, "GET", identity.mint(), params=params)
    assert response.status_code == 400 and named in body_of(response)["error"]["message"]


def test_authentication_and_permission_come_before_the_profile_query_options(invoke, identity):
    params = {"$expand": "nope"}
    assert call_profile(invoke, "GET", None, params=params).status_code == 401
    reader = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test", scp="User.Read")
    assert call_profile(invoke, "GET", reader, user=TEST_OID, params=params).status_code == 403
    assert call_profile(invoke, "GET", reader, params=params).status_code == 400
