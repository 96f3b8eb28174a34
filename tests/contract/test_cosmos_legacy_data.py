"""Data written by the previous, account-only version still reads and writes through the new adapter.

The documents are written with the SDK directly, exactly as that version laid them out: the account
facet under the member `account` in a document `acct:{id}` of type `account`, `source` as a single
object, and a user document with `accountCount` and `profile: {id, createdDateTime}`.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.errors import Conflict, QuotaExceeded
from shared.facets.catalog import FACET_TYPES
from shared.facets.wire import to_wire
from shared.repository.cosmos import CosmosRepository
from shared.repository.cosmos.connection import connection_from_settings
from shared.repository.cosmos.documents import user_pk
from tests.contract.helpers import ACCOUNT, SKILLS, changed, facet, guid, idempotency_record, user

CREATED = "2025-05-01T08:00:00.1234567Z"


def _old_account(account_id: str, oid: str) -> dict[str, Any]:
    who = {"application": None, "device": None, "user": {"id": oid, "displayName": "Ada"}}
    return {
        "allowedAudiences": "organization",
        "countryCode": "NO",
        "preferredLanguageTag": None,
        "inference": None,
        "source": {"type": "User"},
        "isSearchable": None,
        "id": account_id,
        "createdDateTime": CREATED,
        "createdBy": who,
        "lastModifiedDateTime": CREATED,
        "lastModifiedBy": who,
    }


@pytest.fixture
def old_data(cosmos_settings):
    """A user of the previous version: directory entry, profile, one account, one idempotency record."""
    tenant, oid, account_id = guid(), guid(), guid()
    pk = user_pk(tenant, oid)
    base = {"pk": pk, "tenant": tenant, "oid": oid}
    account = _old_account(account_id, oid)
    container = connection_from_settings(cosmos_settings).container()
    container.create_item(
        {
            "id": "user",
            "type": "user",
            **base,
            "rev": 4,
            "accountCount": 1,
            "directory": {"upn": "ada@contoso.com", "displayName": "Ada", "ageGroup": None},
            "profile": {"id": guid(), "createdDateTime": CREATED},
        }
    )
    container.create_item(
        {
            "id": f"acct:{account_id}",
            "type": "account",
            **base,
            "sortKey": f"{CREATED}|{account_id}",
            "account": account,
        }
    )
    container.create_item(
        {
            "id": "idem:old-key",
            "type": "idempotency",
            **base,
            "key": "old-key",
            "fingerprint": "f",
            "resourceId": account_id,
            "response": {"id": account_id},
            "expiresAt": int(time.time()) + 3600,
            "ttl": 3600,
        }
    )
    repo = CosmosRepository.from_settings(cosmos_settings)
    yield repo, tenant, oid, account
    repo.close()


def test_an_old_account_reads_back_as_stored(old_data):
    repo, tenant, oid, account = old_data
    got = repo.get_facet(tenant, oid, ACCOUNT, account["id"])
    assert got is not None and got.value == account and got.etag.startswith('"')
    listed = repo.list_facets(tenant, oid, FACET_TYPES)
    assert listed["account"] == [got] and all(not items for name, items in listed.items() if name != "account")
    # the shape upgrade is the facet engine's: source.type as a collection, directory values filled in
    wire = to_wire(ACCOUNT, got.value, repo.get_user(tenant, oid))
    assert wire["source"] == {"type": ["User"]} and wire["userPrincipalName"] == "ada@contoso.com"
    assert idempotency_record(repo, tenant, oid, "old-key").resource_id == account["id"]


def test_the_old_marker_and_count_are_honoured(old_data):
    repo, tenant, oid, _ = old_data
    with pytest.raises(Conflict):
        repo.create_profile(tenant, oid)  # the old profile is the marker
    with pytest.raises(QuotaExceeded):
        repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=1)  # accountCount is the count
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=1)  # another collection counts apart
    with pytest.raises(QuotaExceeded):  # the user document was rewritten in the new shape, counts kept
        repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=1)
    assert repo.get_user(tenant, oid).user_principal_name == "ada@contoso.com"


def test_an_old_account_can_be_replaced_and_deleted(old_data):
    repo, tenant, oid, account = old_data
    current = repo.get_facet(tenant, oid, ACCOUNT, account["id"])
    newer = changed(current.value, source={"type": ["User"]}, countryCode="SE")
    saved = repo.replace_facet(tenant, oid, ACCOUNT, newer, if_match=current.etag)
    assert repo.get_facet(tenant, oid, ACCOUNT, account["id"]) == saved and saved.value == newer
    repo.delete_facet(tenant, oid, ACCOUNT, account["id"], if_match=saved.etag)
    assert repo.list_facets(tenant, oid, [ACCOUNT]) == {"account": []}
    repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=1)  # the count went down with it


def test_delete_profile_removes_old_documents_too(old_data):
    repo, tenant, oid, account = old_data
    repo.delete_profile(tenant, oid)
    assert repo.get_facet(tenant, oid, ACCOUNT, account["id"]) is None
    assert idempotency_record(repo, tenant, oid, "old-key") is None
    assert repo.get_user(tenant, oid).user_principal_name == "ada@contoso.com"  # the directory entry stays
    repo.create_profile(tenant, oid)  # the marker went
    repo.record_user(user(tenant, oid, "ada@contoso.com", "Ada"))  # presented again: indexes the UPN
    assert repo.find_user_by_upn(tenant, "ADA@contoso.com").object_id == oid
