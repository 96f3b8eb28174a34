"""`CosmosRepository`: the ProfileRepository port over Azure Cosmos DB for NoSQL (azure-cosmos, sync).

Layout, round trips and guarantees: docs/data-model.md. Retries: policy.py. Failures: errors.py.
"""

from __future__ import annotations

import functools
import logging
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from shared.errors import (
    ApiError,
    Conflict,
    FacetNotFound,
    IdempotencyReplay,
    QuotaExceeded,
    StaleFacet,
    StorageQuotaExceeded,
)
from shared.facets.model import FacetType
from shared.models import DirectoryUser, IdempotencyRecord, Versioned
from shared.repository.changes import (
    Change,
    ChangePage,
    Cursor,
    InvalidCursor,
    Position,
    change_number,
    page_position,
)
from shared.repository.cosmos import documents as docs
from shared.repository.cosmos.connection import CosmosConnection, connection_from_settings
from shared.repository.cosmos.documents import Doc
from shared.repository.cosmos.errors import Refused, to_api_error
from shared.repository.cosmos.policy import RETRIES, Retry
from shared.repository.cosmos.store import Store
from shared.repository.port import Facet, IfMatch, etag_matches, storage_message, stored_size
from shared.settings import Settings

log = logging.getLogger("profile_api.cosmos")

#: Tenant-wide rounds re-read this many seconds of the store's commit times (`_ts`) before the
#: previous round began, so a commit that became visible late is still found (docs/data-model.md).
TENANT_OVERLAP_S = 60
#: Users whose delivered numbers a tenant-wide cursor remembers (beyond: their items may come twice).
TENANT_MAP_LIMIT = 200

