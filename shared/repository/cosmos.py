"""`CosmosRepository`: the ProfileRepository port over Azure Cosmos DB for NoSQL (azure-cosmos, sync).

Layout and guarantees: docs/data-model.md. Modules: cosmos_documents (keys, mapping), cosmos_store
(error-mapped calls), cosmos_writes (multi-document writes), cosmos_connection (client, credential,
timeouts), cosmos_errors (failure mapping), cosmos_compat (local test-server quirks).
"""
from __future__ import annotations

from typing import Any

from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.models import Account, DirectoryUser, IdempotencyRecord, Page, Profile, Versioned
from shared.repository import cosmos_documents as docs
from shared.repository import cosmos_writes as writes
from shared.repository.cosmos_connection import CosmosConnection, connection_from_settings
from shared.repository.cosmos_store import Store, contention_attempts
from shared.repository.cursor import decode_cursor, encode_cursor
from shared.settings import Settings

_LIST_SQL = (
    "SELECT TOP @top * FROM c WHERE c.pk = @pk AND c.type = @type AND c.sortKey > @after ORDER BY c.sortKey"
)


class CosmosRepository:
    """Profiles, account facets, the directory and idempotency records in one Cosmos container."""

    def __init__(self, connection: CosmosConnection) -> None:
        self._store = Store(connection)

    @classmethod
    def from_settings(cls, settings: Settings, **client_options: Any) -> CosmosRepository:
        """Repository for COSMOS_*; no I/O until the first call (client options: tests only)."""
        return cls(connection_from_settings(settings, **client_options))

    # --- directory -------------------------------------------------------------------------
    def record_user(self, user: DirectoryUser) -> None:
        """Upsert the directory entry and the UPN index; 2 point reads and no write when unchanged."""
        pk = docs.user_pk(user.tenant_id, user.object_id)
        fields = docs.directory_fields(user)
        previous: str | None = None
        for _ in contention_attempts():
            doc = self._store.read(docs.USER_ID, pk)
            previous = ((doc or {}).get("directory") or {}).get("upn")
            try:
                if doc is None:
                    self._store.create({**docs.new_user_doc(user.tenant_id, user.object_id), "directory": fields})
                elif doc.get("directory") != fields:
                    self._store.replace(writes.next_user(doc, directory=fields), doc["_etag"])
            except (Conflict, PreconditionFailed):  # a concurrent writer got there first: re-read
                continue
            break
        if user.user_principal_name:
            self._index_upn(user)
        if previous and previous.lower() != (user.user_principal_name or "").lower():
            self._unindex_upn(user.tenant_id, previous, user.object_id)

    def _index_upn(self, user: DirectoryUser) -> None:
        body = docs.upn_doc(user)
        current = self._store.read(docs.UPN_ID, body["pk"])
        if current is not None and docs.body_of(current) == body:
            return
        self._store.upsert(body)
        if current is not None and current.get("oid") != user.object_id:  # the UPN moved: release it
            self._release_upn(user.tenant_id, current["oid"], body["directory"]["upn"])

    def _release_upn(self, tenant_id: str, object_id: str, upn: str) -> None:
        pk = docs.user_pk(tenant_id, object_id)
        for _ in contention_attempts():
            doc = self._store.read(docs.USER_ID, pk)
            directory = (doc or {}).get("directory") or {}
            if doc is None or (directory.get("upn") or "").lower() != upn.lower():
                return
            try:
                self._store.replace(writes.next_user(doc, directory={**directory, "upn": None}), doc["_etag"])
            except PreconditionFailed:
                continue
            return

    def _unindex_upn(self, tenant_id: str, upn: str, object_id: str) -> None:
        pk = docs.upn_pk(tenant_id, upn)
        current = self._store.read(docs.UPN_ID, pk)
        if current is not None and current.get("oid") == object_id:
            try:
                self._store.delete(docs.UPN_ID, pk, etag=current["_etag"])
            except (NotFound, PreconditionFailed):  # taken over or removed meanwhile: leave it
                pass

    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """1 point read of the user doc."""
        doc = self._store.read(docs.USER_ID, docs.user_pk(tenant_id, object_id))
        return docs.user_from_directory(tenant_id, object_id, (doc or {}).get("directory"))

    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """1 point read of the UPN index document."""
        doc = self._store.read(docs.UPN_ID, docs.upn_pk(tenant_id, upn))
        if doc is None or (doc.get("directory") or {}).get("upn", "").lower() != upn.lower():
            return None
        return docs.user_from_directory(doc["tenant"], doc["oid"], doc["directory"])

    # --- profile ---------------------------------------------------------------------------
    def create_profile(self, tenant_id: str, object_id: str, profile: Profile) -> Profile:
        """1 point read + 1 write (create or if-match replace of the user doc)."""
        pk = docs.user_pk(tenant_id, object_id)
        for _ in contention_attempts():
            doc = self._store.read(docs.USER_ID, pk)
            if doc is not None and doc.get("profile") is not None:
                raise Conflict("The profile already exists.")
            try:
                if doc is None:
                    self._store.create({**docs.new_user_doc(tenant_id, object_id), "profile": docs.profile_fields(profile)})
                else:
                    self._store.replace(writes.next_user(doc, profile=docs.profile_fields(profile)), doc["_etag"])
            except (Conflict, PreconditionFailed):
                continue
            return profile
        raise AssertionError("unreachable")

    def get_profile(self, tenant_id: str, object_id: str) -> Profile | None:
        """1 point read."""
        doc = self._store.read(docs.USER_ID, docs.user_pk(tenant_id, object_id))
        return docs.profile_from((doc or {}).get("profile"))

    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        writes.delete_profile(self._store, tenant_id, object_id)

    # --- account facets --------------------------------------------------------------------
    def add_account(
        self,
        tenant_id: str,
        object_id: str,
        account: Account,
        *,
        profile_if_missing: Profile,
        max_accounts: int,
        idempotency: IdempotencyRecord | None = None,
    ) -> Versioned[Account]:
        return writes.add_account(
            self._store, tenant_id, object_id, account, profile_if_missing, max_accounts, idempotency
        )

    def get_account(self, tenant_id: str, object_id: str, account_id: str) -> Versioned[Account] | None:
        """1 point read."""
        doc = self._store.read(docs.account_doc_id(account_id), docs.user_pk(tenant_id, object_id))
        return None if doc is None else Versioned(docs.account_from(doc), doc["_etag"])

    def list_accounts(
        self, tenant_id: str, object_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[Versioned[Account]]:
        """1 single-partition query: keyset page ordered by sortKey = (createdDateTime, id)."""
        after = decode_cursor(cursor) if cursor else ""
        limit = max(1, int(limit))
        pk = docs.user_pk(tenant_id, object_id)
        params = {"@top": limit + 1, "@pk": pk, "@type": docs.TYPE_ACCOUNT, "@after": after}
        rows = self._store.query(_LIST_SQL, params, pk)
        items = [Versioned(docs.account_from(row), row["_etag"]) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items=items, cursor=encode_cursor(rows[limit - 1]["sortKey"]) if more else None)

    def replace_account(
        self, tenant_id: str, object_id: str, account: Account, *, if_match: str | None
    ) -> Versioned[Account]:
        return writes.replace_account(self._store, tenant_id, object_id, account, if_match)

    def delete_account(self, tenant_id: str, object_id: str, account_id: str, *, if_match: str | None) -> None:
        writes.delete_account(self._store, tenant_id, object_id, account_id, if_match)

    def get_idempotency_record(self, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
        """1 point read; an expired record reads as None even before the TTL purge."""
        doc = self._store.read(docs.idempotency_doc_id(key), docs.user_pk(tenant_id, object_id))
        return docs.idempotency_from(doc)

    # --- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._store.connection.close()
