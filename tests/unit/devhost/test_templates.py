"""Route templates (shared/routing): parsing, constraints, matching, precedence; the local host's route table."""
from __future__ import annotations

import pytest

from devhost.routes import NotAllowed, Resolved, RouteTable, make_route
from shared.routing.templates import RequestPath, Template, parse_template

GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def values(template: str, path: str) -> dict[str, str] | None:
    """Match one template against a raw path."""
    return Template.parse(template).match(RequestPath.parse(path))


def route_name(routes: RouteTable, method: str, path: str) -> str:
    """The name of the route a request resolves to (asserting it resolves)."""
    found = routes.resolve(method, path)
    assert isinstance(found, Resolved), found
    return found.route.name


def table(*templates: str | tuple[str, list[str] | None]) -> RouteTable:
    """A table of routes named by their template, under the `api` prefix."""
    routes = []
    for item in templates:
        template, methods = item if isinstance(item, tuple) else (item, None)
        routes.append(make_route(template, template, "api", methods, lambda req: None))
    return RouteTable(routes)


def test_literal_segments_match_case_insensitively() -> None:
    assert values("users/me/profile", "/Users/ME/Profile") == {}
    assert values("users/me/profile", "/users/me/profiles") is None


def test_parameters_are_url_decoded_and_keep_encoded_slashes() -> None:
    assert values("users/{user}/profile", "/users/a%40b.com/profile") == {"user": "a@b.com"}
    assert values("users/{user}/profile", "/users/a%2Fb/profile") == {"user": "a/b"}
    assert values("users/{user}/profile", "/users/%C3%A9l%C3%A8ve/profile") == {"user": "élève"}


def test_empty_and_extra_segments_do_not_match() -> None:
    assert values("users/{user}/profile", "/users//profile") is None
    assert values("users/{user}", "/users/a/b") is None
    assert values("users/{user}", "/users") is None


def test_trailing_slash_is_ignored() -> None:
    assert values("users/{user}", "/users/a/") == {"user": "a"}


@pytest.mark.parametrize(
    ("template", "good", "bad"),
    [
        ("{id:guid}", [GUID, GUID.upper(), GUID.replace("-", ""), "{" + GUID + "}"], ["abc", GUID[:-1], GUID + "0"]),
        ("{n:int}", ["0", "-12", "2147483647"], ["1.5", "x", "2147483648"]),
        ("{x:alpha}", ["abcXYZ"], ["ab1", "é"]),
        ("{b:bool}", ["true", "False"], ["yes"]),
        ("{s:minlength(2):maxlength(3)}", ["ab", "abc"], ["a", "abcd"]),
        ("{s:length(2)}", ["ab"], ["abc"]),
        ("{n:range(1,9)}", ["1", "9"], ["0", "10"]),
        ("{s:regex(^a+$)}", ["aaa"], ["ab"]),
    ],
)
def test_constraints(template: str, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert values(template, "/" + value) is not None, value
    for value in bad:
        assert values(template, "/" + value) is None, value


def test_optional_default_and_catch_all() -> None:
    assert values("opt/{x?}", "/opt") == {}
    assert values("opt/{x?}", "/opt/1") == {"x": "1"}
    assert values("opt/{x=7}", "/opt") == {"x": "7"}
    assert values("files/{*rest}", "/files/a/b%20c/d") == {"rest": "a/b c/d"}
    assert values("files/{*rest}", "/files") == {}


def test_complex_segment() -> None:
    assert values("f/{name}.{ext}", "/f/report.pdf") == {"name": "report", "ext": "pdf"}
    assert values("f/{name}.{ext}", "/f/report") is None


@pytest.mark.parametrize("template", ["a/{*rest}/b", "{bad name}", "{x:nosuch}", "a/{x", "{n:range(1)}"])
def test_invalid_templates_are_refused(template: str) -> None:
    with pytest.raises(ValueError):
        parse_template(template)


def test_literal_takes_precedence_over_parameter_regardless_of_order() -> None:
    routes = table("users/{user}/profile", "users/me/profile")
    found = routes.resolve("GET", "/api/users/me/profile")
    assert isinstance(found, Resolved) and found.route.name == "users/me/profile"
    found = routes.resolve("GET", "/api/users/bob/profile")
    assert isinstance(found, Resolved) and found.values == {"user": "bob"}


def test_constrained_parameter_before_plain_before_catch_all() -> None:
    routes = table("items/{*rest}", "items/{name}", "items/{id:guid}")
    assert route_name(routes, "GET", f"/api/items/{GUID}") == "items/{id:guid}"
    assert route_name(routes, "GET", "/api/items/x") == "items/{name}"
    assert route_name(routes, "GET", "/api/items/x/y") == "items/{*rest}"


def test_method_selects_among_matching_routes() -> None:
    routes = table(("users/me", ["GET"]), ("users/{user}", ["POST"]))
    found = routes.resolve("POST", "/api/users/me")
    assert isinstance(found, Resolved) and found.route.name == "users/{user}"


def test_no_match_and_method_not_allowed() -> None:
    routes = table(("users/{user}", ["GET"]), ("users/{id:guid}", ["DELETE"]))
    assert routes.resolve("GET", "/api/nothing") is None
    assert routes.resolve("GET", "/users/x") is None  # the prefix is required
    assert routes.resolve("PUT", f"/api/users/{GUID}") == NotAllowed(("DELETE", "GET", "HEAD"))


def test_head_falls_back_to_get() -> None:
    found = table(("a", ["GET"])).resolve("HEAD", "/api/a")
    assert isinstance(found, Resolved) and found.method == "GET"


def test_route_prefix_is_case_insensitive_and_may_be_empty() -> None:
    assert table("a").resolve("GET", "/API/a") is not None
    empty = RouteTable([make_route("a", "a", "", None, lambda req: None)])
    assert isinstance(empty.resolve("GET", "/a"), Resolved)
    assert empty.resolve("GET", "/api/a") is None


def test_lengths_are_checked_before_segments() -> None:
    assert (Template.parse("a/{b}/{c?}").min_length, Template.parse("a/{b}/{c?}").max_length) == (2, 3)
    assert (Template.parse("files/{*rest}").min_length, Template.parse("files/{*rest}").max_length) == (1, None)
    assert values("a/{b}/{c?}", "/a/x/y/z") is None and values("a/{b}/{c?}", "/a") is None


def test_request_path_is_decoded_once_with_encoded_slashes_kept_inside_segments() -> None:
    path = RequestPath.parse("//Users/A%2Fb/%C3%89/")
    assert path.decoded == ("Users", "A/b", "É") and path.lowered == ("users", "a/b", "é")


def test_specific_routes_take_precedence_over_a_root_catch_all() -> None:
    routes = table(("{*path}", None), ("me/profile", ["GET"]), ("users/{user}/profile", ["GET"]))
    assert route_name(routes, "GET", "/api/me/profile") == "me/profile"
    assert route_name(routes, "GET", "/api/users/x/profile") == "users/{user}/profile"
    caught = routes.resolve("PUT", "/api/me/profile")
    assert isinstance(caught, Resolved) and caught.route.name == "{*path}" and caught.method == "PUT"
    assert route_name(routes, "GET", "/api/nothing/here") == "{*path}"
    assert route_name(routes, "GET", "/api") == "{*path}"
