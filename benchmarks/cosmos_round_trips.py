"""Round trips and request units (RU) per operation of the Cosmos adapter.

    .venv/bin/python benchmarks/cosmos_round_trips.py

Each operation runs against the Cosmos-protocol test server (started here) through the real adapter;
every HTTP request that leaves the client is counted at the transport, with the documents it writes
and the bytes it reads. The test server reports no request charge, so RU are computed on paper from
Azure's published unit costs, beside which they are printed:

- point read of a 1 KB item: 1 RU (Azure: "A point read for a 1-KB item is equivalent to one RU");
- write (create, replace, upsert, delete) of a 1 KB item: about 5 RU with the default indexing
  policy (every path indexed);
- query: at least 2.3 RU.

Paper cost of a request: a point read 1 RU per KB read (at least 1); a query 2.3 RU plus 1 RU per KB
returned beyond the first; a write 5 RU per document written per KB (at least 1 KB), a batch the sum
of its operations. The indexing policy (shared/repository/cosmos_container.json) indexes only /pk
and /type (and the always-indexed id), so a write indexes 3 terms where the default policy indexes
every property path of the document (`*_paths_default` beside `*_paths_indexed`, for the documents
a write stores; deletes not counted): the 5 RU figure is an upper bound for our writes.
Figures only, no assertions; `figures()` returns them for `make bench`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.facets.catalog import FACET_TYPES  # noqa: E402
from shared.repository.cosmos import CosmosRepository  # noqa: E402
from shared.repository.cosmos.connection import container_definition  # noqa: E402
from tests.contract.cosmos_transports import CountingTransport, is_batch, is_query  # noqa: E402
from tests.contract.helpers import POSITIONS, SKILLS, changed, facet, guid, record, user  # noqa: E402
from tests.support.cosmos_server import CosmosServer, create_database, settings_for  # noqa: E402

#: Azure's published unit costs (RU): 1 KB point read, 1 KB write (default indexing), query floor.
POINT_READ_RU, WRITE_RU, QUERY_RU = 1.0, 5.0, 2.3
KB = 1024


@dataclass
class Sent:
    """One request as the transport saw it."""

    query: bool
    write: bool
    documents: list[dict[str, Any]]  # what it writes (a delete: the id only)
    received: int  # response body bytes

    @property
    def paper_ru(self) -> float:
        if self.write:
            return sum(WRITE_RU * max(1, math.ceil(len(json.dumps(doc)) / KB)) for doc in self.documents)
        kilobytes = max(1, math.ceil(self.received / KB))
        return QUERY_RU + (kilobytes - 1) if self.query else POINT_READ_RU * kilobytes


class MeteringTransport(CountingTransport):
    """Counts like CountingTransport and keeps what each request wrote and read."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent: list[Sent] = []

    def send(self, request: Any, **kwargs: Any) -> Any:
        response = super().send(request, **kwargs)
        if "/docs" in request.url:
            received = len(response.body() or b"")
            self.sent.append(Sent(is_query(request), _is_write(request), _written(request), received))
        return response

    def reset(self) -> None:
        super().reset()
        self.sent.clear()


def _is_write(request: Any) -> bool:
    return request.method in ("POST", "PUT", "DELETE") and not is_query(request)


def _written(request: Any) -> list[dict[str, Any]]:
    if not _is_write(request):
        return []
    if request.method == "DELETE":
        return [{"id": request.url.rsplit("/", 1)[-1]}]
    body = json.loads(request.data or b"null")
    if is_batch(request):
        return [operation.get("resourceBody") or {"id": operation.get("id")} for operation in body]
    return [body]


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every leaf path of a JSON value, as the default indexing policy would index it."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, f"{prefix}/{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, f"{prefix}/[]")
    else:
        yield prefix


def _indexed(document: dict[str, Any]) -> int:
    """Terms our indexing policy indexes for a document: its included paths present, plus `id`."""
    included = [entry["path"].removesuffix("/?") for entry in container_definition()["indexingPolicy"]["includedPaths"]]
    return 1 + sum(1 for path in included if path.lstrip("/") in document)


@contextmanager
def _repository() -> Iterator[tuple[CosmosRepository, MeteringTransport]]:
    server = CosmosServer().start()
    try:
        settings = settings_for(server)
        create_database(settings)
        transport = MeteringTransport()
        repo = CosmosRepository.from_settings(settings, transport=transport)
        repo.get_user(guid(), guid())  # connect once, outside the measurement
        try:
            yield repo, transport
        finally:
            repo.close()
    finally:
        server.stop()


