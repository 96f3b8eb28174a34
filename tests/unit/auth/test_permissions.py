"""The permission table of contract §4 (T18-T20), visibility of facets, and the caller's identitySet."""

from __future__ import annotations

import pytest

from shared.auth import Principal, authorize, sees_all_facets
from shared.errors import BadRequest, DelegatedOnly, Forbidden

OID = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
UPN = "adele.vance@contoso.test"
OTHER = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
SCOPES = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"]
ROLES = ["User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All"]

#: Contract §4, transcribed: which single permission allows (write, own).
DELEGATED_ALLOWED = {
    (True, True): {"User.ReadWrite", "User.ReadWrite.All"},
    (True, False): {"User.ReadWrite.All"},
    (False, True): {"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"},
    (False, False): {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"},
}
APP_ALLOWED = {True: {"User.ReadWrite.All"}, False: {"User.Read.All", "User.ReadWrite.All"}}


def user(*scopes: str, roles: tuple[str, ...] = ()) -> Principal:
    return Principal(
        tenant_id="t",
        object_id=OID,
        is_app=False,
        scopes=frozenset(scopes),
        roles=frozenset(roles),
        app_id="client",
        app_display_name=None,
        upn=UPN,
        display_name="Adele Vance",
    )


def app(*roles: str) -> Principal:
    return Principal(
        tenant_id="t",
        object_id="11111111-2222-4333-8444-555555555555",
        is_app=True,
        scopes=frozenset(),
        roles=frozenset(roles),
        app_id="9d8c7b6a-5f4e-4d3c-8b2a-190817263544",
        app_display_name="Contoso sync",
        upn=None,
        display_name=None,
    )


OWN_TARGETS = ["me", OID, OID.upper(), UPN, UPN.upper()]
OTHER_TARGETS = [OTHER, "megan.bowen@contoso.test", "adele.vance@contoso.test.evil", OID[:-1]]


@pytest.mark.parametrize("write", [True, False])
@pytest.mark.parametrize("scope", [*SCOPES, "Mail.Read", "user.readwrite"])
@pytest.mark.parametrize("target", OWN_TARGETS + OTHER_TARGETS)
def test_delegated_table(write, scope, target):
    own = target in OWN_TARGETS
    allowed = scope.casefold() in {s.casefold() for s in DELEGATED_ALLOWED[(write, own)]}  # names are case-insensitive
    if allowed:
        assert authorize(user(scope), write=write, target=target) is own
    else:
        with pytest.raises(Forbidden) as caught:
            authorize(user(scope), write=write, target=target)
        expected = {
            (True, True): "User.ReadWrite",
            (True, False): "User.ReadWrite.All",
            (False, True): "User.Read",
            (False, False): "User.ReadBasic.All",
        }[(write, own)]
        assert caught.value.scope == expected
        assert caught.value.status == 403 and caught.value.code == "accessDenied"
        challenge = f'Bearer realm="", error="insufficient_scope", scope="{expected}"'
        assert caught.value.headers["WWW-Authenticate"] == challenge


@pytest.mark.parametrize("write", [True, False])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", [OTHER, "megan.bowen@contoso.test", "11111111-2222-4333-8444-555555555555"])
def test_app_only_table(write, role, target):
    if role in APP_ALLOWED[write]:
        assert authorize(app(role), write=write, target=target) is False
    else:
        with pytest.raises(Forbidden) as caught:
            authorize(app(role), write=write, target=target)
        assert caught.value.scope == ("User.ReadWrite.All" if write else "User.Read.All")


def test_delegated_user_roles_do_not_grant_other_users_data():
    with pytest.raises(Forbidden):
        authorize(user("User.ReadWrite", roles=("User.ReadWrite.All",)), write=True, target=OTHER)


def test_app_scopes_are_not_consulted():
    principal = Principal("t", OID, True, frozenset({"User.ReadWrite.All"}), frozenset(), None, None, None, None)
    with pytest.raises(Forbidden):
        authorize(principal, write=False, target=OTHER)


@pytest.mark.parametrize("target", ["me", "ME"])
@pytest.mark.parametrize("write", [True, False])
def test_t20_me_with_app_only_token_is_400(target, write):
    with pytest.raises(DelegatedOnly) as caught:
        authorize(app("User.ReadWrite.All"), write=write, target=target)
    assert (caught.value.status, caught.value.code) == (400, "BadRequest")  # Graph's own code, not invalidRequest
    assert isinstance(caught.value, BadRequest)
    assert caught.value.message == "/me request is only valid with delegated authentication flow."


@pytest.mark.parametrize(("write", "scope"), [(True, "User.ReadWrite"), (False, "User.Read")])
def test_t18_no_scp_and_no_roles_is_403_on_own_data(write, scope):
    with pytest.raises(Forbidden) as caught:
        authorize(user(), write=write, target="me")
    assert caught.value.scope == scope


def test_t18_no_scp_and_no_roles_is_403_for_other_users_before_lookup():
    for write in (True, False):
        with pytest.raises(Forbidden):
            authorize(user(), write=write, target="nobody@nowhere.test")


def test_t19_insufficient_scope_is_403_naming_the_needed_scope():
    with pytest.raises(Forbidden) as caught:
        authorize(user("User.Read"), write=True, target="me")
    assert caught.value.scope == "User.ReadWrite"


def test_other_user_without_all_scope_is_403_whether_or_not_the_user_exists():
    """No lookup happens: the answer for an unknown user equals the answer for a real one."""
    outcomes = []
    for target in (OTHER, "does-not-exist@contoso.test", "x" * 300):
        with pytest.raises(Forbidden) as caught:
            authorize(user("User.ReadWrite"), write=False, target=target)
        outcomes.append((caught.value.status, caught.value.message, caught.value.scope))
    assert len(set(outcomes)) == 1


def test_principal_without_upn_matches_only_its_oid():
    principal = Principal("t", OID, False, frozenset({"User.ReadWrite"}), frozenset(), None, None, None, None)
    assert authorize(principal, write=True, target=OID) is True
    with pytest.raises(Forbidden):
        authorize(principal, write=True, target="none")


@pytest.mark.parametrize(
    ("principal", "own", "expected"),
    [
        (user("User.Read"), True, True),
        (user("User.ReadBasic.All"), False, False),
        (user("User.Read.All"), False, False),
        (user("User.ReadWrite.All"), False, True),
        (user("User.Read.All", "User.ReadWrite.All"), False, True),
        (app("User.Read.All"), False, True),
        (app("User.ReadWrite.All"), False, True),
    ],
)
def test_sees_all_facets(principal, own, expected):
    assert sees_all_facets(principal, own=own) is expected


def test_identity_set_of_a_user():
    assert user("User.Read").identity_set() == {
        "application": None,
        "device": None,
        "user": {"displayName": "Adele Vance", "id": OID},
    }


def test_identity_set_of_an_app():
    assert app("User.Read.All").identity_set() == {
        "application": {"displayName": "Contoso sync", "id": "9d8c7b6a-5f4e-4d3c-8b2a-190817263544"},
        "device": None,
        "user": None,
    }


def test_authorize_end_to_end_from_a_token(identity, mint):
    authenticator = identity.authenticator()
    delegated = authenticator.authenticate(identity.bearer(mint(scp=None)), {})
    with pytest.raises(Forbidden) as caught:
        authorize(delegated, write=True, target="me")
    assert caught.value.scope == "User.ReadWrite"
    app_only = authenticator.authenticate(identity.bearer(identity.mint_app(["User.Read.All"])), {})
    with pytest.raises(DelegatedOnly):
        authorize(app_only, write=False, target="me")
    assert authorize(app_only, write=False, target=OTHER) is False
