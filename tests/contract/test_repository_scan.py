"""The repository port's `scan_facets` on every adapter: what `list_facets` returns, handed over as it is
read, and a caller may stop early."""

from __future__ import annotations

from shared.facets.catalog import FACET_TYPES
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, facet


def _fill(repo, tenant, oid) -> None:
    for facet_type, count in ((SKILLS, 5), (POSITIONS, 3), (ACCOUNT, 2)):
        for _ in range(count):
            repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=100)


def test_scan_hands_over_what_list_returns(repo, tenant, oid):
    _fill(repo, tenant, oid)
    listed = repo.list_facets(tenant, oid, [SKILLS, ACCOUNT])
    scanned: dict[str, list] = {"skills": [], "account": []}
    for collection, item in repo.scan_facets(tenant, oid, [SKILLS, ACCOUNT]):
        scanned[collection].append(item)
    for collection, items in listed.items():
        key = lambda item: item.value["id"]  # noqa: E731  # no order is promised
        assert sorted(scanned[collection], key=key) == sorted(items, key=key)
        assert len(items) == {"skills": 5, "account": 2}[collection]


def test_scan_of_nothing_and_of_empty_collections(repo, tenant, oid):
    assert list(repo.scan_facets(tenant, oid, [])) == []
    assert list(repo.scan_facets(tenant, oid, FACET_TYPES)) == []
    _fill(repo, tenant, oid)
    empty = next(facet_type for facet_type in FACET_TYPES if facet_type not in (SKILLS, POSITIONS, ACCOUNT))
    assert list(repo.scan_facets(tenant, oid, [empty])) == []


def test_a_scan_stopped_early_leaves_the_store_usable(repo, tenant, oid):
    _fill(repo, tenant, oid)
    scan = repo.scan_facets(tenant, oid, FACET_TYPES)
    first = next(scan)
    assert first[0] in ("skills", "positions", "account")
    scan.close()
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100)  # no read left open blocks a write
    assert sum(1 for _ in repo.scan_facets(tenant, oid, FACET_TYPES)) == 11
