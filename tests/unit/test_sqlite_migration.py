"""A file written by the account-only release opens, is upgraded in one transaction, and reads back.

The old file is made here with that release's DDL (shared/repository/sqlite.py before the facet
engine) and rows shaped as it wrote them: the Account model's JSON, `source` as `{"type": "User"}`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from shared.errors import Conflict, ServiceUnavailable
from shared.facets.catalog.account import ACCOUNT
from shared.facets.wire import to_wire
from shared.models import DirectoryUser
from shared.repository.sqlite import SqliteRepository, schema
from tests.contract.helpers import idempotency_record

# The account-only release's schema, verbatim.
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, upn TEXT, upn_key TEXT,
    display_name TEXT, age_group TEXT, PRIMARY KEY (tenant_id, object_id));
CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn_key);
CREATE TABLE IF NOT EXISTS profiles (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, id TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (tenant_id, object_id));
CREATE TABLE IF NOT EXISTS accounts (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, id TEXT NOT NULL, sort_key TEXT NOT NULL,
    etag TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, object_id, id));
CREATE INDEX IF NOT EXISTS accounts_order ON accounts (tenant_id, object_id, sort_key);
CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    resource_id TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, object_id, key));
"""
TENANT = "7a3f2c1e-0000-4000-8000-00000000aaaa"
ADA = "db789417-4ccb-41d1-a0a9-47b01a09ea49"
BOB = "0c5e8a7d-1111-4000-8000-00000000bbbb"  # a profile, no accounts
ACCOUNT_IDS = ("0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", "1fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f")
CREATED = "2020-07-06T06:34:12.2294868Z"
WHO = {"application": None, "device": None, "user": {"id": ADA, "displayName": "Innocenty Popov"}}


def old_account(account_id: str, country: str) -> str:
    """The Account model's JSON as the account-only release stored it (pydantic's compact dump, field order)."""
    return json.dumps(
        {
            "allowedAudiences": "organization",
            "countryCode": country,
            "preferredLanguageTag": None,
            "inference": None,
            "source": {"type": "User"},
            "isSearchable": None,
            "id": account_id,
            "createdDateTime": CREATED,
            "createdBy": WHO,
            "lastModifiedDateTime": CREATED,
            "lastModifiedBy": WHO,
        },
        separators=(",", ":"),
    )


