"""End to end, DIRECTORY=graph: the local host over real HTTP, real RS256 tokens, a real SQLite file,
and Microsoft Graph played by the Graph stub on 127.0.0.1 (contract §5). One test runs the default
local directory to show `make run` behaves as before.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.support.graph_stub import GraphStub
from tests.support.identity import TEST_OID, TEST_UPN, Identity

pytestmark = pytest.mark.long_running  # a new local host per test, each with its directory settings

BEN = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
BEN_UPN = "Ben.Walters@contoso.test"
GUEST = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
GUEST_UPN = "gia_fabrikam.test#EXT#@contoso.test"
HOME_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HOME_OID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SEED = {"allowedAudiences": "organization", "countryCode": "NO"}


@pytest.fixture
def start_api(identity: Identity, tmp_path: Path, local_host_factory: Any, graph_stub: GraphStub) -> Callable[..., Api]:
    """Start the API on a fresh SQLite file with the given DIRECTORY, GRAPH_ENDPOINT the stub."""

    def start(directory: str = "graph") -> Api:
        env = {
            "ENTRA_TENANT_ID": identity.tenant_id,
            "ENTRA_AUDIENCES": ",".join(identity.audiences),
            "ENTRA_AUTHORITY": identity.server.base_url,
            "PROFILE_STORE": "sqlite",
            "PROFILE_SQLITE_PATH": str(tmp_path / "profiles.sqlite3"),
            "DIRECTORY": directory,
            "GRAPH_ENDPOINT": graph_stub.base_url,
        }
        return Api(local_host_factory(env), "sqlite")

    return start


def snapshot(path: Path) -> dict[str, list[str]]:
    """Every row of every table of the SQLite file (to show nothing was written)."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        # Table names come from sqlite_master, not from input.
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}  # noqa: S608


def test_an_app_creates_an_account_for_a_directory_user_who_never_called(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub
) -> None:
    graph_stub.add_user(BEN_UPN, oid=BEN, age_group="minor", user_type="Member")
    api = start_api()
    app = identity.mint_app(roles=["User.ReadWrite.All"])

    created = api.request("POST", "users/ben.walters@CONTOSO.test/profile/account", app, json=SEED)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["userPrincipalName"], body["ageGroup"], body["userPersona"]) == (BEN_UPN, "minor", "internalMember")
    assert body["originTenantInfo"] is None and body["countryCode"] == "NO"
    assert created.headers["Location"] == f"{api.url}/users/{BEN}/profile/account/{body['id']}"
    assert graph_stub.user_requests == 1
    assert not any(seen.authorization for seen in graph_stub.requests), "no token to a loopback http endpoint"

    # Warm: the same user by id and by UPN (any case) costs no directory call.
    by_id = api.request("GET", f"users/{BEN}/profile/account/{body['id']}", app)
    by_upn = api.request("GET", "users/BEN.WALTERS@contoso.test/profile/account", app)
    assert by_id.status_code == 200 and by_id.json()["userPersona"] == "internalMember"
    assert by_upn.status_code == 200 and [item["id"] for item in by_upn.json()["value"]] == [body["id"]]
    assert graph_stub.user_requests == 1


def test_a_guest_resolves_by_its_ext_upn_with_persona_and_home_tenant(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub
) -> None:
    graph_stub.add_user(
        GUEST_UPN,
        oid=GUEST,
        age_group=None,
        user_type="Guest",
        external_user_state="Accepted",
        creation_type="Invitation",
        identities=[{"signInType": "federated", "issuer": HOME_TENANT, "issuerAssignedId": HOME_OID}],
    )
    api = start_api()
    encoded = GUEST_UPN.replace("#", "%23")
    created = api.request("POST", f"users/{encoded}/profile/account", identity.mint_app(), json=SEED)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["userPrincipalName"], body["ageGroup"], body["userPersona"]) == (GUEST_UPN, None, "externalGuest")
    assert body["originTenantInfo"] == {"originTenantId": HOME_TENANT, "originUserId": HOME_OID}


