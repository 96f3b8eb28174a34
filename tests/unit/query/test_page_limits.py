"""Bounded pages: at most a number of items and of bytes (at least one item), on lists and on the
first page of an expanded collection (read as a stream, keeping at most a page and one item)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import query
from shared.facets.catalog import SKILLS
from shared.query.paging import within_bytes
from shared.web.prefer import PREFERENCE_APPLIED, max_page_size, page_limits

from .support import PAGING, facet, ids, walk


def skills(sizes: list[int]) -> list[dict]:
    """Skills whose `displayName` makes each item about `size` bytes larger than the smallest."""
    return [facet(SKILLS, number, displayName="x" * size) for number, size in enumerate(sizes, start=1)]


def sizes_of(items: list[dict]) -> list[int]:
    return [query.item_bytes(item) for item in items]


def run(params: dict[str, str], items: list[dict], limits: query.PageLimits) -> query.ListPage:
    return query.run_list(
        query.parse_list_query(params, SKILLS), items, facet_type=SKILLS, paging=PAGING, limits=limits
    )


def walk_limited(params: dict[str, str], items: list[dict], limits: query.PageLimits) -> list[query.ListPage]:
    pages = []
    current = dict(params)
    for _ in range(len(items) + 2):
        parsed = query.parse_list_query(current, SKILLS)
        page = query.run_list(parsed, items, facet_type=SKILLS, paging=PAGING, limits=limits)
        pages.append(page)
        if page.next_skiptoken is None:
            return pages
        current = {**parsed.link_params(), "$skiptoken": page.next_skiptoken}
    raise AssertionError("the walk did not end")


# --- lists ---------------------------------------------------------------------------------------
def test_a_page_stops_at_the_byte_bound_and_the_walk_returns_everything_once():
    items = skills([2000] * 30)
    one = query.item_bytes(query.project(items[0], None))
    limits = query.PageLimits(max_items=100, max_bytes=5 * one + one // 2)
    pages = walk_limited({}, items, limits)
    assert [len(page.items) for page in pages] == [5] * 6
    assert [i for page in pages for i in ids(page.items)] == ids(items)
    assert all(sum(sizes_of(page.items)) <= limits.max_bytes for page in pages)


def test_a_page_stops_at_the_item_bound_below_top():
    items = skills([10] * 25)
    pages = walk_limited({"$top": "20"}, items, query.PageLimits(max_items=7, max_bytes=10**9))
    assert [len(page.items) for page in pages] == [7, 7, 7, 4]
    assert [i for page in pages for i in ids(page.items)] == ids(items)
    assert [len(page.items) for page in walk_limited({"$top": "3"}, items, query.PageLimits(7, 10**9))][:2] == [3, 3]


def test_an_item_larger_than_the_bound_is_a_page_of_its_own():
    items = skills([10, 5000, 10, 10])
    pages = walk_limited({}, items, query.PageLimits(max_items=100, max_bytes=1000))
    assert [len(page.items) for page in pages] == [1, 1, 2]  # the first fits alone: the next one would not


def test_the_byte_bound_counts_the_selected_properties_only():
    items = skills([3000] * 10)
    bound = sum(sizes_of(items[:3]))
    everything = run({}, items, query.PageLimits(100, bound))
    selected = run({"$select": "id"}, items, query.PageLimits(100, bound))
    assert len(everything.items) == 3 and len(selected.items) == 10 and selected.next_skiptoken is None


def test_count_and_filter_are_unchanged_by_the_bound():
    items = skills([1000] * 12)
    page = run({"$count": "true", "$filter": "startswith(displayName, 'x')"}, items, query.PageLimits(100, 3000))
    assert page.count == 12 and len(page.items) == 2 and page.next_skiptoken


def test_within_bytes():
    assert within_bytes([], 10) == []
    assert within_bytes([50], 10) == [50]
    assert within_bytes([4, 4, 4], 10) == [4, 4]
    assert within_bytes([4, 6, 1], 10) == [4, 6]


# --- the first page of an expanded collection ------------------------------------------------------
def naive_first_page(items: list[dict], limits: query.PageLimits, select=None) -> tuple[list[str], bool]:
    ordered = walk(SKILLS, {} if select is None else {"$select": ",".join(select)}, lambda _: items)
    everything = [item for page in ordered for item in page.items]
    sizes = within_bytes(sizes_of(everything)[: limits.max_items], limits.max_bytes)
    return ids(everything[: len(sizes)]), len(sizes) < len(everything)


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=3000), max_size=40),
    max_items=st.integers(min_value=1, max_value=12),
    max_bytes=st.integers(min_value=0, max_value=12_000),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_the_streamed_first_page_is_the_first_page_of_the_sorted_collection(sizes, max_items, max_bytes, seed):
    items = skills(sizes)
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)  # the store hands them over in no particular order
    limits = query.PageLimits(max_items=max_items, max_bytes=max_bytes)
    page = query.first_page(iter(shuffled), facet_type=SKILLS, select=None, paging=PAGING, limits=limits)
    expected, more = naive_first_page(items, limits)
    assert ids(page.items) == expected
    assert (page.next_skiptoken is not None) == more


def test_the_streamed_first_page_keeps_no_more_than_a_page_and_one_item():
    kept: list[int] = []

    class Counting(query.paging._Window):
        def offer(self, row, select):
            super().offer(row, select)
            kept.append(len(self.kept))

    items = skills([1000] * 200)
    random.Random(7).shuffle(items)
    window = Counting(query.PageLimits(max_items=100, max_bytes=5000))
    ordering = query.ordering.Ordering(())
    for body in items:
        window.offer(ordering.row(body), None)
    assert max(kept) <= 6  # five fit in 5,000 bytes: those, one more, and the one just offered


def test_the_token_of_an_expanded_collection_continues_on_the_list_route():
    items = skills([500] * 9)
    select = ("displayName",)
    page = query.first_page(
        items, facet_type=SKILLS, select=select, paging=PAGING, limits=query.PageLimits(max_items=4, max_bytes=10**6)
    )
    assert len(page.items) == 4 and set(page.items[0]) == {"id", "displayName"}
    rest = query.run_list(
        query.parse_list_query({"$select": "displayName", "$skiptoken": page.next_skiptoken}, SKILLS),
        items,
        facet_type=SKILLS,
        paging=PAGING,
    )
    assert ids(page.items) + ids(rest.items) == ids(items)
    with pytest.raises(query.paging.BadRequest):  # bound to the nested $select: another selection is refused
        query.run_list(
            query.parse_list_query({"$skiptoken": page.next_skiptoken}, SKILLS), items, facet_type=SKILLS, paging=PAGING
        )


# --- Prefer: odata.maxpagesize --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("odata.maxpagesize=10", 10),
        ("ODATA.MaxPageSize=10", 10),
        ("maxpagesize=3", 3),
        ('odata.maxpagesize="7"', 7),
        ("return=minimal, odata.maxpagesize=5; foo=bar", 5),
        ("odata.maxpagesize = 6", 6),
        ("odata.maxpagesize=1000", query.MAX_TOP),
        ("odata.maxpagesize=99999999999999999999", None),
        ("odata.maxpagesize=0", None),
        ("odata.maxpagesize=-1", None),
        ("odata.maxpagesize=ten", None),
        ("odata.maxpagesize=\u0661", None),
        ("odata.maxpagesize", None),
        ("respond-async", None),
        ("", None),
    ],
)
def test_max_page_size(header, size):
    assert max_page_size({"prefer": header}) == size


def test_page_limits_report_the_applied_preference():
    limits, headers = page_limits({"prefer": "odata.maxpagesize=500"}, 123_456)
    assert limits == query.PageLimits(max_items=query.MAX_TOP, max_bytes=123_456)
    assert headers == {PREFERENCE_APPLIED: f"odata.maxpagesize={query.MAX_TOP}"}
    limits, headers = page_limits({}, 99)
    assert limits == query.PageLimits(max_items=query.MAX_TOP, max_bytes=99) and headers == {}
