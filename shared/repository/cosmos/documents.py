"""The Cosmos document model: partition keys, document ids, document shapes, batch operations.

See docs/data-model.md. Every function here is pure (no I/O), so the layout is testable alone.
Documents written by the previous (account-only) version still read: an account facet under the
member `account` instead of `facet`, and `accountCount` in the user document instead of `counts`.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from shared.facets.model import FacetType
from shared.models import DirectoryUser, IdempotencyRecord
from shared.repository.changes import TOMBSTONE_RETENTION_S
from shared.repository.port import Facet, stored_size

Doc = dict[str, Any]
Operation = tuple[Any, ...]

USER_ID = "user"
UPN_ID = "upn"
TYPE_USER, TYPE_IDEMPOTENCY, TYPE_UPN, TYPE_SECRET = "user", "idempotency", "upn", "secret"
#: A deleted facet, kept for the delta retention window (docs/data-model.md, "Change tracking").
TYPE_TOMBSTONE = "tombstone"
#: The partition of the deployment-wide secrets (a user partition always holds a ':').
SECRETS_PK = "secrets"
#: The member that holds a facet's stored JSON.
FACET = "facet"
#: Operations per transactional batch (service limit).
BATCH_LIMIT = 100

_SAFE_PART = re.compile(r"^[0-9A-Za-z-]{1,40}$")
_SAFE_ID = re.compile(r"^[0-9A-Za-z._-]{1,200}$")
_DIRECTORY = (  # DirectoryUser attribute -> member of the stored directory entry
    ("user_principal_name", "upn"),
    ("display_name", "displayName"),
    ("age_group", "ageGroup"),
    ("user_persona", "userPersona"),
    ("origin_tenant_info", "originTenantInfo"),
)


def _digest(value: str, length: int = 32) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]


def key_part(value: str) -> str:
    """A tenant or object id as a key component: as is when short and plain, else `~` + its hash."""
    return value if _SAFE_PART.match(value) else "~" + _digest(value, 40)


def user_pk(tenant_id: str, object_id: str) -> str:
    """The logical partition of one user: user doc, facets, idempotency records (<= 83 bytes)."""
    return f"{key_part(tenant_id)}:{key_part(object_id)}"


def upn_pk(tenant_id: str, upn: str) -> str:
    """The partition of one UPN's index document; the raw UPN never appears in a key."""
    return f"{key_part(tenant_id)}:upn:{_digest(upn.lower())}"


def _doc_id(prefix: str, value: str) -> str:
    return f"{prefix}:{value}" if _SAFE_ID.match(value) else f"{prefix}~{_digest(value, 64)}"


def facet_doc_id(facet_type: FacetType, facet_id: str) -> str:
    """`{prefix}:{facet id}` ("acct" for account, else the collection name); unsafe ids are hashed."""
    return _doc_id(facet_type.prefix, facet_id)


def idempotency_doc_id(key: str) -> str:
    return _doc_id("idem", key)


def secret_doc_id(name: str) -> str:
    return _doc_id("secret", name)


def present_etag(raw: str) -> str:
    """The ETag the port hands out: the store's `_etag`, quoted as in HTTP (the test server's are bare)."""
    return raw if raw.startswith('"') else f'"{raw}"'


class EtagStyle:
    """Maps the port's ETags back to the store's `_etag` values, once it has seen one of them.

    The service's `_etag`s are quoted already (handed out as they are); the test server's are bare
    (handed out quoted). `raw()` translates only one well-formed tag, so a direct if-match write
    compares exactly what `etag_matches` would; anything else is for the caller to decide after a read.
    """

    _TAG = re.compile(r'^"[0-9A-Za-z-]{1,64}"$')

    def __init__(self) -> None:
        self.bare: bool | None = None

    def present(self, raw: str) -> str:
        self.bare = not raw.startswith('"')
        return present_etag(raw)

    def raw(self, if_match: str | tuple[str, ...]) -> str | None:
        """The store's `_etag` for a precondition of exactly one well-formed tag, else None."""
        tags = (if_match,) if isinstance(if_match, str) else if_match
        if len(tags) != 1 or self.bare is None or not self._TAG.match(tags[0]):
            return None
        return tags[0][1:-1] if self.bare else tags[0]


