"""Graph user → DirectoryUser: persona from userType and externality, origin tenant when Graph names it."""

from __future__ import annotations

from typing import Any

import pytest

from shared.directory.graph_user import to_directory_user

TENANT = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"
HOME = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HOME_OID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OID = "4F3E2D1C-0B9A-4876-8543-210FEDCBA987"
LOCAL = [{"signInType": "userPrincipalName", "issuer": "contoso.test", "issuerAssignedId": "a@contoso.test"}]


def user(**fields: Any) -> dict[str, Any]:
    doc = {
        "id": OID,
        "userPrincipalName": "a@contoso.test",
        "displayName": "A",
        "ageGroup": None,
        "userType": "Member",
        "externalUserState": None,
        "creationType": None,
        "identities": LOCAL,
    }
    doc.update(fields)
    return doc


@pytest.mark.parametrize(
    ("fields", "persona"),
    [
        ({}, "internalMember"),
        ({"userType": "Guest"}, "internalGuest"),
        (
            {
                "userType": "Guest",
                "externalUserState": "Accepted",
                "creationType": "Invitation",
                "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD", "issuerAssignedId": None}],
            },
            "externalGuest",
        ),
        ({"userType": "Guest", "externalUserState": "PendingAcceptance"}, "externalGuest"),
        ({"userType": "Member", "externalUserState": "Accepted"}, "externalMember"),
        ({"userType": "Member", "identities": [{"signInType": "federated", "issuer": "google.com"}]}, "externalMember"),
        ({"userType": "Guest", "identities": [{"signInType": "x", "issuer": "MicrosoftAccount"}]}, "externalGuest"),
        ({"userType": "Member", "creationType": "Invitation"}, "externalMember"),
        ({"userType": "member"}, "internalMember"),
        ({"userType": "Robot"}, "unknown"),
        ({"userType": None}, None),
        ({"userType": None, "externalUserState": "Accepted"}, None),
    ],
)
def test_user_persona(fields: dict[str, Any], persona: str | None) -> None:
    assert to_directory_user(TENANT, user(**fields)).user_persona == persona


def test_copies_the_directory_properties_and_lower_cases_the_id() -> None:
    found = to_directory_user(TENANT, user(ageGroup="minor", displayName="Adele"))
    assert (found.tenant_id, found.object_id) == (TENANT, OID.lower())
    assert (found.user_principal_name, found.display_name, found.age_group) == ("a@contoso.test", "Adele", "minor")
    assert found.origin_tenant_info is None


@pytest.mark.parametrize(
    ("identity", "origin"),
    [
        (
            {"signInType": "federated", "issuer": HOME, "issuerAssignedId": HOME_OID},
            {"originTenantId": HOME, "originUserId": HOME_OID},
        ),
        (
            {"signInType": "federated", "issuer": f"https://sts.windows.net/{HOME}/", "issuerAssignedId": "x"},
            {"originTenantId": HOME, "originUserId": None},
        ),
        (
            {"signInType": "federated", "issuer": f"https://login.microsoftonline.com/{HOME.upper()}/v2.0"},
            {"originTenantId": HOME, "originUserId": None},
        ),
        ({"signInType": "federated", "issuer": "ExternalAzureAD", "issuerAssignedId": None}, None),
        ({"signInType": "federated", "issuer": "fabrikam.test", "issuerAssignedId": HOME_OID}, None),
        ({"signInType": "federated", "issuer": TENANT, "issuerAssignedId": HOME_OID}, None),  # our own tenant
        ({"signInType": "federated", "issuer": f"https://evil.test/{HOME}/"}, None),
    ],
)
def test_origin_tenant_info_only_when_graph_names_the_home_tenant(
    identity: dict[str, Any], origin: dict[str, Any] | None
) -> None:
    found = to_directory_user(TENANT, user(userType="Guest", externalUserState="Accepted", identities=[identity]))
    assert found.origin_tenant_info == origin


def test_an_internal_user_has_no_origin_even_with_a_tenant_shaped_issuer() -> None:
    identities = [{"signInType": "userPrincipalName", "issuer": HOME, "issuerAssignedId": HOME_OID}]
    assert to_directory_user(TENANT, user(identities=identities)).origin_tenant_info is None


def test_unexpected_shapes_are_ignored() -> None:
    found = to_directory_user(TENANT, user(identities="nope", ageGroup=7, userPrincipalName="", userType=3))
    assert (found.age_group, found.user_principal_name, found.user_persona) == (None, None, None)
    assert to_directory_user(TENANT, user(identities=[None, 5, {"issuer": None}])).user_persona == "internalMember"
