"""OData query options on the read routes (contract §2.3): parsing, `$filter`, `$orderby`, `$select`,
`$expand`, `$count` and keyset paging with sealed `$skiptoken`s, evaluated in memory over the facets
a caller may see (a user holds at most a few hundred per collection).

    query = parse_list_query(req.params, facet_type)           # 400 for anything malformed
    page = run_list(query, visible_bodies, facet_type=facet_type, paging=Paging(key, scope))
    # page.items, page.next_skiptoken, page.count; next link = query.link_params() + $skiptoken

Importing this package loads no parser and no cryptography: the `$filter` compiler is imported by
the first request with a `$filter`, AES-GCM by the first request that issues or reads a token.
"""

from __future__ import annotations

from shared.query.model import (
    EXPANDED_ENVELOPE_BYTES,
    LIST_ENVELOPE_BYTES,
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_FILTER_WORK,
    MAX_ORDERBY_KEYS,
    MAX_SKIP,
    MAX_SKIPTOKEN_LENGTH,
    MAX_TOP,
    Filter,
    ListPage,
    ListQuery,
    OrderKey,
    PageLimits,
    Paging,
    ProfileQuery,
)
from shared.query.paging import INVALID_SKIPTOKEN_MESSAGE, first_page, first_pages, item_bytes, run_list
from shared.query.parse import parse_get_query, parse_list_query, parse_profile_query
from shared.query.selecting import project

__all__ = [
    "EXPANDED_ENVELOPE_BYTES",
    "INVALID_SKIPTOKEN_MESSAGE",
    "LIST_ENVELOPE_BYTES",
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_LENGTH",
    "MAX_FILTER_WORK",
    "MAX_ORDERBY_KEYS",
    "MAX_SKIP",
    "MAX_SKIPTOKEN_LENGTH",
    "MAX_TOP",
    "Filter",
    "ListPage",
    "ListQuery",
    "OrderKey",
    "PageLimits",
    "Paging",
    "ProfileQuery",
    "first_page",
    "first_pages",
    "item_bytes",
    "parse_get_query",
    "parse_list_query",
    "parse_profile_query",
    "project",
    "run_list",
]
