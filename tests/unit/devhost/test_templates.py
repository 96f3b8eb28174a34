"""Route templates and the host's rule (shared/routing): parsing, matching, function-name order, first match."""

from __future__ import annotations

import pytest

from devhost.routes import build_router, entry
from shared.routing.router import Router
from shared.routing.templates import RequestPath, Template, parse_template

GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def values(template: str, path: str) -> dict[str, str] | None:
    """Match one template against a raw path."""
    return Template.parse(template).match(RequestPath.parse(path))


def router(*routes: tuple[str, str, list[str] | None], prefix: str = "api") -> Router:
    """A router over (function name, template, methods) under `prefix`."""
    return Router(entry(name, template, prefix, methods, lambda req: None) for name, template, methods in routes)


def name_for(routes: Router, method: str, path: str) -> str | None:
    found = routes.resolve(method, path)
    return found.entry.name if found else None


def test_literal_segments_match_case_insensitively() -> None:
    assert values("users/me/profile", "/Users/ME/Profile") == {}
    assert values("users/me/profile", "/users/me/profiles") is None


def test_parameters_are_url_decoded_and_keep_encoded_slashes() -> None:
    assert values("users/{user}/profile", "/users/a%40b.com/profile") == {"user": "a@b.com"}
    assert values("users/{user}/profile", "/users/a%2Fb/profile") == {"user": "a%2Fb"}  # as Kestrel leaves it
    assert values("users/{user}/profile", "/users/a%2fb%40c/profile") == {"user": "a%2fb@c"}
    assert values("users/{user}/profile", "/users/%C3%A9l%C3%A8ve/profile") == {"user": "élève"}


def test_empty_and_extra_segments_do_not_match() -> None:
    assert values("users/{user}/profile", "/users//profile") is None
    assert values("users/{user}", "/users/a/b") is None
    assert values("users/{user}", "/users") is None


def test_trailing_slash_is_ignored() -> None:
    assert values("users/{user}", "/users/a/") == {"user": "a"}


def test_catch_all_takes_the_rest_or_nothing() -> None:
    assert values("files/{*rest}", "/files/a/b%20c/d") == {"rest": "a/b c/d"}
    assert values("files/{*rest}", "/files") == {}
    assert values("{*path}", "/") == {}


@pytest.mark.parametrize(
    "template", ["a/{*rest}/b", "{bad name}", "{x:guid}", "a/{x", "{x?}", "{x=1}", "f/{name}.{ext}"]
)
def test_templates_the_app_does_not_use_are_refused(template: str) -> None:
    with pytest.raises(ValueError):
        parse_template(template)


def test_the_first_function_in_name_order_wins_not_the_most_specific_template() -> None:
    routes = router(("b_literal", "users/me/profile", ["GET"]), ("a_param", "users/{user}/profile", ["GET"]))
    assert name_for(routes, "GET", "/api/users/me/profile") == "a_param"
    renamed = router(("a_literal", "users/me/profile", ["GET"]), ("b_param", "users/{user}/profile", ["GET"]))
    assert name_for(renamed, "GET", "/api/users/me/profile") == "a_literal"
    assert renamed.resolve("GET", "/api/users/bob/profile").values == {"user": "bob"}  # type: ignore[union-attr]


def test_names_are_ordered_ignoring_case() -> None:
    routes = router(("Beta", "x/{a}", ["GET"]), ("alpha", "x/{b}", ["GET"]))
    assert name_for(routes, "GET", "/api/x/1") == "alpha"


def test_a_method_mismatch_moves_on_to_the_next_function() -> None:
    routes = router(("a", "users/me", ["GET"]), ("b", "users/{user}", ["POST"]))
    assert name_for(routes, "POST", "/api/users/me") == "b"


def test_no_match_is_none_and_there_is_no_405_of_the_host() -> None:
    routes = router(("a", "users/{user}", ["GET"]))
    assert routes.resolve("GET", "/api/nothing") is None
    assert routes.resolve("GET", "/users/x") is None  # the prefix is required
    assert routes.resolve("PUT", "/api/users/x") is None
    assert routes.allowed("/api/users/x") == ("GET",)


def test_head_is_a_method_like_any_other() -> None:
    """A GET-only function does not answer HEAD (the host's method constraint is exact)."""
    assert router(("a", "a", ["GET"])).resolve("HEAD", "/api/a") is None
    assert name_for(router(("a", "a", None)), "HEAD", "/api/a") == "a"


def test_route_prefix_is_case_insensitive_and_may_be_empty() -> None:
    assert router(("a", "a", None)).resolve("GET", "/API/a") is not None
    empty = router(("a", "a", None), prefix="")
    assert empty.resolve("GET", "/a") is not None
    assert empty.resolve("GET", "/api/a") is None


def test_lengths_are_checked_before_segments() -> None:
    assert (Template.parse("a/{b}").min_length, Template.parse("a/{b}").max_length) == (2, 2)
    assert (Template.parse("files/{*rest}").min_length, Template.parse("files/{*rest}").max_length) == (1, None)


def test_request_path_is_decoded_once_with_encoded_slashes_kept_inside_segments() -> None:
    path = RequestPath.parse("//Users/A%2Fb/%C3%89/")
    assert path.decoded == ("Users", "A%2Fb", "É") and path.lowered == ("users", "a%2fb", "é")


def test_a_catch_all_named_last_takes_only_what_no_other_function_takes() -> None:
    routes = router(
        ("zz_fallback", "{*path}", None),
        ("get_me", "me/profile", ["GET"]),
        ("get_user", "users/{user}/profile", ["GET"]),
    )
    assert name_for(routes, "GET", "/api/me/profile") == "get_me"
    assert name_for(routes, "GET", "/api/users/x/profile") == "get_user"
    assert name_for(routes, "PUT", "/api/me/profile") == "zz_fallback"
    assert name_for(routes, "HEAD", "/api/me/profile") == "zz_fallback"
    assert name_for(routes, "GET", "/api/nothing/here") == "zz_fallback"
    assert name_for(routes, "GET", "/api") == "zz_fallback"


def test_a_catch_all_named_first_takes_everything() -> None:
    routes = router(("fallback", "{*path}", None), ("get_me", "me/profile", ["GET"]))
    assert name_for(routes, "GET", "/api/me/profile") == "fallback"


def test_only_http_functions_are_routed() -> None:
    class Timer:
        def is_http_function(self) -> bool:
            return False

    assert build_router([Timer()], "api").entries == ()
