"""`$select`, `$expand` and projection.

- `$select` names top-level properties, comma-separated, case-insensitively (returned in canonical
  spelling, duplicates folded); `*` means every property. Paths (`detail/jobTitle`) are refused, as
  Graph refuses them here. `id` is always returned.
- `$expand` (the profile only) names collections, comma-separated, case-insensitively; each may carry
  a nested `($select=...)`, the only nested option supported. `*` expands every collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import BadRequest
from shared.facets.model import FacetType
from shared.query.paths import lookup, unknown_property
from shared.validation.names import shorten

PROFILE_TYPE = "microsoft.graph.profile"


def parse_select(
    value: str, properties: Mapping[str, Any], qualified: str, option: str = "$select"
) -> tuple[str, ...] | None:
    """The selected property names (canonical spelling), or None for `*`; 400 naming an unknown name."""
    names: list[str] = []
    everything = False
    for item in value.split(","):
        name = item.strip()
        if not name:
            raise BadRequest(f"Invalid {option}: a property name is missing.")
        if name == "*":
            everything = True
            continue
        if "/" in name:
            raise BadRequest(
                f"Invalid {option}: '{shorten(name)}' is a path; {option} takes top-level property names only."
            )
        canonical = lookup(properties, name)
        if canonical is None:
            raise unknown_property(name, qualified)
        if canonical not in names:
            names.append(canonical)
    return None if everything else tuple(names)


def parse_facet_select(value: str, facet_type: FacetType, option: str = "$select") -> tuple[str, ...] | None:
    return parse_select(value, facet_type.properties, facet_type.qualified, option)


def parse_profile_select(value: str) -> tuple[str, ...] | None:
    """The profile's `$select`: `id` and the collections (navigation properties, which add nothing
    unless expanded: an expanded collection is returned whatever `$select` says, as OData v4 does)."""
    from shared.facets.catalog import FACET_TYPES

    properties = {"id": None, **{facet_type.collection: None for facet_type in FACET_TYPES}}
    return parse_select(value, properties, PROFILE_TYPE)


def parse_expand(value: str) -> dict[str, tuple[str, ...] | None]:
    """Expanded collection (canonical spelling) -> nested `$select` (None: every property)."""
    from shared.facets.catalog import FACET_TYPES, by_collection

    expand: dict[str, tuple[str, ...] | None] = {}
    everything = False
    for item in _split_top_level(value):
        name, nested = _expand_item(item)
        if name == "*":
            if nested is not None:
                raise BadRequest("Invalid $expand: '*' takes no nested options.")
            everything = True
            continue
        found = by_collection(name) if "/" not in name else None
        if found is None:
            raise unknown_property(name, PROFILE_TYPE)
        if found.collection in expand:
            raise BadRequest(f"Invalid $expand: '{found.collection}' is expanded more than once.")
        expand[found.collection] = None if nested is None else _nested_select(nested, found)
    if everything:
        expand = {each.collection: expand.get(each.collection) for each in FACET_TYPES}
    return expand


def _split_top_level(value: str) -> list[str]:
    """`value` split at the commas outside parentheses; 400 for unbalanced parentheses."""
    items: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(value):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise BadRequest("Invalid $expand: unbalanced parentheses.")
        elif char == "," and depth == 0:
            items.append(value[start:index])
            start = index + 1
    if depth != 0:
        raise BadRequest("Invalid $expand: unbalanced parentheses.")
    items.append(value[start:])
    return items


def _expand_item(item: str) -> tuple[str, str | None]:
    """(collection name, nested options or None) of one `$expand` item: `name` or `name(options)`."""
    text = item.strip()
    name, paren, rest = text.partition("(")
    name = name.strip()
    if not name or any(char.isspace() or char == ")" for char in name) or (paren and not rest.endswith(")")):
        raise BadRequest(
            f"Invalid $expand: '{shorten(text)}' must be a collection name, optionally followed by ($select=...)."
        )
    return name, rest[:-1] if paren else None


def _nested_select(nested: str, facet_type: FacetType) -> tuple[str, ...] | None:
    """The nested options of one expanded collection: `$select=...` only (`;` separates options)."""
    select: tuple[str, ...] | None = None
    seen = False
    for option in nested.split(";"):
        name, sep, value = option.partition("=")
        key = name.strip().lower()
        if not sep or key not in ("$select", "select"):
            shown = shorten(name.strip()) or "(empty)"
            raise BadRequest(f"Invalid $expand: only $select is supported inside $expand (found '{shown}').")
        if seen:
            raise BadRequest("Invalid $expand: $select is given more than once inside one expansion.")
        seen = True
        select = parse_facet_select(value, facet_type, "$select in $expand")
    return select


def project(body: Mapping[str, Any], select: tuple[str, ...] | None) -> dict[str, Any]:
    """`body` with only the selected properties; `id` and `@odata.*` annotations are always kept."""
    if select is None:
        return dict(body)
    chosen = frozenset(select)
    return {name: value for name, value in body.items() if name in chosen or name == "id" or name.startswith("@")}
