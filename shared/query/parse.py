"""The query options of each read route, parsed and checked (contract §2.3).

| Route | Options |
|---|---|
| GET collection | `$top`, `$skip`, `$filter`, `$orderby`, `$select`, `$count`, `$skiptoken` |
| GET facet | `$select` |
| GET profile | `$select`, `$expand` |
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import BadRequest
from shared.facets.model import FacetType
from shared.query.model import MAX_SKIP, MAX_TOP, Filter, ListQuery, ProfileQuery
from shared.query.ordering import parse_orderby
from shared.query.paging import check_token_text
from shared.query.params import parse_boolean, parse_whole_number, read_options
from shared.query.selecting import parse_expand, parse_facet_select, parse_profile_select

LIST_OPTIONS = ("$top", "$skip", "$filter", "$orderby", "$select", "$count", "$skiptoken")
GET_OPTIONS = ("$select",)
PROFILE_OPTIONS = ("$select", "$expand")
#: The options a next link repeats, in this order.
_LINKED = ("$filter", "$orderby", "$select", "$top", "$count")


def parse_list_query(params: Mapping[str, str], facet_type: FacetType) -> ListQuery:
    """The options of GET `.../profile/{collection}`; 400 naming the first option that is wrong."""
    options = read_options(params, LIST_OPTIONS)
    top = parse_whole_number(options["$top"], "$top", 1, MAX_TOP) if "$top" in options else MAX_TOP
    skip = parse_whole_number(options["$skip"], "$skip", 0, MAX_SKIP) if "$skip" in options else 0
    skiptoken = options.get("$skiptoken")
    if skiptoken is not None:
        if "$skip" in options:
            raise BadRequest("$skip cannot be combined with $skiptoken: the token already holds the position.")
        check_token_text(skiptoken)
    return ListQuery(
        top=top,
        skip=skip,
        filter=_filter(options.get("$filter"), facet_type),
        orderby=parse_orderby(options["$orderby"], facet_type) if "$orderby" in options else (),
        select=parse_facet_select(options["$select"], facet_type) if "$select" in options else None,
        count=parse_boolean(options["$count"], "$count") if "$count" in options else False,
        skiptoken=skiptoken,
        link=tuple((name, options[name]) for name in _LINKED if name in options),
    )


def _filter(text: str | None, facet_type: FacetType) -> Filter | None:
    if text is None:
        return None
    from shared.query.filter_compile import compile_filter  # loaded by the first request with a $filter

    return compile_filter(text, facet_type)


def parse_get_query(params: Mapping[str, str], facet_type: FacetType) -> tuple[str, ...] | None:
    """The `$select` of GET `.../profile/{collection}/{id}` (None: every property)."""
    options = read_options(params, GET_OPTIONS)
    return parse_facet_select(options["$select"], facet_type) if "$select" in options else None


def parse_profile_query(params: Mapping[str, str]) -> ProfileQuery:
    """The `$select` and `$expand` of GET `.../profile`."""
    options = read_options(params, PROFILE_OPTIONS)
    return ProfileQuery(
        select=parse_profile_select(options["$select"]) if "$select" in options else None,
        expand=parse_expand(options["$expand"]) if "$expand" in options else {},
    )