DUPLICATE = "A facet with this id already exists."
#: Striped locks serialising one process's writes per user partition.
PARTITION_LOCKS = 64

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """The adapter's edge: only the port's errors (and InvalidCursor) leave; anything else is a store failure (503)."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (ApiError, IdempotencyReplay, InvalidCursor):
            raise
        except Refused as refused:
            raise refused.unexpected() from refused
        except Exception as error:
            raise to_api_error(error) from error

    return guarded


class CosmosRepository:
    """Profile markers, the facets of every collection, the directory, idempotency records and secrets."""

    def __init__(self, connection: CosmosConnection, *, retries: Mapping[str, Retry] = RETRIES) -> None:
        self._store = Store(connection)
        self._retries = retries
        self._secrets: dict[str, bytes] = {}
        self._secrets_lock = threading.Lock()
        self._etags = docs.EtagStyle()
        self._partition_locks = tuple(threading.Lock() for _ in range(PARTITION_LOCKS))

    @classmethod
    def from_settings(
        cls, settings: Settings, *, retries: Mapping[str, Retry] = RETRIES, **client_options: Any
    ) -> CosmosRepository:
        """Repository for COSMOS_*; no I/O until the first call (client options and retries: tests only)."""
        return cls(connection_from_settings(settings, **client_options), retries=retries)

    def _tries(self, method: str) -> Iterator[int]:
        return self._retries[method].tries()

    def _serialised(self, pk: str) -> threading.Lock:
        """The lock that serialises this process's read-decide-write cycles on one user's partition.

        Requests of one instance then queue instead of racing for the user document (a burst of
        creates for one user costs no lost races); races with other instances are retried (policy.py).
        """
        return self._partition_locks[zlib.crc32(pk.encode("utf-8")) % len(self._partition_locks)]

    # --- directory ---------------------------------------------------------------------------
    @_guarded
    def record_user(self, user: DirectoryUser) -> None:
        """Upsert the directory entry and the UPN index; 2 point reads and no write when unchanged."""
        tenant_id, object_id = user.tenant_id, user.object_id
        pk = docs.user_pk(tenant_id, object_id)
        fields = docs.directory_fields(user)
        previous: str | None = None
        with self._serialised(pk):
            for _ in self._tries("record_user"):
                current = self._store.read(docs.USER_ID, pk)
                previous = ((current or {}).get("directory") or {}).get("upn")
                if current is not None and current.get("directory") == fields:
                    break
                try:
                    self._write_user(current, docs.next_user(current, tenant_id, object_id, directory=fields))
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                break
        if user.user_principal_name:
            self._index_upn(user)
        if previous and previous.lower() != (user.user_principal_name or "").lower():
            self._unindex_upn(tenant_id, previous, object_id)

    def _write_user(self, current: Doc | None, body: Doc) -> Doc:
        """Create the user document, or replace it if it is still the version we read (else Refused)."""
        if current is None:
            return self._store.create(body)
        return self._store.replace(body, current["_etag"])

    def _index_upn(self, user: DirectoryUser) -> None:
        body = docs.upn_doc(user)
        current = self._store.read(docs.UPN_ID, body["pk"])
        if current is not None and docs.body_of(current) == body:
            return
        self._store.upsert(body)
        if current is not None and current.get("oid") != user.object_id:  # the UPN moved: release it
            self._release_upn(user.tenant_id, str(current["oid"]), body["directory"]["upn"])

    def _release_upn(self, tenant_id: str, object_id: str, upn: str) -> None:
        pk = docs.user_pk(tenant_id, object_id)
        for _ in self._tries("record_user"):
            current = self._store.read(docs.USER_ID, pk)
            directory = (current or {}).get("directory") or {}
            if current is None or (directory.get("upn") or "").lower() != upn.lower():
                return
            try:
                self._store.replace(
                    docs.next_user(current, tenant_id, object_id, directory={**directory, "upn": None}),
                    current["_etag"],
                )
            except Refused as refused:
                if refused.lost_race:
                    continue
                raise
            return

    def _unindex_upn(self, tenant_id: str, upn: str, object_id: str) -> None:
        pk = docs.upn_pk(tenant_id, upn)
        current = self._store.read(docs.UPN_ID, pk)
        if current is not None and current.get("oid") == object_id:
            try:
                self._store.delete(docs.UPN_ID, pk, etag=current["_etag"])
            except Refused as refused:  # taken over or removed meanwhile: leave it
                if refused.status not in (404, 412):
                    raise

    @_guarded
    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """1 point read of the user document."""
        current = self._store.read(docs.USER_ID, docs.user_pk(tenant_id, object_id))
        return docs.user_from_directory(tenant_id, object_id, (current or {}).get("directory"))

    @_guarded
    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """1 point read of the UPN index document."""
        found = self._store.read(docs.UPN_ID, docs.upn_pk(tenant_id, upn))
        if found is None or ((found.get("directory") or {}).get("upn") or "").lower() != upn.lower():
            return None
        return docs.user_from_directory(str(found["tenant"]), str(found["oid"]), found["directory"])

    # --- profile -----------------------------------------------------------------------------
    @_guarded
    def create_profile(self, tenant_id: str, object_id: str) -> None:
        """1 point read + 1 write (create, or if-match replace, of the user document)."""
        pk = docs.user_pk(tenant_id, object_id)
        with self._serialised(pk):
            for _ in self._tries("create_profile"):
                current = self._store.read(docs.USER_ID, pk)
                if docs.has_marker(current):
                    raise Conflict("The profile already exists.")
                try:
                    marked = docs.next_user(current, tenant_id, object_id, profile=docs.profile_marker())
                    self._write_user(current, marked)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                return

    @_guarded
    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        """1 point read + 1 query + ceil((records + 2 x facets) / 99) batches; the marker is cleared in the last one.

        Each batch is [user document if-match (counts lowered by the facets it deletes, seq + 1), up
        to 99 operations: deletes, and a tombstone for each facet deleted]; idempotency records go
        first, facets after them. Tombstones stay (they expire by TTL). See docs/data-model.md.
        """
        pk = docs.user_pk(tenant_id, object_id)
        with self._serialised(pk):
            for _ in self._tries("delete_profile"):
                current = self._store.read(docs.USER_ID, pk)
                rows = self._store.query(
                    "SELECT c.id, c.type, c.facet.id AS facetId, c.account.id AS accountId FROM c WHERE c.pk = @pk",
                    {"@pk": pk},
                    pk,
                )
                rows = sorted(
                    (row for row in rows if row["id"] != docs.USER_ID and row.get("type") != docs.TYPE_TOMBSTONE),
                    key=lambda row: (row.get("type") != docs.TYPE_IDEMPOTENCY, str(row.get("type")), str(row["id"])),
                )
                if not rows and not docs.has_marker(current) and not any(docs.counts_of(current).values()):
                    return  # nothing stored: nothing to write
                try:
                    self._delete_in_batches(tenant_id, object_id, current, rows)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                return

    def _delete_in_batches(self, tenant_id: str, object_id: str, current: Doc | None, rows: list[Doc]) -> None:
        pk = docs.user_pk(tenant_id, object_id)
        runs = _runs(rows, docs.BATCH_LIMIT - 1)
        counts = docs.counts_of(current)
        marker = (current or {}).get("profile")
        for number, run in enumerate(runs):
            last = number == len(runs) - 1
            counts = {} if last else docs.lowered(counts, run)
            seq = docs.next_seq(current)
            head = docs.next_user(
                current, tenant_id, object_id, counts=counts, profile=None if last else marker, seq=seq
            )
            docs.set_stored(head, 0 if last else None)  # unknown until the next write counts them again
            operations = [docs.user_write(current, head)]
            for row in run:
                operations.append(docs.delete_op(row["id"]))
                if _is_facet_row(row):
                    facet_id = str(row.get("facetId") or row.get("accountId") or "")
                    tombstone = docs.tombstone_doc(tenant_id, object_id, str(row["type"]), facet_id, row["id"], seq)
                    operations.append(docs.upsert_op(tombstone))
            results = self._store.batch(operations, pk)
            current = {**head, "_etag": docs.result_etag(results[0])}

    # --- facets ------------------------------------------------------------------------------
    @_guarded
    def add_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        max_count: int,
        idempotency: IdempotencyRecord | None = None,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        """1 read (user document, facet id and idempotency key in one query) + 1 batch.

        Batch: [user document create / if-match replace (count + 1, stored bytes + the facet's, marker
        set), upsert of the idempotency record, create of the facet]. Replay, duplicate id, quota and
        storage ceiling are decided from the read, so a refused create writes nothing. (A user document
        that does not know its stored bytes yet costs one more query, once: `_stored_total`.)
        """
        pk = docs.user_pk(tenant_id, object_id)
        body = docs.facet_doc(tenant_id, object_id, facet_type, facet)
        record = docs.idempotency_doc(tenant_id, object_id, idempotency) if idempotency else None
        wanted = [docs.USER_ID, body["id"]] + ([record["id"]] if record else [])
        collection = facet_type.collection
        with self._serialised(pk):
            for _ in self._tries("add_facet"):
                found = self._read_ids(pk, wanted)
                if record is not None:
                    earlier = docs.idempotency_from(found.get(record["id"]))
                    if earlier is not None:
                        raise IdempotencyReplay(earlier)
                if body["id"] in found:
                    raise Conflict(DUPLICATE)
                current = found.get(docs.USER_ID)
                counts = docs.counts_of(current)
                if counts.get(collection, 0) >= max_count:
                    raise QuotaExceeded(f"The user already has the maximum of {max_count} items in '{collection}'.")
                stored = self._stored_after(pk, current, 0, stored_size(facet), max_bytes)
                marker = (current or {}).get("profile") or docs.profile_marker()
                counts[collection] = counts.get(collection, 0) + 1
                seq = docs.next_seq(current)
                head = docs.next_user(current, tenant_id, object_id, counts=counts, profile=marker, seq=seq)
                body["seq"] = seq
                docs.set_stored(head, stored)
                operations = [docs.user_write(current, head)]
                operations += [docs.upsert_op(record)] if record else []
                operations += [docs.create_op(body)]
                try:
                    results = self._store.batch(operations, pk)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    if refused.status == 409:  # the read saw no such id, so this is not expected; still a duplicate
                        raise Conflict(DUPLICATE) from refused
                    raise
                return Versioned(dict(facet), self._etags.present(docs.result_etag(results[-1])))
        raise AssertionError("unreachable: Retry.tries() raises when spent")

    @_guarded
    def get_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str
    ) -> Versioned[Facet] | None:
        """1 point read."""
        found = self._store.read(docs.facet_doc_id(facet_type, facet_id), docs.user_pk(tenant_id, object_id))
        if found is None or not docs.is_facet(found, facet_type):
            return None
        return Versioned(docs.facet_of(found), self._etags.present(found["_etag"]))

    @_guarded
    def list_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> dict[str, list[Versioned[Facet]]]:
        """1 single-partition query for any number of collections (none for no collection)."""
        listed: dict[str, list[Versioned[Facet]]] = {facet_type.collection: [] for facet_type in facet_types}
        if not listed:
            return listed
        pk = docs.user_pk(tenant_id, object_id)
        sql, parameters = docs.select_in("type", list(listed), pk)
        for found in self._store.query(sql, parameters, pk):
            items = listed.get(str(found.get("type")))
            if items is not None and (docs.FACET in found or found["type"] in found):
                items.append(Versioned(docs.facet_of(found), self._etags.present(found["_etag"])))
        return listed

    def scan_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> Iterator[tuple[str, Versioned[Facet]]]:
        """The query of `list_facets`, its results handed over page by page as the caller iterates."""
        wanted = {facet_type.collection for facet_type in facet_types}
        if not wanted:
            return
        pk = docs.user_pk(tenant_id, object_id)
        sql, parameters = docs.select_in("type", sorted(wanted), pk)
        found = self._store.stream(sql, parameters, pk)
        while True:
            try:
                doc = next(found)
            except StopIteration:
                return
            except (ApiError, IdempotencyReplay):
                raise
            except Exception as error:  # the adapter's edge, as `_guarded` is for the other methods
                raise to_api_error(error) from error
            kind = str(doc.get("type"))
            if kind in wanted and (docs.FACET in doc or kind in doc):
                yield kind, Versioned(docs.facet_of(doc), self._etags.present(doc["_etag"]))

    @_guarded
    def replace_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        if_match: IfMatch,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        """1 read (user document and facet in one query) + 1 batch [user document if-match (seq + 1,
        stored bytes moved by the change of size), facet replace if-match the `_etag` read], so the
        change carries the user's next number. Past `max_bytes` (a facet that grows): StorageQuotaExceeded.

        `if_match` is decided by `etag_matches` on the facet read (404: NotFound, else 412:
        PreconditionFailed). A write of the facet after our read: PreconditionFailed for a caller
        with entity tags (the service re-reads), another try for None and "*"; a lost race on the
        user document: another try (policy.py).
        """
        pk = docs.user_pk(tenant_id, object_id)
        body = docs.facet_doc(tenant_id, object_id, facet_type, facet)
        with self._serialised(pk):
            for _ in self._tries("replace_facet"):
                found = self._read_ids(pk, [docs.USER_ID, body["id"]])
                target = found.get(body["id"])
                if target is None or not docs.is_facet(target, facet_type):
                    raise FacetNotFound()
                if not etag_matches(if_match, self._etags.present(target["_etag"])):
                    raise StaleFacet()
                current = found.get(docs.USER_ID)
                stored = self._stored_after(pk, current, docs.facet_doc_size(target), stored_size(facet), max_bytes)
                seq = docs.next_seq(current)
                body["seq"] = seq
                head = docs.set_stored(docs.next_user(current, tenant_id, object_id, seq=seq), stored)
                operations = [docs.user_write(current, head), docs.replace_op(body, target["_etag"])]
                try:
                    results = self._store.batch(operations, pk)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    if refused.status == 412 and if_match in (None, "*"):
                        continue
                    if refused.status == 412:
                        raise StaleFacet() from refused
                    if refused.status == 404:
                        raise FacetNotFound() from refused
                    raise
                return Versioned(dict(facet), self._etags.present(docs.result_etag(results[-1])))
        raise AssertionError("unreachable: Retry.tries() raises when spent")

    @_guarded
    def delete_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str, *, if_match: IfMatch
    ) -> None:
        """1 read (user document and facet in one query) + 1 batch [user document if-match (count - 1,
        seq + 1), delete, tombstone]."""
        pk = docs.user_pk(tenant_id, object_id)
        doc_id = docs.facet_doc_id(facet_type, facet_id)
        collection = facet_type.collection
        with self._serialised(pk):
            for _ in self._tries("delete_facet"):
                found = self._read_ids(pk, [docs.USER_ID, doc_id])
                target = found.get(doc_id)
                if target is None or not docs.is_facet(target, facet_type):
                    raise FacetNotFound()
                if not etag_matches(if_match, self._etags.present(target["_etag"])):
                    raise StaleFacet()
                current = found.get(docs.USER_ID)
                counts = docs.counts_of(current)
                seq = docs.next_seq(current)
                head = docs.next_user(
                    current,
                    tenant_id,
                    object_id,
                    counts={**counts, collection: max(0, counts.get(collection, 0) - 1)},
                    seq=seq,
                )
                docs.set_stored(head, self._stored_after(pk, current, docs.facet_doc_size(target), 0, None))
                conditional = if_match is not None and if_match != "*"
                tombstone = docs.tombstone_doc(tenant_id, object_id, collection, facet_id, doc_id, seq)
                operations = [
                    docs.user_write(current, head),
                    docs.delete_op(doc_id, target["_etag"] if conditional else None),
                    docs.upsert_op(tombstone),
                ]
                try:
                    self._store.batch(operations, pk)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    if refused.status == 412:  # the facet changed after our read: the caller's tag is stale now
                        raise StaleFacet() from refused
                    if refused.status == 404:
                        raise FacetNotFound() from refused
                    raise
                return

    # --- change tracking (docs/data-model.md, "Change tracking") -------------------------------
    @_guarded
    def read_changes(
        self,
        tenant_id: str,
        object_id: str | None,
        facet_types: Sequence[FacetType],
        *,
        since: Cursor | None,
        after: Position | None,
        limit: int,
    ) -> ChangePage:
        """Per user: 1 single-partition query a page. Tenant-wide: 1 cross-partition query a page."""
        collections = [facet_type.collection for facet_type in facet_types]
        if object_id is not None:
            return self._user_changes(tenant_id, object_id, collections, since, after, limit)
        return self._tenant_changes(tenant_id, collections, since, after, limit)

    @_guarded
    def latest_cursor(self, tenant_id: str, object_id: str | None, facet_types: Sequence[FacetType]) -> Cursor:
        """Per user: 1 point read (the user document's number). Tenant-wide: no store call."""
        if object_id is None:
            return {"w": int(time.time()) - TENANT_OVERLAP_S, "m": {}}
        return docs.seq_of(self._store.read(docs.USER_ID, docs.user_pk(tenant_id, object_id)))

    def _user_changes(
        self,
        tenant_id: str,
        object_id: str,
        collections: list[str],
        since: Cursor | None,
        after: Position | None,
        limit: int,
    ) -> ChangePage:
        """The user's document and every change of the scope in one query; sorted and paged here (a
        user's data is bounded by the quota). Cursor: the user document's `seq`. Position: `[start,
        seq, object id, collection, facet id]`, `start` being the number read on the round's first page."""
        pk = docs.user_pk(tenant_id, object_id)
        first = since is None
        floor = -1 if first else change_number(since)
        start, key = page_position(after, floor)
        # The collections are chosen here, not in the query: a user's changes are few (the quota
        # bounds them), and the test server's partition-key check grows exponentially with each OR.
        if first:
            names = {f"@c{n}": name for n, name in enumerate(collections)}
            listed = ", ".join(names) or "null"
            # Only generated parameter names are interpolated; every value is a parameter.
            sql = f"SELECT * FROM c WHERE c.pk = @pk AND (c.id = @user OR c.type IN ({listed}))"  # noqa: S608
            parameters: dict[str, Any] = {"@pk": pk, "@user": docs.USER_ID, **names}
        else:
            sql = "SELECT * FROM c WHERE c.pk = @pk AND (c.id = @user OR c.seq > @floor)"
            parameters = {"@pk": pk, "@user": docs.USER_ID, "@floor": floor}
        found = self._store.query(sql, parameters, pk)
        user = next((doc for doc in found if doc.get("id") == docs.USER_ID), None)
        wanted = set(collections)
        changes = [change for doc in found if (change := _change(doc, wanted, first)) is not None]
        changes = sorted((change for change in changes if change.seq > floor and _order(change) > key), key=_order)
        begun = docs.seq_of(user) if start is None else start
        if len(changes) > limit:
            last = _order(changes[limit - 1])
            return ChangePage(changes[:limit], after=[begun, *last], cursor=None)
        return ChangePage(changes, after=None, cursor=begun if first else docs.seq_of(user))

    def _tenant_changes(
        self, tenant_id: str, collections: list[str], since: Cursor | None, after: Position | None, limit: int
    ) -> ChangePage:
        """Pages of a cross-partition query in (pk, id) order over the documents whose `_ts` is at
        least the cursor's window start, less those whose `seq` the cursor says were delivered.

        Cursor: `{"w": window start (the store's `_ts`), "m": {user hash: seq delivered}}`. Position:
        `{"w1": the next window start, "m1": the next map so far, "k": [pk, id] of the last document}`.
        """
        first = since is None
        window: int | None = None
        delivered: dict[str, int] = {}
        if not first:
            window, delivered = _tenant_cursor(since)
        next_map: dict[str, int] = {}
        key: tuple[str, str] | None = None
        if after is None:
            next_window = int(time.time()) - TENANT_OVERLAP_S
        else:
            next_window, next_map, key = _tenant_position(after)
        names = {f"@c{n}": name for n, name in enumerate(collections)}
        listed = ", ".join(names) or "null"
        kinds = f"c.type IN ({listed})"
        if not first:
            kinds = f"({kinds} OR (c.type = @tombstone AND c.collection IN ({listed})))"
        wanted = set(collections)
        while True:
            clauses = ["STARTSWITH(c.pk, @tenant)", kinds]
            parameters: dict[str, Any] = {"@tenant": docs.key_part(tenant_id) + ":", "@tombstone": docs.TYPE_TOMBSTONE}
            parameters.update(names)
            if window is not None:
                clauses.append("c._ts >= @window")
                parameters["@window"] = window
            if key is not None:
                clauses.append("(c.pk > @kpk OR (c.pk = @kpk AND c.id > @kid))")
                parameters.update({"@kpk": key[0], "@kid": key[1]})
            # Only fixed clauses, generated parameter names and a whole number are interpolated.
            sql = f"SELECT TOP {int(limit) + 1} * FROM c WHERE {' AND '.join(clauses)} ORDER BY c.pk, c.id"  # noqa: S608
            found = self._store.query_across(sql, parameters)
            raw, more = found[:limit], len(found) > limit
            changes = _tenant_page(raw, wanted, delivered, next_window, next_map, key[0] if key else None, first)
            if more:
                key = (str(raw[-1]["pk"]), str(raw[-1]["id"]))
                if not changes:  # nothing new on this page: read on, so that a page with a link is never empty
                    continue
                return ChangePage(changes, after={"w1": next_window, "m1": next_map, "k": list(key)}, cursor=None)
            return ChangePage(changes, after=None, cursor={"w": next_window, "m": next_map})

    # --- deployment-wide -----------------------------------------------------------------------
    @_guarded
    def secret(self, name: str) -> bytes:
        """A document in the partition "secrets", created if missing (on 409 read back); cached here."""
        with self._secrets_lock:
            cached = self._secrets.get(name)
        if cached is not None:
            return cached
        doc_id = docs.secret_doc_id(name)
        for _ in self._tries("secret"):
            found = self._store.read(doc_id, docs.SECRETS_PK)
            if found is None:
                try:
                    found = self._store.create(docs.secret_doc(name, secrets.token_bytes(32)))
                except Refused as refused:
                    if refused.status == 409:  # another instance created it first: use theirs
                        continue
                    raise
            value = docs.secret_from(found)
            with self._secrets_lock:
                return self._secrets.setdefault(name, value)
        raise AssertionError("unreachable: Retry.tries() raises when spent")

    def close(self) -> None:
        self._store.connection.close()

    # --- plumbing ------------------------------------------------------------------------------
    def _stored_after(
        self, pk: str, current: Doc | None, removed: int, added: int, max_bytes: int | None
    ) -> int | None:
        """The bytes of the user's facets after a write of `added` bytes in place of `removed` (None:
        unknown, and not needed); StorageQuotaExceeded when the write grows them past `max_bytes`."""
        grows = max_bytes is not None and added > removed
        total = self._stored_total(pk, current, compute=grows)
        if total is None:
            return None
        if max_bytes is not None and grows and total - removed + added > max_bytes:
            raise StorageQuotaExceeded(storage_message(max_bytes, total, added - removed))
        return max(0, total - removed + added)

    def _stored_total(self, pk: str, current: Doc | None, *, compute: bool) -> int | None:
        """The bytes of the user's facets: as the user document records them, else (when `compute`) counted
        over the facet documents by one query (the next write records them), else None."""
        known = docs.stored_bytes_of(current)
        if known is not None or not compute:
            return known
        from shared.facets.catalog import FACET_TYPES

        sql, parameters = docs.select_in("type", [facet_type.collection for facet_type in FACET_TYPES], pk)
        return sum(
            docs.facet_doc_size(doc)
            for doc in self._store.stream(sql, parameters, pk)
            if docs.FACET in doc or str(doc.get("type")) in doc
        )

    def _read_ids(self, pk: str, ids: list[str]) -> dict[str, Doc]:
        """A few documents of one partition in ONE round trip (a single-partition query on `id`)."""
        sql, parameters = docs.select_in("id", ids, pk)
        return {str(found["id"]): found for found in self._store.query(sql, parameters, pk)}


_NOT_FACETS = frozenset({docs.TYPE_USER, docs.TYPE_IDEMPOTENCY, docs.TYPE_UPN, docs.TYPE_SECRET, docs.TYPE_TOMBSTONE})


def _is_facet_row(row: Doc) -> bool:
    return isinstance(row.get("type"), str) and row["type"] not in _NOT_FACETS


def _runs(rows: list[Doc], budget: int) -> list[list[Doc]]:
    """`rows` in runs of at most `budget` batch operations (a facet costs two: its delete and its
    tombstone); one empty run for no rows."""
    runs: list[list[Doc]] = [[]]
    used = 0
    for row in rows:
        cost = 2 if _is_facet_row(row) else 1
        if used + cost > budget:
            runs.append([])
            used = 0
        runs[-1].append(row)
        used += cost
    return runs


# --- change tracking helpers ---------------------------------------------------------------------


def _numbers(value: object) -> dict[str, int]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise InvalidCursor("not a cursor of this store")
    return {key: change_number(number) for key, number in value.items()}


def _tenant_cursor(since: Cursor) -> tuple[int, dict[str, int]]:
    if not (isinstance(since, dict) and set(since) == {"w", "m"}):
        raise InvalidCursor("not a cursor of this store")
    return change_number(since["w"]), _numbers(since["m"])


def _tenant_position(after: Position) -> tuple[int, dict[str, int], tuple[str, str]]:
    if not (isinstance(after, dict) and set(after) == {"w1", "m1", "k"}):
        raise InvalidCursor("not a position of this store")
    key = after["k"]
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)):
        raise InvalidCursor("not a position of this store")
    return change_number(after["w1"]), _numbers(after["m1"]), (key[0], key[1])


