"""allowedAudiences: canonical_audiences and audience_members."""

from __future__ import annotations

import pytest

from shared.errors import BadRequest
from shared.validation.audiences import AUDIENCES, audience_members, canonical_audiences

CANONICAL = [
    ("me", "me"),
    ("ME", "me"),
    ("organization", "organization"),
    ("Organization", "organization"),
    ("groupmembers", "groupMembers"),
    ("FEDERATEDORGANIZATIONS", "federatedOrganizations"),
    ("me,organization", "organization"),
    ("organization,me", "organization"),
    ("me,me", "me"),
    ("everyone,organization,family", "family,organization,everyone"),
    (" organization , family ", "family,organization"),
    ("organization,ORGANIZATION,Organization", "organization"),
    (",".join(reversed(AUDIENCES)), ",".join(AUDIENCES[1:])),
]


@pytest.mark.parametrize(("value", "expected"), CANONICAL)
def test_canonical_form(value: str, expected: str) -> None:
    assert canonical_audiences(value) == expected


@pytest.mark.parametrize(
    ("value", "members"),
    [("me", set()), ("me,contacts", {"contacts"}), ("Everyone,organization", {"everyone", "organization"})],
)
def test_members(value: str, members: set[str]) -> None:
    assert audience_members(value) == frozenset(members)


INVALID = [
    "",
    " ",
    "unknownFutureValue",
    "public",
    "org",
    "organization,",
    ",organization",
    "organization,,family",
    "organization;family",
    "organization family",
    "organisation",
    "0",
    "me organization",
]


@pytest.mark.parametrize("value", INVALID)
def test_invalid_values_list_the_allowed_ones(value: str) -> None:
    with pytest.raises(BadRequest) as info:
        canonical_audiences(value)
    assert all(name in info.value.message for name in AUDIENCES)
    assert [d.target for d in info.value.details] == ["allowedAudiences"]


def test_over_256_characters_is_400() -> None:
    value = ",".join(["organization"] * 20)  # 259 characters, though every member is valid
    assert len(value) > 256
    with pytest.raises(BadRequest, match="256"):
        canonical_audiences(value)
    assert canonical_audiences(",".join(["organization"] * 19)) == "organization"


@pytest.mark.parametrize("value", [None, 1, ["organization"], True])
def test_non_strings_are_400(value: object) -> None:
    with pytest.raises(BadRequest, match="must be a string"):
        audience_members(value)  # type: ignore[arg-type]