def body_of(doc: Doc) -> Doc:
    """A document without the server's system properties, ready to be written back."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def _base(pk: str, doc_id: str, doc_type: str, tenant_id: str, object_id: str) -> Doc:
    return {"id": doc_id, "pk": pk, "type": doc_type, "tenant": tenant_id, "oid": object_id}


# --- the user document: directory entry, profile marker, counts, version -------------------------
def new_user(tenant_id: str, object_id: str) -> Doc:
    """A user document before anything is known: no directory entry, no marker, no facets."""
    doc = _base(user_pk(tenant_id, object_id), USER_ID, TYPE_USER, tenant_id, object_id)
    doc.update(directory=None, profile=None, counts={}, rev=0)
    doc[STORED] = 0
    return doc


#: The user document's member holding the `stored_size` of all the user's facets (the storage ceiling).
STORED = "bytes"


def stored_bytes_of(user: Doc | None) -> int | None:
    """The bytes of the user's facets as the user document records them: 0 without a document or without
    facets, None when unknown (a document written before it was kept, or during a multi-batch delete)."""
    if user is None:
        return 0
    value = user.get(STORED)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return 0 if not any(counts_of(user).values()) else None


def set_stored(user: Doc, stored: int | None) -> Doc:
    """`user` (a next version) recording `stored` bytes of facets, or not recording any when None."""
    if stored is None:
        user.pop(STORED, None)
    else:
        user[STORED] = stored
    return user


def facet_doc_size(doc: Doc) -> int:
    """The `stored_size` of the facet a facet document holds (current or previous shape)."""
    return stored_size(facet_of(doc))


def counts_of(user: Doc | None) -> dict[str, int]:
    """Facets per collection; the previous version's `accountCount` is the count of 'account'."""
    if user is None:
        return {}
    counts = {str(name): int(value) for name, value in (user.get("counts") or {}).items()}
    if "accountCount" in user and "account" not in counts:
        counts["account"] = int(user["accountCount"] or 0)
    return counts


def next_user(user: Doc | None, tenant_id: str, object_id: str, **changes: Any) -> Doc:
    """The user document's next version: `rev` always moves, so its ETag always changes.

    Written in the current shape (`counts`; the previous `accountCount` folded in).
    """
    body = body_of(user) if user is not None else new_user(tenant_id, object_id)
    body["counts"] = counts_of(body)
    body.pop("accountCount", None)
    body.update(changes)
    body["rev"] = int(body.get("rev") or 0) + 1
    return body


def seq_of(doc: Doc | None) -> int:
    """A document's change number: the user document's counter, or the number a facet/tombstone was
    written with (documents written before change tracking have none: 0)."""
    value = (doc or {}).get("seq")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def next_seq(user: Doc | None) -> int:
    """The number the next batch on this user's partition stamps (its user document takes it too)."""
    return seq_of(user) + 1


def user_write(user: Doc | None, body: Doc) -> Operation:
    """Batch operation 0: create the user document, or replace it if it is still the version we read."""
    return create_op(body) if user is None else replace_op(body, user["_etag"])


