"""The cost bound of `$filter`: every value folded once per request, and a filter whose estimated work
over the collection exceeds `MAX_FILTER_WORK` refused (400) before anything is evaluated."""

from __future__ import annotations

import pytest

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import SKILLS
from shared.query.filter_compile import compile_filter

from .support import facet, ids, run

#: U+FB03 folds to three characters ("ffi"): the costliest string to case-fold.
LIGATURE = "\ufb03"


class Counted(str):
    """A stored string that counts how often it is case-folded."""

    folds = 0

    def casefold(self) -> str:
        Counted.folds += 1
        return str.casefold(self)


def member(number: int, index: int) -> str:
    """A distinct maximal member (256 characters), so no two values share a fold."""
    return LIGATURE * 254 + chr(0x4E00 + number) + chr(0x4E00 + index)


def maximal_skills(count: int, make: type[str] = str) -> list[dict]:
    """`count` skills whose two string collections hold 50 distinct maximal members each."""
    bodies = []
    for number in range(count):
        body = facet(SKILLS, number, displayName=make(member(number, 99)))
        body["categories"] = [make(member(number, index)) for index in range(50)]
        body["collaborationTags"] = [make(member(number, 50 + index)) for index in range(50)]
        bodies.append(body)
    return bodies


def fill(prefix: str, clause: str, suffix: str = "", separator: str = " or ") -> str:
    """As many `clause`s as fit in the longest accepted `$filter`."""
    clauses = [clause]
    while len(prefix + separator.join([*clauses, clause]) + suffix) <= query.MAX_FILTER_LENGTH:
        clauses.append(clause)
    return prefix + separator.join(clauses) + suffix


#: The hostile-testing finding: as many equality tests inside `any` as 2,000 characters hold.
RED_TEAM = fill("categories/any(c:", "c eq 'z'", ")")


def refused(text: str, items: list[dict]) -> str:
    with pytest.raises(BadRequest) as caught:
        run(SKILLS, {"$filter": text}, items)
    return caught.value.message


def test_the_red_team_filter_over_a_full_collection_is_refused_before_anything_is_folded():
    items = maximal_skills(100, Counted)
    Counted.folds = 0
    message = refused(RED_TEAM, items)
    assert "too much work" in message and "100 items" in message
    assert Counted.folds == 0


@pytest.mark.parametrize(
    "text",
    [
        RED_TEAM,
        fill("categories/any(c:", "contains(c,'zz')", ")"),
        fill("categories/any(c:", "displayName eq 'z'", ")"),
        fill("", "categories/any(c:c eq 'a')"),
        fill("", "collaborationTags/any(c:startswith(c,'a'))"),
        "categories/any(c: contains(c,'" + "f" * 500 + "x'))",
    ],
)
def test_costly_filters_over_a_full_collection_are_refused(text):
    assert "too much work" in refused(text, maximal_skills(100))


@pytest.mark.parametrize(
    "text",
    [
        "categories/any(c: c eq 'x')",
        "categories/any(c: contains(c, 'x'))",
        fill("", "displayName eq 'z'"),
        fill("", "contains(displayName,'zz')"),
        fill("", "createdDateTime gt 2020-01-01T00:00:00Z", separator=" and "),
        "not (" * 9 + "displayName eq 'x'" + ")" * 9,
    ],
)
def test_ordinary_filters_over_a_full_collection_of_maximal_facets_are_evaluated(text):
    assert run(SKILLS, {"$filter": text}, maximal_skills(100)).items is not None


def test_a_filter_refused_over_a_full_collection_runs_over_a_small_one():
    items = maximal_skills(2)
    wanted = member(1, 7).upper()  # any case: eq ignores case
    text = fill("categories/any(c:", "c eq 'z'", f" or c eq '{wanted}')")
    assert ids(run(SKILLS, {"$filter": text}, items).items) == [items[1]["id"]]


def test_each_stored_value_is_folded_once_per_request_whatever_the_number_of_clauses():
    items = maximal_skills(3, Counted)
    Counted.folds = 0
    text = (
        "categories/any(c: c eq 'a' or c eq 'b' or contains(c, 'c') or startswith(c, 'd')) "
        "or displayName eq 'e' or endswith(displayName, 'f') or categories/any(c: c eq 'g')"
    )
    assert run(SKILLS, {"$filter": text}, items).items == []
    assert Counted.folds == 3 * 51  # 50 categories and the displayName of each facet, once each


def test_equal_values_fold_once():
    items = [facet(SKILLS, n, displayName=Counted("Python")) for n in range(20)]
    Counted.folds = 0
    assert len(run(SKILLS, {"$filter": "displayName eq 'PYTHON' or displayName eq 'x'"}, items).items) == 20
    assert Counted.folds == 1


def test_the_estimate_grows_with_clauses_members_and_pattern_length():
    def work(text: str, count: int = 10) -> int:
        return compile_filter(text, SKILLS).work(maximal_skills(count))

    one = work("categories/any(c: c eq 'z')")
    assert work("categories/any(c: c eq 'z' or c eq 'y')") > one
    assert work("categories/any(c: c eq 'z')", 20) > one
    assert work("categories/any(c: contains(c, 'zzzz'))") > work("categories/any(c: contains(c, 'z'))")
    assert work("displayName eq 'z'") < one  # one value per facet against fifty members


def test_the_estimate_stops_counting_past_its_limit():
    items = maximal_skills(100)
    compiled = compile_filter(RED_TEAM, SKILLS)
    assert compiled.work(items, 1) < compiled.work(items)
