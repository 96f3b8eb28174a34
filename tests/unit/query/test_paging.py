"""Keyset paging: complete walks, `$skip`, next links, inserts and deletes between pages, sealed tokens."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import ACCOUNT, POSITIONS, SKILLS

from .support import PAGING, created, facet, facet_id, ids, run, walk

INVALID = "The $skiptoken is not valid for this request."


def skills(count: int, **values) -> list[dict]:
    return [facet(SKILLS, n, displayName=f"skill {n % 4}", **values) for n in range(1, count + 1)]


def walked_ids(pages) -> list[str]:
    return [item for page in pages for item in ids(page.items)]


# --- walks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [0, 1, 2, 5, 6, 7, 100, 101, 250])
@pytest.mark.parametrize("top", [1, 3, 100])
def test_a_walk_returns_every_item_once_in_order_and_ends_without_a_link(count, top):
    items = skills(count)
    params = {"$top": str(top), "$orderby": "displayName desc"}
    pages = walk(SKILLS, params, lambda _: items)
    everything = ids(run(SKILLS, {"$orderby": "displayName desc", "$top": "100"}, items).items)
    assert walked_ids(pages)[:100] == everything
    assert sorted(walked_ids(pages)) == sorted(ids(items))
    assert all(page.items for page in pages[:-1]), "only the last page may be empty"
    assert all(page.next_skiptoken for page in pages[:-1]) and pages[-1].next_skiptoken is None
    assert len(pages) == max(1, -(-count // top))  # an exact multiple of $top ends without an empty page
    assert all(len(page.items) == top for page in pages[:-1])


def test_the_default_page_is_100():
    page = run(SKILLS, {}, skills(150))
    assert len(page.items) == 100 and page.next_skiptoken


def test_an_empty_collection_is_one_empty_page_without_a_link():
    page = run(SKILLS, {"$count": "true"}, [])
    assert (page.items, page.next_skiptoken, page.count) == ([], None, 0)


def test_skip_applies_to_the_first_page_only():
    items = skills(10)
    pages = walk(SKILLS, {"$skip": "3", "$top": "4"}, lambda _: items)
    assert walked_ids(pages) == ids(items)[3:]
    assert [len(page.items) for page in pages] == [4, 3]
    assert run(SKILLS, {"$skip": "10"}, items).items == []
    assert run(SKILLS, {"$skip": "10000000"}, items).next_skiptoken is None


def test_count_stays_the_number_matching_the_filter_on_every_page():
    items = skills(9)
    pages = walk(SKILLS, {"$filter": "displayName ne 'skill 0'", "$count": "true", "$top": "2"}, lambda _: items)
    assert {page.count for page in pages} == {7}
    assert len(walked_ids(pages)) == 7


def test_filter_order_and_select_carry_through_the_walk():
    items = skills(12)
    params = {"$filter": "displayName ne 'skill 1'", "$orderby": "displayName", "$select": "displayName", "$top": "4"}
    pages = walk(SKILLS, params, lambda _: items)
    names = [item["displayName"] for page in pages for item in page.items]
    assert names == sorted(names) and "skill 1" not in names and len(names) == 9
    assert all(set(item) == {"id", "displayName"} for page in pages for item in page.items)


# --- concurrent changes --------------------------------------------------------------------------
def test_inserts_before_and_after_the_position_never_repeat_or_skip_existing_items():
    items = skills(10)
    original = ids(items)

    def collection(page_number: int) -> list[dict]:
        # before each later page: one facet that sorts first and one that sorts last are added
        extra = []
        for n in range(1, page_number + 1):
            extra.append(facet(SKILLS, 1000 + n, createdDateTime="2000-01-01T00:00:00Z", displayName="early"))
            extra.append(facet(SKILLS, 2000 + n, createdDateTime="2030-01-01T00:00:00Z", displayName="late"))
        return items + extra

    seen = walked_ids(walk(SKILLS, {"$top": "3"}, collection))
    assert len(seen) == len(set(seen))
    assert [value for value in seen if value in original] == original


def test_deleting_the_last_item_returned_does_not_lose_the_position():
    items = skills(9)
    first = run(SKILLS, {"$top": "3"}, items)
    assert first.next_skiptoken is not None
    last_id = first.items[-1]["id"]
    remaining = [item for item in items if item["id"] != last_id]
    rest = walk(SKILLS, {"$top": "3", "$skiptoken": first.next_skiptoken}, lambda _: remaining)
    assert walked_ids([first, *rest]) == ids(items)


def test_a_facet_that_becomes_invisible_is_simply_not_listed():
    items = skills(6)
    first = run(SKILLS, {"$top": "2"}, items)
    assert first.next_skiptoken is not None
    visible = [item for item in items if item["id"] != facet_id(4)]  # hidden between pages
    rest = walk(SKILLS, {"$top": "2", "$skiptoken": first.next_skiptoken}, lambda _: visible)
    assert walked_ids([first, *rest]) == [facet_id(n) for n in (1, 2, 3, 5, 6)]


def test_when_everything_after_the_position_is_deleted_the_next_page_is_empty_and_last():
    items = skills(4)
    first = run(SKILLS, {"$top": "2"}, items)
    assert first.next_skiptoken is not None
    page = run(SKILLS, {"$top": "2", "$skiptoken": first.next_skiptoken}, items[:2])
    assert page.items == [] and page.next_skiptoken is None


@st.composite
def _scenario(draw):
    names = st.sampled_from(["a", "B", "b", None, "c"])
    levels = st.sampled_from(["expert", "elementary", "limitedWorking", None])
    start = draw(st.lists(st.tuples(names, levels, st.integers(0, 50)), max_size=25))
    changes = draw(
        st.lists(
            st.lists(
                st.one_of(
                    st.tuples(st.just("insert"), names, levels, st.integers(0, 50)),
                    st.tuples(st.just("delete"), st.integers(0, 60)),
                ),
                max_size=4,
            ),
            max_size=12,
        )
    )
    orderby = draw(
        st.sampled_from(
            [None, "displayName", "displayName desc", "proficiency desc,displayName", "createdDateTime desc", "id desc"]
        )
    )
    filter_text = draw(st.sampled_from([None, "displayName ne 'c'", "proficiency ne null"]))
    return start, changes, orderby, filter_text, draw(st.integers(1, 6))


@given(_scenario())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walks_under_random_inserts_and_deletes_never_repeat_or_skip_a_surviving_item(scenario):
    start, changes, orderby, filter_text, top = scenario
    numbers = iter(range(1, 10_000))

    def make(name, level, second):
        number = next(numbers)
        return facet(SKILLS, number, displayName=name, proficiency=level, createdDateTime=created(second))

    current = [make(*spec) for spec in start]
    deleted: set[str] = set()

    def collection(page_number: int) -> list[dict]:
        if 0 < page_number <= len(changes):
            for change in changes[page_number - 1]:
                if change[0] == "insert":
                    current.append(make(*change[1:]))
                elif current:
                    victim = current.pop(change[1] % len(current))
                    deleted.add(victim["id"])
        return list(current)

    params = {"$top": str(top)}
    if orderby:
        params["$orderby"] = orderby
    if filter_text:
        params["$filter"] = filter_text
    initial = [item for item in current]
    expected_order = ids(run(SKILLS, {**{k: v for k, v in params.items() if k != "$top"}}, initial).items)
    seen = walked_ids(walk(SKILLS, params, collection))
    assert len(seen) == len(set(seen)), "an item was returned twice"
    survivors = [value for value in expected_order if value not in deleted]
    assert [value for value in seen if value in set(survivors)] == survivors, "a surviving item was skipped or moved"


# --- tokens --------------------------------------------------------------------------------------
def _first_token(facet_type=SKILLS, params=None, items=None, paging=PAGING) -> str:
    page = run(facet_type, {"$top": "1", **(params or {})}, items or skills(3), paging)
    assert page.next_skiptoken
    return page.next_skiptoken


def _follow(token, params=None, facet_type=SKILLS, items=None, paging=PAGING):
    return run(facet_type, {"$top": "1", **(params or {}), "$skiptoken": token}, items or skills(3), paging)


def _rejected(token, **kwargs) -> bool:
    with pytest.raises(BadRequest) as caught:
        _follow(token, **kwargs)
    return caught.value.message == INVALID


def test_a_token_is_opaque_url_safe_and_discloses_nothing():
    secret = "Top secret skill name"
    items = [facet(SKILLS, 1, displayName=secret), facet(SKILLS, 2)]
    token = _first_token(items=items, params={"$orderby": "displayName"})
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert secret.encode() not in raw and b"Top" not in raw and facet_id(1).encode() not in raw
    assert _first_token() != _first_token(), "a fresh nonce each time"


def test_every_altered_byte_of_a_token_is_refused():
    token = _first_token()
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for index in range(len(raw)):
        altered = bytearray(raw)
        altered[index] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(altered)).rstrip(b"=").decode()
        assert _rejected(text), index


@pytest.mark.parametrize("cut", [1, 5, 20, 40])
def test_truncated_or_extended_tokens_are_refused(cut):
    token = _first_token()
    assert _rejected(token[:-cut])
    assert _rejected(token + "A" * cut)


def test_a_token_for_another_scope_key_or_collection_is_refused():
    token = _first_token()
    assert _rejected(token, paging=query.Paging(key=PAGING.key, scope="tenant|other-caller|target|skills"))
    assert _rejected(token, paging=query.Paging(key=bytes(32), scope=PAGING.scope))
    with pytest.raises(BadRequest, match="skiptoken"):
        run(POSITIONS, {"$top": "1", "$skiptoken": token}, [facet(POSITIONS, 1)], PAGING)
    with pytest.raises(BadRequest, match="skiptoken"):
        run(ACCOUNT, {"$top": "1", "$skiptoken": token}, [facet(ACCOUNT, 1)], PAGING)


@pytest.mark.parametrize(
    "issued, presented",
    [
        ({}, {"$filter": "displayName ne 'x'"}),
        ({"$filter": "displayName ne 'x'"}, {"$filter": "displayName ne 'y'"}),
        ({"$filter": "displayName ne 'x'"}, {}),
        ({}, {"$orderby": "displayName"}),
        ({"$orderby": "displayName"}, {"$orderby": "displayName desc"}),
        ({}, {"$select": "displayName"}),
        ({}, {"$top": "2"}),
    ],
)
def test_a_token_presented_with_other_options_is_refused(issued, presented):
    token = _first_token(params=issued)
    assert _rejected(token, params={**presented, "$top": presented.get("$top", "1")})


def test_the_same_query_however_spelled_accepts_the_token():
    token = _first_token(params={"$orderby": "displayName"})
    page = _follow(token, params={"$orderby": "DisplayName ASC"})
    assert len(page.items) == 1


def test_count_may_change_along_the_walk():
    token = _first_token()
    assert _follow(token, params={"$count": "true"}).count == 3


OTHER_VERSION = base64.urlsafe_b64encode(b"\x02" + bytes(40)).decode().rstrip("=")


@pytest.mark.parametrize("token", ["A", "AAAA", "A" * 40, "_" * 100, "AQ", OTHER_VERSION])
def test_garbage_tokens_are_refused(token):
    assert _rejected(token)


def test_tokens_in_the_largest_position_stay_under_the_bound():
    """Five keys of 256-character strings full of escapes, plus the tie-breakers."""
    from shared.query.ordering import Ordering
    from shared.query.paging import seal_token

    keys = query.parse_list_query({"$orderby": "displayName,webUrl,thumbnailUrl,allowedAudiences,id"}, SKILLS).orderby
    worst = ["\u0001" * 256, "\U0001f600" * 256, '"' * 256, "\\" * 256, "\u0000" * 256]
    position = [*worst, 2**63, "\U0010ffff" * 256]
    assert Ordering(keys).is_position(position)
    token = seal_token(position, PAGING, "bound")
    assert len(token) < query.MAX_SKIPTOKEN_LENGTH
    assert len(json.dumps(position, ensure_ascii=False)) > 2000


def test_a_position_of_another_shape_is_refused_even_when_sealed_correctly():
    """Defence in depth: a token whose plaintext does not fit the ordering is 400, never a TypeError."""
    from shared.query.paging import _bound_to, seal_token

    parsed = query.parse_list_query({"$top": "1"}, SKILLS)
    for position in ([1, 2], ["x", "y"], [None, None, None], {"a": 1}, [True, "id"]):
        token = seal_token(position, PAGING, _bound_to(parsed, SKILLS))  # type: ignore[arg-type]
        assert _rejected(token)