def test_an_unknown_user_is_404_and_nothing_is_written(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub, tmp_path: Path
) -> None:
    graph_stub.add_user(BEN_UPN, oid=BEN)
    api = start_api()
    app = identity.mint_app()
    assert api.request("POST", f"users/{BEN}/profile/account", app, json=SEED).status_code == 201
    before = snapshot(tmp_path / "profiles.sqlite3")
    unknown = str(uuid.uuid4())
    for method, path, body in [
        ("POST", f"users/{unknown}/profile/account", SEED),
        ("POST", f"users/{unknown}/profile", None),
        ("POST", "users/nobody@contoso.test/profile/account", SEED),
        ("DELETE", f"users/{unknown}/profile", None),
    ]:
        response = api.request(method, path, app, **({"json": body} if body is not None else {}))
        assert response.status_code == 404, (method, path, response.text)
        error = response.json()["error"]
        assert error["code"] == "itemNotFound" and "does not exist" in error["message"]
        assert "Resource '" not in error["message"], "Graph's own text never reaches a response"
    assert snapshot(tmp_path / "profiles.sqlite3") == before


def test_a_directory_outage_is_503_with_retry_after(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub, tmp_path: Path
) -> None:
    graph_stub.add_user(BEN_UPN, oid=BEN)
    api = start_api()
    app = identity.mint_app()
    assert api.request("POST", f"users/{BEN}/profile/account", app, json=SEED).status_code == 201
    before = snapshot(tmp_path / "profiles.sqlite3")
    graph_stub.outage = True
    response = api.request("POST", "users/someone.else@contoso.test/profile/account", app, json=SEED)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "7"  # Graph's hint, passed on
    error = response.json()["error"]
    assert error["code"] == "serviceNotAvailable" and "Service unavailable." not in error["message"]
    assert snapshot(tmp_path / "profiles.sqlite3") == before

    graph_stub.outage = False
    graph_stub.add_user("someone.else@contoso.test")
    graph_stub.fail_next(429, retry_after="1")  # within the retry budget: the caller never sees it
    retried = api.request("POST", "users/someone.else@contoso.test/profile/account", app, json=SEED)
    assert retried.status_code == 201, retried.text


def test_the_permission_check_comes_first_and_costs_no_directory_call(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub
) -> None:
    graph_stub.add_user(BEN_UPN, oid=BEN)
    api = start_api()
    delegated = identity.mint(scp="User.ReadWrite")
    reader_app = identity.mint_app(roles=["User.Read.All"])
    assert api.request("GET", f"users/{BEN_UPN}/profile/account", delegated).status_code == 403
    assert api.request("GET", f"users/{uuid.uuid4()}/profile", delegated).status_code == 403
    assert api.request("POST", f"users/{BEN_UPN}/profile/account", reader_app, json=SEED).status_code == 403
    assert api.request("GET", "me/profile", reader_app).status_code == 400
    assert graph_stub.user_requests == 0


def test_me_reads_the_callers_directory_properties_once(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub
) -> None:
    graph_stub.add_user(TEST_UPN, oid=TEST_OID, age_group="adult", user_type="Member")
    api = start_api()
    token = identity.mint()
    created = api.request("POST", "me/profile/account", token, json=SEED)
    assert created.status_code == 201, created.text
    assert (created.json()["ageGroup"], created.json()["userPersona"]) == ("adult", "internalMember")
    listed = api.request("GET", "me/profile/account", token)
    assert listed.status_code == 200 and listed.json()["value"][0]["userPersona"] == "internalMember"
    assert graph_stub.user_requests == 1


def test_the_local_directory_behaves_as_before(
    start_api: Callable[..., Api], identity: Identity, graph_stub: GraphStub
) -> None:
    graph_stub.add_user(TEST_UPN, oid=TEST_OID, age_group="adult")
    api = start_api("local")
    app = identity.mint_app()
    assert api.request("POST", f"users/{TEST_UPN}/profile/account", app, json=SEED).status_code == 404
    assert api.request("GET", "me/profile", identity.mint()).status_code == 200  # the caller is now seen
    created = api.request("POST", f"users/{TEST_UPN.upper()}/profile/account", app, json=SEED)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["userPrincipalName"] == TEST_UPN
    assert (body["ageGroup"], body["userPersona"], body["originTenantInfo"]) == (None, None, None)
    assert api.request("GET", f"users/{uuid.uuid4()}/profile", app).status_code == 200  # a GUID names a user
    assert graph_stub.user_requests == 0
