"""Bounds on the work one request can cause, end to end over real HTTP, real tokens, on both stores.

1. `$filter`: the hostile-testing finding (100 skills of maximal hard-to-fold strings, then a filter of
   as many clauses as 2,000 characters hold) is refused with 400 before it runs, or answered correctly;
   an ordinary filter over the same collection still finds the right facet.

One host per store serves the module with the default settings; every test works on users of its own.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import Api, User, new_user
from tests.support.identity import Identity

#: U+FB03 case-folds to three characters: the costliest string to fold.
LIGATURE = "\ufb03"
#: As many equality tests inside `any` as the longest accepted `$filter` (2,000 characters) holds.
RED_TEAM_FILTER = "categories/any(c:" + " or ".join(["c eq 'z'"] * 165) + ")"


def member(number: int, index: int) -> str:
    """A distinct string of 256 characters, nearly all U+FB03 (so no two share a fold)."""
    return LIGATURE * 254 + chr(0x4E00 + number) + chr(0x4E00 + index)


def maximal_skill(number: int) -> dict[str, Any]:
    return {"displayName": f"skill {number}", "categories": [member(number, index) for index in range(50)]}


def create_all(api: Api, user: User, collection: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST every body (4 at a time); each must be 201."""
    def post(body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode()  # UTF-8 as clients send it: 3 bytes per U+FB03
        response = api.request("POST", f"me/profile/{collection}", user.token, data=data,
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 201, response.text[:300]
        return response.json()

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(post, bodies))


@pytest.fixture
def owner(module_identity: Identity) -> User:
    return new_user(module_identity)


# --- 1. $filter cost ------------------------------------------------------------------------------


def test_the_red_team_filter_over_100_maximal_skills_is_refused_or_correct(module_api: Api, owner: User) -> None:
    assert len(RED_TEAM_FILTER) <= 2000
    created = create_all(module_api, owner, "skills", [maximal_skill(number) for number in range(100)])

    response = module_api.request("GET", "me/profile/skills", owner.token,
                                  params={"$filter": RED_TEAM_FILTER, "$select": "id"})
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["code"] == "invalidRequest"
        assert "$filter" in error["message"] and "too much work" in error["message"]
    else:
        assert response.status_code == 200, response.text[:300]
        assert response.json()["value"] == []  # no member is 'z'

    # An ordinary filter over the same collection runs, and finds exactly the facet it names (any case).
    wanted = created[42]
    text = f"categories/any(c: c eq '{member(42, 7).upper()}')"
    found = module_api.request("GET", "me/profile/skills", owner.token, params={"$filter": text, "$select": "id"})
    assert found.status_code == 200, found.text[:300]
    assert [item["id"] for item in found.json()["value"]] == [wanted["id"]]