def _scenarios(repo: CosmosRepository) -> dict[str, Callable[[], object]]:
    """Each operation as the service calls it, on a user who already has a few facets."""
    tenant, oid = guid(), guid()
    upn = f"bench-{oid[:8]}@contoso.com"
    repo.record_user(user(tenant, oid, upn))
    kept = [
        repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=100)
        for facet_type in (SKILLS, SKILLS, POSITIONS)
    ]
    doomed = repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100)
    full = guid()
    for n in range(120):
        repo.add_facet(
            tenant,
            full,
            SKILLS if n % 2 else POSITIONS,
            facet(SKILLS if n % 2 else POSITIONS),
            max_count=100,
            idempotency=record() if n < 20 else None,
        )

    def patch() -> None:  # the service's read-modify-write
        current = repo.get_facet(tenant, oid, SKILLS, kept[0].value["id"])
        assert current is not None
        repo.replace_facet(tenant, oid, SKILLS, changed(current.value), if_match=(current.etag,))

    return {
        "add_facet": lambda: repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100),
        "add_facet_with_key": lambda: repo.add_facet(
            tenant, oid, SKILLS, facet(SKILLS), max_count=100, idempotency=record()
        ),
        "add_facet_new_user": lambda: repo.add_facet(tenant, guid(), SKILLS, facet(SKILLS), max_count=100),
        "get_facet": lambda: repo.get_facet(tenant, oid, SKILLS, kept[1].value["id"]),
        "list_facets_1_collection": lambda: repo.list_facets(tenant, oid, [SKILLS]),
        "list_facets_every_collection": lambda: repo.list_facets(tenant, oid, FACET_TYPES),
        "patch_read_and_replace": patch,
        "delete_facet": lambda: repo.delete_facet(tenant, oid, SKILLS, doomed.value["id"], if_match=doomed.etag),
        "create_profile": lambda: repo.create_profile(tenant, guid()),
        "find_user_by_upn": lambda: repo.find_user_by_upn(tenant, upn.upper()),
        "record_user_unchanged": lambda: repo.record_user(user(tenant, oid, upn)),
        "delete_profile_120_facets_20_keys": lambda: repo.delete_profile(tenant, full),
    }


def figures() -> dict[str, float]:
    """Per operation: round trips, documents written, RU on paper, indexed vs default-indexed paths."""
    result: dict[str, float] = {}
    with _repository() as (repo, transport):
        for name, run in _scenarios(repo).items():
            transport.reset()
            run()
            written = [doc for sent in transport.sent for doc in sent.documents]
            result[f"{name}_round_trips"] = float(transport.total)
            result[f"{name}_documents_written"] = float(len(written))
            result[f"{name}_ru_paper"] = round(sum(sent.paper_ru for sent in transport.sent), 1)
            bodies = [doc for doc in written if len(doc) > 1]  # a delete names only the id
            if bodies:
                result[f"{name}_paths_indexed"] = float(sum(_indexed(doc) for doc in bodies))
                result[f"{name}_paths_default"] = float(sum(len(list(_paths(doc))) for doc in bodies))
    return result


def main() -> None:
    result = figures()
    operations = dict.fromkeys(name.rsplit("_round_trips", 1)[0] for name in result if name.endswith("_round_trips"))
    print("Cosmos adapter per operation (test server; RU on paper from Azure's published unit costs:")
    print(f"point read 1 KB = {POINT_READ_RU:g} RU, write 1 KB = {WRITE_RU:g} RU, query >= {QUERY_RU:g} RU)\n")
    print(f"{'operation':<36} {'trips':>5} {'docs':>5} {'RU':>7} {'indexed':>8} {'default':>8}")
    for op in operations:
        print(
            f"{op:<36} {result[f'{op}_round_trips']:>5.0f} {result[f'{op}_documents_written']:>5.0f} "
            f"{result[f'{op}_ru_paper']:>7.1f} {result.get(f'{op}_paths_indexed', 0):>8.0f} "
            f"{result.get(f'{op}_paths_default', 0):>8.0f}"
        )


if __name__ == "__main__":
    main()
