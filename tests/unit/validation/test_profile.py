"""The profile POST body."""

from __future__ import annotations

import pytest

from shared.errors import BadRequest
from shared.validation.profile import validate_profile_body


@pytest.mark.parametrize("doc", [None, {}, {"@odata.type": "#microsoft.graph.profile"}])
def test_accepted_bodies(doc: dict | None) -> None:
    assert validate_profile_body(doc) is None


@pytest.mark.parametrize(
    ("doc", "target", "text"),
    [
        ({"@odata.type": "#microsoft.graph.user"}, "@odata.type", "#microsoft.graph.profile"),
        ({"@odata.type": "microsoft.graph.profile"}, "@odata.type", "#microsoft.graph.profile"),
        ({"@odata.type": None}, "@odata.type", "#microsoft.graph.profile"),
        ({"id": "x"}, "id", "read-only"),
        ({"foo": 1}, "foo", "The property 'foo' does not exist on type 'microsoft.graph.profile'."),
        ({"account": []}, "account", "does not exist"),
        ({"@odata.type": "#microsoft.graph.profile", "x": None}, "x", "'x'"),
    ],
)
def test_anything_else_is_400_naming_it(doc: dict, target: str, text: str) -> None:
    with pytest.raises(BadRequest) as info:
        validate_profile_body(doc)
    assert text in info.value.message
    assert [d.target for d in info.value.details] == [target]


@pytest.mark.parametrize("doc", [[], "x", 1])
def test_non_objects_are_400(doc: object) -> None:
    with pytest.raises(BadRequest):
        validate_profile_body(doc)  # type: ignore[arg-type]


def test_many_unknown_properties_list_at_most_20_details_with_the_count() -> None:
    with pytest.raises(BadRequest) as info:
        validate_profile_body({f"p{i}": i for i in range(6000)})
    assert len(info.value.details) == 20 and "6000" in info.value.message
    assert info.value.message.startswith("The property 'p0' does not exist on type 'microsoft.graph.profile'.")
