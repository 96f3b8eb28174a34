"""Each collection through its generated functions, with a fully populated body from its declaration."""

from __future__ import annotations

import pytest

from shared.facets.catalog import FACET_TYPES
from tests.functions.helpers import (
    BASE,
    GUID,
    TIMESTAMP,
    context,
    create,
    delete_facet,
    get_facet,
    list_facets,
    patch_facet,
)
from tests.support.app import body_of
from tests.support.facet_bodies import INHERITED, full_body
from tests.support.identity import TEST_OID, TEST_UPN

BY_TYPE = pytest.mark.parametrize("facet_type", FACET_TYPES, ids=[ft.collection for ft in FACET_TYPES])
ADMIN_OID = "0c5d9b7e-1111-4222-8333-444455556666"


def writable(facet_type, body):
    return {name: body[name] for name in facet_type.writable}


@BY_TYPE
@pytest.mark.parametrize("me", [True, False], ids=["me", "users"])
def test_create_get_list_patch_delete(invoke, identity, facet_type, me):
    collection = facet_type.collection
    if me:
        token, user = identity.mint(), None
    else:
        identity_token = identity.mint()  # the owner has been seen, so the UPN resolves
        assert list_facets(invoke, identity_token, collection).status_code == 200
        token = identity.mint(oid=ADMIN_OID, preferred_username="admin@contoso.test", scp="User.ReadWrite.All")
        user = TEST_UPN
    sent = full_body(facet_type)

    response = create(invoke, token, collection, sent, user=user)
    assert response.status_code == 201, response.get_body()
    facet = body_of(response)
    assert list(facet) == ["@odata.context", *facet_type.properties]
    assert facet["@odata.context"] == context(TEST_OID, f"profile/{collection}/$entity")
    assert writable(facet_type, facet) == sent
    assert GUID.match(facet["id"]) and TIMESTAMP.match(facet["createdDateTime"])
    assert response.headers["Location"] == f"{BASE}/api/users/{TEST_OID}/profile/{collection}/{facet['id']}"
    etag = response.headers["ETag"]

    got = get_facet(invoke, token, collection, facet["id"], user=user)
    assert got.status_code == 200 and body_of(got) == facet and got.headers["ETag"] == etag

    listed = list_facets(invoke, token, collection, user=user)
    assert body_of(listed) == {
        "@odata.context": context(TEST_OID, f"profile/{collection}"),
        "value": [{k: v for k, v in facet.items() if k != "@odata.context"}],
    }

    own = [name for name in facet_type.writable if name not in INHERITED]
    change = {"isSearchable": False, "allowedAudiences": "everyone,me", own[0]: None}
    patched = patch_facet(invoke, token, collection, facet["id"], change, user=user, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.get_body()
    after = body_of(patched)
    assert after == {
        **facet,
        "isSearchable": False,
        "allowedAudiences": "everyone",
        own[0]: None,
        "lastModifiedDateTime": after["lastModifiedDateTime"],
    }
    assert patched.headers["ETag"] != etag
    assert body_of(get_facet(invoke, token, collection, facet["id"], user=user)) == after

    read = {**after, **{name: sent[name] for name in change}}  # with @odata.context, as an SDK sends it back
    again = patch_facet(invoke, token, collection, facet["id"], read, user=user)
    assert again.status_code == 200, again.get_body()  # the object as last read: read-only values are equal
    assert writable(facet_type, body_of(again)) == sent
    forged = {**read, "lastModifiedDateTime": "2000-01-01T00:00:00Z"}
    stale = patch_facet(invoke, token, collection, facet["id"], forged, user=user)
    assert stale.status_code == 400  # a read-only value that differs

    deleted = delete_facet(invoke, token, collection, facet["id"], user=user, headers={"If-Match": etag})
    assert deleted.status_code == 412  # the version read first is stale by now
    deleted = delete_facet(invoke, token, collection, facet["id"], user=user)
    assert deleted.status_code == 204 and deleted.get_body() == b""
    missing = get_facet(invoke, token, collection, facet["id"], user=user)
    assert missing.status_code == 404 and body_of(missing)["error"]["code"] == "itemNotFound"
    assert body_of(list_facets(invoke, token, collection, user=user))["value"] == []


@BY_TYPE
def test_an_unknown_property_names_the_collections_type(invoke, identity, facet_type):
    response = create(invoke, identity.mint(), facet_type.collection, {"foo": 1})
    assert response.status_code == 400
    assert body_of(response)["error"]["message"] == (
        f"The property 'foo' does not exist on type 'microsoft.graph.{facet_type.type_name}'."
    )


@BY_TYPE
def test_the_top_level_odata_type_must_name_the_collections_type(invoke, identity, facet_type):
    token = identity.mint()
    ok = create(invoke, token, facet_type.collection, {"@odata.type": facet_type.odata_type})
    assert ok.status_code == 201
    other = next(ft for ft in FACET_TYPES if ft is not facet_type)
    bad = create(invoke, token, facet_type.collection, {"@odata.type": other.odata_type})
    assert bad.status_code == 400 and [d["target"] for d in body_of(bad)["error"]["details"]] == ["@odata.type"]