def profile_marker() -> dict[str, str]:
    """The stored profile marker (the profile's id is derived, contract §1)."""
    return {"createdDateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def has_marker(user: Doc | None) -> bool:
    return user is not None and user.get("profile") is not None


def directory_fields(user: DirectoryUser) -> dict[str, Any]:
    """The directory part of a user document (and of a UPN index document)."""
    return {member: getattr(user, attribute) for attribute, member in _DIRECTORY}


def user_from_directory(tenant_id: str, object_id: str, fields: dict[str, Any] | None) -> DirectoryUser | None:
    """The DirectoryUser held in a user or UPN document (older documents lack the newer members)."""
    if fields is None:
        return None
    values = {attribute: fields.get(member) for attribute, member in _DIRECTORY}
    return DirectoryUser(tenant_id=tenant_id, object_id=object_id, **values)


def upn_doc(user: DirectoryUser) -> Doc:
    """The UPN index document: resolves a UPN with one point read."""
    upn = user.user_principal_name or ""
    doc = _base(upn_pk(user.tenant_id, upn), UPN_ID, TYPE_UPN, user.tenant_id, user.object_id)
    doc["directory"] = directory_fields(user)
    return doc


# --- facets --------------------------------------------------------------------------------------
def facet_doc(tenant_id: str, object_id: str, facet_type: FacetType, facet: Facet, seq: int | None = None) -> Doc:
    """A facet document: the stored facet JSON under `facet`, `type` = the collection, `seq` its change number."""
    doc_id = facet_doc_id(facet_type, str(facet["id"]))
    doc = _base(user_pk(tenant_id, object_id), doc_id, facet_type.collection, tenant_id, object_id)
    doc[FACET] = facet
    if seq is not None:
        doc["seq"] = seq
    return doc


def facet_id_of(doc: Doc) -> str:
    """The facet id a facet document holds (current or previous shape)."""
    return str(facet_of(doc).get("id"))


def tombstone_doc(tenant_id: str, object_id: str, collection: str, facet_id: str, doc_id: str, seq: int) -> Doc:
    """What a delete leaves for delta rounds: expires by itself (`ttl`) after the retention window."""
    doc = _base(user_pk(tenant_id, object_id), "del:" + doc_id, TYPE_TOMBSTONE, tenant_id, object_id)
    doc.update(collection=collection, facetId=facet_id, seq=seq, deletedAt=int(time.time()), ttl=TOMBSTONE_RETENTION_S)
    return doc


def facet_of(doc: Doc) -> Facet:
    """The stored facet JSON of a facet document (the previous version kept it under the type's name)."""
    value = doc[FACET] if FACET in doc else doc[doc["type"]]
    return dict(value)


def is_facet(doc: Doc, facet_type: FacetType) -> bool:
    return doc.get("type") == facet_type.collection and (FACET in doc or facet_type.collection in doc)


# --- idempotency records, secrets ---------------------------------------------------------------
def idempotency_doc(tenant_id: str, object_id: str, record: IdempotencyRecord) -> Doc:
    """An idempotency record; `ttl` lets the service purge it, `expiresAt` is checked in code too."""
    doc = _base(user_pk(tenant_id, object_id), idempotency_doc_id(record.key), TYPE_IDEMPOTENCY, tenant_id, object_id)
    doc.update(
        key=record.key,
        fingerprint=record.fingerprint,
        resourceId=record.resource_id,
        response=record.response,
        expiresAt=record.expires_at,
        ttl=max(1, math.ceil(record.expires_at - time.time())),
    )
    return doc


def idempotency_from(doc: Doc | None, now: float | None = None) -> IdempotencyRecord | None:
    """The record in a document, or None when absent or expired (TTL purging is lazy)."""
    if doc is None or doc.get("expiresAt", 0) <= (time.time() if now is None else now):
        return None
    return IdempotencyRecord(
        key=doc["key"],
        fingerprint=doc["fingerprint"],
        resource_id=doc["resourceId"],
        response=doc.get("response") or {},
        expires_at=doc["expiresAt"],
    )


def secret_doc(name: str, value: bytes) -> Doc:
    return {
        "id": secret_doc_id(name),
        "pk": SECRETS_PK,
        "type": TYPE_SECRET,
        "name": name,
        "value": base64.b64encode(value).decode("ascii"),
    }


def secret_from(doc: Doc) -> bytes:
    return base64.b64decode(doc["value"])


# --- batch operations (azure-cosmos tuples) -----------------------------------------------------
def create_op(body: Doc) -> Operation:
    return ("create", (body,))


def upsert_op(body: Doc) -> Operation:
    return ("upsert", (body,))


def replace_op(body: Doc, etag: str) -> Operation:
    """Replace `body` if the stored `_etag` is still `etag` (the store's raw value)."""
    return ("replace", (body["id"], body), {"if_match_etag": etag})


def delete_op(doc_id: str, etag: str | None = None) -> Operation:
    return ("delete", (doc_id,), {"if_match_etag": etag}) if etag else ("delete", (doc_id,))


def result_etag(result: dict[str, Any]) -> str:
    """The raw `_etag` a batch operation's response reports."""
    return str(result.get("eTag") or (result.get("resourceBody") or {}).get("_etag", ""))


def select_in(member: str, values: list[str], pk: str) -> tuple[str, dict[str, Any]]:
    """`SELECT *` of the documents of partition `pk` whose `member` is one of `values` (parameters only)."""
    names = {f"@v{n}": value for n, value in enumerate(values)}
    # Only generated parameter names and a fixed member name are interpolated; every value is a parameter.
    sql = f"SELECT * FROM c WHERE c.pk = @pk AND c.{member} IN ({', '.join(names)})"  # noqa: S608  # names only
    return sql, {"@pk": pk, **names}


def chunks(items: list[Doc], size: int) -> list[list[Doc]]:
    """`items` in runs of at most `size`; one empty run for no items."""
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


def lowered(counts: dict[str, int], deleted: Iterable[Doc]) -> dict[str, int]:
    """`counts` less the facet documents in `deleted` (idempotency records do not count)."""
    result = dict(counts)
    for row in deleted:
        kind = row.get("type")
        if kind not in (TYPE_IDEMPOTENCY, TYPE_USER) and isinstance(kind, str):
            result[kind] = max(0, result.get(kind, 0) - 1)
    return result
