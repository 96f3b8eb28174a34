"""The multi-document writes of one user's partition, each built on one rule:

every write batch starts with an if-match replace (or a create) of the user document, and the user
document changes on every such batch. So if that first operation succeeds, nothing in the partition
changed since we read it, and the later operations (chosen from that read) cannot fail. That makes a
batch correct on the service (atomic anyway) and on the test server (which applies operations one by
one and never rolls back). A lost race on the first operation re-reads and retries, bounded.
"""
from __future__ import annotations

from typing import Any

from shared.errors import Conflict, NotFound, PreconditionFailed, QuotaExceeded
from shared.models import Account, IdempotencyRecord, Profile, Versioned
from shared.repository import cosmos_documents as docs
from shared.repository.cosmos_store import (
    BatchFailed,
    Store,
    contention_attempts,
    create_op,
    delete_op,
    replace_op,
    upsert_op,
)
from shared.repository.port import IdempotencyReplay

#: Operations per transactional batch (service limit: 100); one slot is the user document.
BATCH_LIMIT = 100


def read_by_ids(store: Store, pk: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Up to a few documents of one partition in ONE round trip (a single-partition query)."""
    names = [f"@i{n}" for n in range(len(ids))]
    sql = f"SELECT * FROM c WHERE c.pk = @pk AND c.id IN ({', '.join(names)})"
    found = store.query(sql, {"@pk": pk, **dict(zip(names, ids))}, pk)
    return {doc["id"]: doc for doc in found}


def next_user(user: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The user document's next version (its `rev` always moves, so its etag always changes)."""
    body = docs.body_of(user)
    body.update(changes, rev=int(body.get("rev", 0)) + 1)
    return body


def etag_of(result: dict[str, Any]) -> str:
    return result.get("eTag") or (result.get("resourceBody") or {}).get("_etag", "")


def add_account(
    store: Store,
    tenant_id: str,
    object_id: str,
    account: Account,
    profile_if_missing: Profile,
    max_accounts: int,
    idempotency: IdempotencyRecord | None,
) -> Versioned[Account]:
    """1 read (user doc, account id, idempotency key in one query) + 1 batch write."""
    pk = docs.user_pk(tenant_id, object_id)
    account_body = docs.account_doc(tenant_id, object_id, account)
    idem_body = docs.idempotency_doc(tenant_id, object_id, idempotency) if idempotency else None
    ids = [docs.USER_ID, account_body["id"]] + ([idem_body["id"]] if idem_body else [])
    for _ in contention_attempts():
        found = read_by_ids(store, pk, ids)
        if idem_body is not None:
            prior = docs.idempotency_from(found.get(idem_body["id"]))
            if prior is not None:
                raise IdempotencyReplay(prior)
        if account_body["id"] in found:
            raise Conflict("An account with this id already exists.")
        user = found.get(docs.USER_ID)
        count = int(user["accountCount"]) if user else 0
        if count >= max_accounts:
            raise QuotaExceeded(f"The user already has the maximum of {max_accounts} accounts.")
        profile = (user or {}).get("profile") or docs.profile_fields(profile_if_missing)
        if user is None:
            first = create_op({**docs.new_user_doc(tenant_id, object_id), "profile": profile, "accountCount": 1})
        else:
            first = replace_op(next_user(user, profile=profile, accountCount=count + 1), user["_etag"])
        operations = [first] + ([upsert_op(idem_body)] if idem_body else []) + [create_op(account_body)]
        try:
            results = store.batch(operations, pk)
        except BatchFailed as failed:
            if failed.lost_race:
                continue
            failed.reraise()
        return Versioned(account, etag_of(results[-1]))
    raise AssertionError("unreachable")


def _checked(found: dict[str, dict[str, Any]], doc_id: str, if_match: str | None) -> tuple[dict, dict]:
    user, current = found.get(docs.USER_ID), found.get(doc_id)
    if user is None or current is None:
        raise NotFound("The account was not found.")
    if if_match not in (None, "*") and if_match != current["_etag"]:
        raise PreconditionFailed("The account was modified since it was read.")
    return user, current


def replace_account(
    store: Store, tenant_id: str, object_id: str, account: Account, if_match: str | None
) -> Versioned[Account]:
    """1 read + 1 batch [user doc if-match, account if-match]."""
    pk = docs.user_pk(tenant_id, object_id)
    body = docs.account_doc(tenant_id, object_id, account)
    for _ in contention_attempts():
        user, current = _checked(read_by_ids(store, pk, [docs.USER_ID, body["id"]]), body["id"], if_match)
        try:
            results = store.batch([replace_op(next_user(user), user["_etag"]), replace_op(body, current["_etag"])], pk)
        except BatchFailed as failed:
            if failed.lost_race:
                continue
            failed.reraise()
        return Versioned(account, etag_of(results[1]))
    raise AssertionError("unreachable")


def delete_account(store: Store, tenant_id: str, object_id: str, account_id: str, if_match: str | None) -> None:
    """1 read + 1 batch [user doc if-match (count - 1), delete account if-match]."""
    pk = docs.user_pk(tenant_id, object_id)
    doc_id = docs.account_doc_id(account_id)
    for _ in contention_attempts():
        user, current = _checked(read_by_ids(store, pk, [docs.USER_ID, doc_id]), doc_id, if_match)
        count = max(0, int(user.get("accountCount", 0)) - 1)
        try:
            store.batch([replace_op(next_user(user, accountCount=count), user["_etag"]), delete_op(doc_id, current["_etag"])], pk)
        except BatchFailed as failed:
            if failed.lost_race:
                continue
            failed.reraise()
        return


def delete_profile(store: Store, tenant_id: str, object_id: str) -> None:
    """Delete every document of the partition but the user doc, whose profile goes in the LAST batch.

    Idempotency records go first, accounts last; each batch also moves the user doc (accountCount
    lowered by the accounts it deletes). Up to 99 documents: one batch, all or nothing. More: a crash
    part-way leaves the profile with fewer accounts and a correct count, never accounts without a
    profile; calling delete_profile again finishes the job.
    """
    pk = docs.user_pk(tenant_id, object_id)
    for _ in contention_attempts():
        user = store.read(docs.USER_ID, pk)
        if user is None or user.get("profile") is None:
            raise NotFound("The profile was not found.")
        rows = store.query("SELECT c.id, c.type FROM c WHERE c.pk = @pk", {"@pk": pk}, pk)
        rows = sorted((r for r in rows if r["id"] != docs.USER_ID), key=lambda r: r.get("type") == docs.TYPE_ACCOUNT)
        size = BATCH_LIMIT - 1
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
        count = int(user.get("accountCount", 0))
        try:
            for number, chunk in enumerate(chunks):
                accounts = sum(1 for r in chunk if r.get("type") == docs.TYPE_ACCOUNT)
                last = number == len(chunks) - 1
                count = 0 if last else max(0, count - accounts)
                head = next_user(user, accountCount=count, profile=None if last else user.get("profile"))
                results = store.batch([replace_op(head, user["_etag"])] + [delete_op(r["id"]) for r in chunk], pk)
                user = {**head, "_etag": etag_of(results[0])}
        except BatchFailed as failed:
            if failed.lost_race:
                continue
            failed.reraise()
        return