def write_old_file(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(OLD_SCHEMA)
    ada = (TENANT, ADA, "Ada@Contoso.com", "ada@contoso.com", "Ada", None)
    db.execute("INSERT INTO users VALUES (?,?,?,?,?,?)", ada)
    for oid in (ADA, BOB):
        db.execute("INSERT INTO profiles VALUES (?,?,?,?)", (TENANT, oid, f"profile-{oid}", CREATED))
    for n, (account_id, country) in enumerate(zip(ACCOUNT_IDS, ("NO", "SE"), strict=True)):
        db.execute(
            "INSERT INTO accounts VALUES (?,?,?,?,?,?)",
            (TENANT, ADA, account_id, f"{CREATED}|{account_id}", f'"old-etag-{n}"', old_account(account_id, country)),
        )
    db.execute(
        "INSERT INTO idempotency VALUES (?,?,?,?,?,?,?)",
        (TENANT, ADA, "key-1", "fp", ACCOUNT_IDS[0], json.dumps({"id": ACCOUNT_IDS[0]}), 4102444800),
    )
    db.close()


def layout(path: Path) -> tuple[int, set[str]]:
    """(user_version, table names) of the file."""
    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        db.close()
    return version, tables


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "profiles.sqlite3"
    write_old_file(path)
    return path


def test_accounts_become_account_facets_stored_as_they_were(old_file):
    repo = SqliteRepository(str(old_file))
    try:
        got = repo.get_facet(TENANT, ADA, ACCOUNT, ACCOUNT_IDS[0])
        assert got is not None
        assert got.value == json.loads(old_account(ACCOUNT_IDS[0], "NO"))  # the JSON as it was stored
        assert got.etag == '"old-etag-0"'  # an If-Match from before the upgrade still matches
        listed = repo.list_facets(TENANT, ADA, [ACCOUNT])["account"]
        assert sorted((item.value["id"], item.value["countryCode"]) for item in listed) == [
            (ACCOUNT_IDS[0], "NO"),
            (ACCOUNT_IDS[1], "SE"),
        ]
        replaced = repo.replace_facet(TENANT, ADA, ACCOUNT, {**got.value, "countryCode": "DK"}, if_match='"old-etag-0"')
        assert repo.get_facet(TENANT, ADA, ACCOUNT, ACCOUNT_IDS[0]) == replaced
    finally:
        repo.close()


def test_the_facet_engine_reads_the_old_shape_as_graph_beta_does(old_file):
    repo = SqliteRepository(str(old_file))
    try:
        stored = repo.get_facet(TENANT, ADA, ACCOUNT, ACCOUNT_IDS[1])
        ada = repo.get_user(TENANT, ADA)
    finally:
        repo.close()
    assert stored is not None and ada is not None
    wire = to_wire(
        ACCOUNT,
        stored.value,
        DirectoryUser(tenant_id=TENANT, object_id=ADA, user_principal_name=ada.user_principal_name, age_group="adult"),
    )
    assert wire["source"] == {"type": ["User"]}
    assert (wire["id"], wire["countryCode"], wire["allowedAudiences"]) == (ACCOUNT_IDS[1], "SE", "organization")
    assert (wire["userPrincipalName"], wire["ageGroup"], wire["sources"]) == ("Ada@Contoso.com", "adult", None)
    assert wire["createdBy"] == WHO and wire["createdDateTime"] == CREATED


def test_profiles_users_and_records_carry_over(old_file):
    repo = SqliteRepository(str(old_file))
    try:
        for oid in (ADA, BOB):  # the profile rows are markers now
            with pytest.raises(Conflict):
                repo.create_profile(TENANT, oid)
        found = repo.find_user_by_upn(TENANT, "ADA@contoso.com")
        assert found is not None and found.object_id == ADA
        kept = idempotency_record(repo, TENANT, ADA, "key-1")
        assert kept is not None and kept.resource_id == ACCOUNT_IDS[0] and kept.response == {"id": ACCOUNT_IDS[0]}
        assert repo.list_facets(TENANT, BOB, [ACCOUNT]) == {"account": []}
    finally:
        repo.close()


def test_the_old_tables_are_gone_and_opening_again_changes_nothing(old_file):
    SqliteRepository(str(old_file)).close()
    assert layout(old_file) == (schema.SCHEMA_VERSION, set(schema.DATA_TABLES))
    before = old_file.read_bytes()
    again = SqliteRepository(str(old_file))
    again.close()
    assert layout(old_file) == (schema.SCHEMA_VERSION, set(schema.DATA_TABLES))
    assert old_file.read_bytes() == before


def test_a_failed_upgrade_leaves_the_old_file_as_it_was(old_file, monkeypatch):
    before = layout(old_file)
    steps = (*schema._FROM_ACCOUNTS_LAYOUT, "INSERT INTO no_such_table VALUES (1)")  # fails after every step
    monkeypatch.setattr(schema, "_FROM_ACCOUNTS_LAYOUT", steps)
    with pytest.raises(ServiceUnavailable) as failed:
        SqliteRepository(str(old_file))
    assert isinstance(failed.value.__cause__, sqlite3.Error)
    assert layout(old_file) == before == (0, {"users", "profiles", "accounts", "idempotency"})
    db = sqlite3.connect(old_file)
    assert db.execute("SELECT COUNT(*) FROM accounts").fetchone() == (2,)
    db.close()
    monkeypatch.undo()
    repo = SqliteRepository(str(old_file))  # the next open upgrades it
    try:
        assert len(repo.list_facets(TENANT, ADA, [ACCOUNT])["account"]) == 2
    finally:
        repo.close()


def test_a_new_file_gets_the_current_layout(tmp_path):
    path = tmp_path / "nested" / "new.sqlite3"
    SqliteRepository(str(path)).close()
    assert layout(path) == (schema.SCHEMA_VERSION, set(schema.DATA_TABLES))