def _user_hash(pk: str) -> str:
    """A user partition in a tenant-wide cursor: 64 bits of its SHA-256 (11 characters)."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(pk.encode("utf-8")).digest()[:8]).rstrip(b"=").decode("ascii")


def _order(change: Change) -> tuple[int, str, str, str]:
    return (change.seq, change.object_id, change.collection, change.facet_id)


def _change(doc: Doc, wanted: set[str], first: bool) -> Change | None:
    """The change a facet or tombstone document of the scope stands for, else None."""
    kind = doc.get("type")
    oid = str(doc.get("oid") or "")
    if kind in wanted and (docs.FACET in doc or kind in doc):
        return Change(oid, str(kind), docs.facet_id_of(doc), docs.facet_of(doc), docs.seq_of(doc))
    if not first and kind == docs.TYPE_TOMBSTONE and doc.get("collection") in wanted:
        return Change(oid, str(doc["collection"]), str(doc.get("facetId")), None, docs.seq_of(doc))
    return None


def _tenant_page(
    raw: list[Doc],
    wanted: set[str],
    delivered: dict[str, int],
    window: int,
    remembered: dict[str, int],
    continuing: str | None,
    first: bool,
) -> list[Change]:
    """The changes of one raw page not yet delivered, and (into `remembered`) the numbers the next
    round may skip: for a user first met on this page with a document committed in the next window,
    the highest number this page (one snapshot of that user's partition) shows for them."""
    changes: list[Change] = []
    highest: dict[str, int] = {}
    recent: set[str] = set()
    for doc in raw:
        change = _change(doc, wanted, first)
        if change is None:
            continue
        pk = str(doc["pk"])
        user = _user_hash(pk)
        if user not in delivered or change.seq > delivered[user]:
            changes.append(change)
        if pk != continuing:
            highest[user] = max(highest.get(user, delivered.get(user, 0)), change.seq)
            if int(doc.get("_ts") or 0) >= window:
                recent.add(user)
    for user in recent:
        if user in remembered or len(remembered) < TENANT_MAP_LIMIT:
            remembered[user] = max(remembered.get(user, 0), highest[user])
    return changes
