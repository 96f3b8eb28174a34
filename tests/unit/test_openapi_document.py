"""The OpenAPI document generated from the facet declarations (shared/openapi): valid OpenAPI 3.1, one
operation per registered HTTP function, schemas that agree with the facet engine, parameters that agree
with the query options engine, security that agrees with the permission check, one error schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import azure.functions as func
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from functions.fallback import FUNCTION_NAME as CATCH_ALL
from shared import errors, openapi
from shared.auth import Principal, authorize
from shared.auth import permissions as permission_table
from shared.facets.catalog import FACET_TYPES
from shared.facets.kinds import Boolean, Complex, ComplexType, Date, Double, Enum, Int32, Kind, ListOf, Text
from shared.facets.model import FacetType
from shared.facets.validate import validate_create
from shared.facets.wire import to_wire
from shared.query import MAX_TOP, parse_get_query, parse_list_query, parse_profile_query
from shared.validation.audiences import AUDIENCES, audience_members
from shared.web.conditions import parse_idempotency_key, parse_if_match
from shared.web.responses import RequestIds, error_response
from tests.functions.helpers import FUNCTIONS, TABLE
from tests.functions.test_function_app import ROOT, index_functions
from tests.support.facet_bodies import full_body, stored, value_at, walk, with_value
from tests.unit.facets.helpers import USER, by_type

TENANT = {"ENTRA_TENANT_ID": "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c", "ENTRA_AUDIENCES": "api://x"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
EXAMPLES = settings(max_examples=200, derandomize=True, database=None, deadline=None)
ERROR_RESPONSES = {
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PreconditionFailed",
    "PayloadTooLarge",
    "Unprocessable",
    "TooManyRequests",
    "ServiceUnavailable",
    "InsufficientStorage",
}

DOC = openapi.document(TABLE)
SCHEMAS = DOC["components"]["schemas"]
PARAMETERS = DOC["components"]["parameters"]


def validator(name: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for component schema `name`, references resolved within the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": DOC["components"]})


def valid(name: str, value: Any) -> bool:
    return validator(name).is_valid(value)


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def component(reference: dict[str, str]) -> tuple[str, Any]:
    """(name, object) of a `$ref` into the document's components."""
    section, name = reference["$ref"].split("/")[2:]
    return name, DOC["components"][section][name]


def query_names(operation: dict[str, Any]) -> set[str]:
    found = [component(ref)[1] for ref in operation.get("parameters", [])]
    return {parameter["name"] for parameter in found if parameter["in"] == "query"}


def fullmatch(pattern: str, value: str) -> bool:
    """ECMA-262 `pattern` semantics for these anchored patterns (Python's regex agrees on them)."""
    return re.search(pattern, value) is not None


def accepted(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except errors.BadRequest:
        return False
    return True


def reachable_kinds() -> Iterator[Kind]:
    for facet_type in FACET_TYPES:
        for name, kind in facet_type.properties.items():
            for _, inner in walk(kind, (name,)):
                yield inner


# --- the document as a whole ----------------------------------------------------------------------


def test_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(DOC).validate()


def test_names_no_server_but_the_relative_route_prefix() -> None:
    assert DOC["servers"] == [{"url": "/api"}]
    assert "://" not in json.dumps(DOC)  # no absolute URL anywhere (hosts, tenants)


def test_every_function_is_exactly_one_operation_named_as_it_is() -> None:
    """Every HTTP function the worker indexes (with a tenant: no development issuer) is one operation with
    its method, route and name. The functions without an operation are the catch-all (any other path) and the
    API explorer's page and files (HTML for a browser, not the API)."""
    undocumented = {CATCH_ALL, "docs_page", "docs_asset"}
    functions = [fn for fn in index_functions(**TENANT) if fn["name"] not in undocumented]
    assert all(fn["http"] and len(fn["methods"]) == 1 for fn in functions)
    registered = sorted((fn["methods"][0].upper(), fn["route"], fn["name"]) for fn in functions)
    documented = sorted((method.upper(), path.lstrip("/"), op["operationId"]) for path, method, op in operations())
    assert documented == registered
    # the profile, the collections, the document, $batch; delta per user (me, users/{user}) and tenant-wide
    assert len(documented) == 6 + 10 * len(FACET_TYPES) + 2 + 3 * len(FACET_TYPES) + 1


def test_the_development_issuer_is_not_documented() -> None:
    """Its routes exist only without a tenant (local development), so they are not the API's."""
    assert not [path for path in DOC["paths"] if "dev-issuer" in path]


def test_operation_ids_are_unique_and_stable() -> None:
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))
    assert DOC["paths"]["/me/profile/skills"]["post"]["operationId"] == "skills_create_me"
    assert DOC["paths"]["/users/{user}/profile/educationalActivities/{id}"]["patch"]["operationId"] == (
        "educationalActivities_update_user"
    )
    assert DOC["paths"]["/me/profile"]["get"]["operationId"] == "get_my_profile"
    assert DOC["paths"]["/openapi.json"]["get"]["operationId"] == "openapi_document"


def test_every_collection_has_its_tag_and_its_ten_operations() -> None:
    tags = [tag["name"] for tag in DOC["tags"]]
    assert tags == ["profile", *(ft.collection for ft in FACET_TYPES), "batch", "document"]
    for facet_type in FACET_TYPES:
        tagged = [op for _, _, op in operations() if op["tags"] == [facet_type.collection]]
        assert len(tagged) == 10 + 3, facet_type.collection  # and its delta: me, users/{user}, tenant-wide


def test_path_parameters_are_the_route_placeholders() -> None:
    for path, item in DOC["paths"].items():
        declared = {component(ref)[1]["name"] for ref in item.get("parameters", [])}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), path


def test_the_served_document_is_built_once_and_needs_no_token() -> None:
    openapi.document_bytes.cache_clear()
    openapi.document.cache_clear()
    request = func.HttpRequest("GET", "http://localhost/api/openapi.json", headers={}, body=b"")
    first, second = FUNCTIONS["openapi_document"](request), FUNCTIONS["openapi_document"](request)
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert json.loads(first.get_body()) == DOC
    assert first.headers["request-id"] and first.headers["client-request-id"] == first.headers["request-id"]
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["request-id"] != second.headers["request-id"]
    assert openapi.document.cache_info().misses == 1 and openapi.document_bytes.cache_info().misses == 1


def test_importing_the_app_builds_no_document() -> None:
    """Cold start: the worker imports function_app to index it; the document waits for its first request."""
    script = (
        "import sys, function_app, shared.openapi as o\n"
        "print(o.document.cache_info().currsize, 'shared.openapi.builder' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", **TENANT}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False"]


# --- component schemas: one per Graph type ----------------------------------------------------------


def test_the_components_are_the_graph_types_and_nothing_else() -> None:
    """Per facet type a read, a write and a collection schema; one per complex type, enum, and the audiences
    string; the profile and its POST body; one error schema; the `$batch` envelope. Nothing per operation or
    per status."""
    expected = {"allowedAudiences", "profile", "profileWrite", "odataError"}
    expected |= {"batchRequest", "batchRequestItem", "batchResponse", "batchResponseItem"}
    for facet_type in FACET_TYPES:
        expected |= {facet_type.type_name, f"{facet_type.type_name}Write", f"{facet_type.type_name}CollectionResponse"}
    for kind in reachable_kinds():
        if isinstance(kind, Complex):
            expected.add(kind.type.name)
        elif isinstance(kind, Enum):
            expected.add(kind.name)
    assert set(SCHEMAS) == expected


@by_type()
def test_the_read_schema_has_every_property_in_wire_order_and_nothing_else(facet_type: FacetType) -> None:
    schema = SCHEMAS[facet_type.type_name]
    properties = [name for name in schema["properties"] if not name.startswith("@odata.")]
    assert properties == list(facet_type.properties)
    assert schema["additionalProperties"] is False and schema["required"] == ["id"]
    not_null = {name for name in properties if not valid(facet_type.type_name, {"id": "x", name: None})}
    assert not_null == {"id", "allowedAudiences", "createdDateTime", "lastModifiedDateTime"}


@by_type()
def test_the_write_schema_has_the_writable_properties_only(facet_type: FacetType) -> None:
    schema = SCHEMAS[f"{facet_type.type_name}Write"]
    assert [name for name in schema["properties"] if name != "@odata.type"] == list(facet_type.writable)
    assert not facet_type.read_only & set(schema["properties"])
    assert schema["additionalProperties"] is False and "required" not in schema
    for name in facet_type.read_only:
        assert not valid(f"{facet_type.type_name}Write", {name: None}), name


def test_every_complex_type_is_one_schema_with_its_members() -> None:
    seen: dict[str, ComplexType] = {}
    for kind in reachable_kinds():
        if isinstance(kind, Complex):
            assert seen.setdefault(kind.type.name, kind.type) == kind.type  # one declaration per name
    for name, complex_type in seen.items():
        schema = SCHEMAS[name]
        assert list(schema["properties"]) == ["@odata.type", *complex_type.properties], name
        assert schema.get("required", []) == list(complex_type.required), name
        assert schema["additionalProperties"] is False


def test_enums_are_the_declared_members_less_unknown_future_value() -> None:
    enums = {kind.name: kind for kind in reachable_kinds() if isinstance(kind, Enum)}
    assert enums
    for name, kind in enums.items():
        assert SCHEMAS[name]["enum"] == [m for m in kind.members if m != "unknownFutureValue"] == list(kind.accepted)


def test_no_property_schema_is_an_inline_object() -> None:
    """Complex values are references to their type's one schema, never copies."""

    def objects(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            if node.get("type") == "object" and where.count("/") > 1:
                yield where
            for key, value in node.items():
                yield from objects(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from objects(value, f"{where}/{index}")

    # The error envelope and the `$batch` envelope (headers are free-form maps) are no Graph types.
    envelopes = {"odataError", "batchRequest", "batchRequestItem", "batchResponse", "batchResponseItem"}
    inline = [where for name, schema in SCHEMAS.items() if name not in envelopes for where in objects(schema, name)]
    assert inline == []


# --- the schemas agree with the facet engine ----------------------------------------------------------


def _probes(kind: Kind, current: Any) -> tuple[list[Any], list[Any]]:
    """(values the engine accepts, values it refuses for their shape) at a property of `kind` whose value in
    the fully populated body is `current`."""
    if isinstance(kind, Text):
        good = ["x" * kind.max_length] if kind.rule is None else []
        return good, ["x" * (kind.max_length + 1), 7, True]
    if isinstance(kind, Enum):
        return list(kind.accepted), ["unknownFutureValue", kind.accepted[0].upper() + "x", 1]
    if isinstance(kind, ListOf):
        # A single value where a list is declared is a leniency of the server (`scalar_ok`), not documented.
        wrong = [[None], 7 if kind.scalar_ok else "x", {"a": 1}, current[:1] * (kind.max_items + 1)]
        return [current[:1] * kind.max_items], wrong
    if isinstance(kind, Complex):
        empty = [{}] if not kind.type.required else []
        return empty, [{"notAMember": 1}, [], "x", *([{}] if kind.type.required else [])]
    if isinstance(kind, Date):
        return ["2020-02-29"], ["2020-2-29", "29.02.2020", 20200229]
    refused = {Boolean: ["true", 1], Double: ["1.5", True], Int32: [1.5, "1", 2**31]}
    return [], refused.get(type(kind), [])


def _writable_paths(facet_type: FacetType) -> Iterator[tuple[tuple[Any, ...], Kind]]:
    for name in facet_type.writable:
        yield from walk(facet_type.properties[name], (name,))


@by_type()
def test_the_write_schema_accepts_what_the_engine_accepts_and_refuses_the_wrong_shapes(facet_type: FacetType) -> None:
    """At every writable path (into complex values and list items): the fully populated body, null where the
    engine takes it, limits reached (longest text, most items, every enum member) validate; values of the wrong
    type, over a limit, not a member, unknown members and read-only properties do not, and the engine refuses them."""
    name = f"{facet_type.type_name}Write"
    body = full_body(facet_type)
    assert valid(name, body) and accepted(validate_create, facet_type, body)
    assert valid(name, {**body, "@odata.type": facet_type.odata_type})
    assert valid(name, {}) and valid(name, dict.fromkeys(facet_type.writable))
    for path, kind in _writable_paths(facet_type):
        good, bad = _probes(kind, value_at(body, path))
        if path[0] == "sources" and "properties" in path:
            good = []  # these name properties of the type (a rule of the engine beyond the schema)
        for value in good:
            probe = with_value(body, path, value)
            assert accepted(validate_create, facet_type, probe), (path, value)
            assert valid(name, probe), (path, value)
        for value in bad:
            probe = with_value(body, path, value)
            assert not accepted(validate_create, facet_type, probe), (path, value)
            assert not valid(name, probe), (path, value)
    for unknown in ({"notAProperty": 1}, {"@odata.type": "#microsoft.graph.other"}):
        assert not valid(name, {**body, **unknown}) and not accepted(validate_create, facet_type, {**body, **unknown})


@by_type()
def test_what_the_server_returns_matches_the_read_and_collection_schemas(facet_type: FacetType) -> None:
    values = validate_create(facet_type, full_body(facet_type))
    wire = {"@odata.context": "x", **to_wire(facet_type, stored(facet_type, values), USER)}
    assert valid(facet_type.type_name, wire)
    empty = to_wire(facet_type, stored(facet_type, validate_create(facet_type, {})), None)
    assert valid(facet_type.type_name, empty)
    assert valid(facet_type.type_name, {"id": wire["id"], "@odata.context": "x"})  # $select=id
    assert not valid(facet_type.type_name, {**wire, "_etag": "x"})  # storage fields never appear
    page = {"@odata.context": "x", "@odata.count": 2, "value": [wire, empty], "@odata.nextLink": "next"}
    assert valid(f"{facet_type.type_name}CollectionResponse", page)
    profile = {
        "@odata.context": "x",
        "@odata.type": "#microsoft.graph.profile",
        "id": str(uuid.uuid4()),
        facet_type.collection: [wire],
    }
    assert valid("profile", profile)


def test_the_profile_bodies() -> None:
    for body in ({}, {"@odata.type": "#microsoft.graph.profile"}):
        assert valid("profileWrite", body)
    for body in ({"id": "x"}, {"@odata.type": "#microsoft.graph.user"}, {"foo": 1}):
        assert not valid("profileWrite", body)
    assert set(SCHEMAS["profile"]["properties"]) == {
        "@odata.context",
        "@odata.type",
        "id",
        *(ft.collection for ft in FACET_TYPES),
        *(f"{ft.collection}@odata.nextLink" for ft in FACET_TYPES),
    }


def test_paged_responses_document_prefer_and_preference_applied() -> None:
    from shared.web.prefer import max_page_size

    prefer = PARAMETERS["prefer"]
    assert (prefer["name"], prefer["in"]) == ("Prefer", "header")
    assert max_page_size({"prefer": prefer["example"]}) == 20
    pattern = re.compile(DOC["components"]["headers"]["preferenceApplied"]["schema"]["pattern"])
    assert pattern.match(f"odata.maxpagesize={MAX_TOP}") and not pattern.match("odata.maxpagesize=0")
    paged = [
        operation
        for path in DOC["paths"].values()
        for method, operation in path.items()
        if method == "get" and {"$ref": "#/components/parameters/prefer"} in operation.get("parameters", [])
    ]
    lists = [
        operation
        for path in DOC["paths"].values()
        for method, operation in path.items()
        if method == "get" and "CollectionResponse" in json.dumps(operation["responses"]["200"])
    ]
    assert lists and all(operation in paged for operation in lists)
    deltas = [
        operation
        for path in DOC["paths"].values()
        for method, operation in path.items()
        if path.get("get") is operation and "_delta_" in operation["operationId"]
    ]
    assert len(deltas) == 3 * len(FACET_TYPES) + 1
    assert len(paged) == len(lists) + 2 + len(deltas)  # the profile's GET (me/, users/{user}/); delta rounds
    assert all("Preference-Applied" in operation["responses"]["200"]["headers"] for operation in paged)
    page = SCHEMAS[f"{FACET_TYPES[0].type_name}CollectionResponse"]["properties"]["value"]
    assert page["maxItems"] == MAX_TOP == SCHEMAS["profile"]["properties"][FACET_TYPES[0].collection]["maxItems"]
    profile = {"id": str(uuid.uuid4()), "skills": [], "skills@odata.nextLink": "https://x/api/me/profile/skills"}
    assert valid("profile", profile)


# --- patterns agree with the code that enforces them ---------------------------------------------------


def _audience_texts() -> st.SearchStrategy[str]:
    """Sets of audience names in any case with spaces and tabs around them, plus near misses."""
    names = st.sampled_from([*AUDIENCES, "unknownFutureValue", "org", "", "x"])
    cased = names.flatmap(
        lambda n: st.lists(st.booleans(), min_size=len(n), max_size=len(n)).map(
            lambda ups: "".join(c.upper() if up else c.lower() for c, up in zip(n, ups, strict=True))
        )
    )
    padded = st.tuples(st.sampled_from(["", " ", "\t", "  "]), cased, st.sampled_from(["", " ", "\t"])).map("".join)
    letters = "".join(sorted(set("".join(AUDIENCES)))) + ", \t"
    return st.one_of(st.lists(padded, min_size=1, max_size=5).map(",".join), st.text(alphabet=letters, max_size=30))


@EXAMPLES
@given(_audience_texts())
def test_the_allowed_audiences_pattern_accepts_what_the_validation_accepts(value: str) -> None:
    """Spaces and tabs are the whitespace the document names around members (the code strips any)."""
    assert fullmatch(SCHEMAS["allowedAudiences"]["pattern"], value) == accepted(audience_members, value)


@EXAMPLES
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], max_codepoint=0x2FF), max_size=8)
    | st.text(alphabet="ab ~!", min_size=250, max_size=260)
)
def test_the_idempotency_key_pattern_is_the_rule(value: str) -> None:
    """The header as it arrives (HTTP trims it): the pattern matches exactly the keys the edge accepts."""
    value = value.strip()
    schema = PARAMETERS["idempotencyKey"]["schema"]
    documented = fullmatch(schema["pattern"], value) and len(value) <= schema["maxLength"]
    assert documented == accepted(parse_idempotency_key, {"idempotency-key": value})


@EXAMPLES
@given(st.from_regex(PARAMETERS["ifMatch"]["schema"]["pattern"], fullmatch=True))
def test_every_documented_if_match_is_accepted(value: str) -> None:
    if len(value) <= PARAMETERS["ifMatch"]["schema"]["maxLength"]:
        assert accepted(parse_if_match, {"if-match": value})


def test_malformed_if_match_values_are_refused_by_both() -> None:
    for value in ("", " ", "abc", '"a', 'W/"a",', '"a" "b"', "**"):
        assert not fullmatch(PARAMETERS["ifMatch"]["schema"]["pattern"], value)
        assert not accepted(parse_if_match, {"if-match": value})


def _primitive_paths(properties: dict[str, Kind] | Any, prefix: str = "") -> Iterator[str]:
    """Every path into complex values (collections not entered), whatever its kind."""
    for name, kind in properties.items():
        yield f"{prefix}{name}"
        if isinstance(kind, Complex):
            yield from _primitive_paths(kind.type.properties, f"{prefix}{name}/")


@by_type()
def test_select_and_orderby_patterns_name_what_the_query_options_take(facet_type: FacetType) -> None:
    select = PARAMETERS[f"{facet_type.type_name}Select"]["schema"]["pattern"]
    assert fullmatch(select, ",".join(facet_type.properties))
    for name in facet_type.properties:
        assert fullmatch(select, f"id, {name}") and accepted(parse_get_query, {"$select": f"id, {name}"}, facet_type)
    for bad in ("foo", "id,foo", "", "id,", "detail/jobTitle"):
        assert not fullmatch(select, bad)
    orderby = PARAMETERS[f"{facet_type.type_name}Orderby"]["schema"]["pattern"]
    for path in _primitive_paths(facet_type.properties):
        other = "createdDateTime" if path == "id" else "id"  # (naming one path twice is 400, not a pattern matter)
        for text in (path, f"{path} desc", f" {other} asc , {path}  asc"):
            documented = fullmatch(orderby, text)
            assert documented == accepted(parse_list_query, {"$orderby": text}, facet_type), text
    assert not fullmatch(orderby, ",".join(["id"] * 6))


@by_type()
def test_the_filter_examples_are_accepted(facet_type: FacetType) -> None:
    examples = PARAMETERS[f"{facet_type.type_name}Filter"]["examples"]
    assert len(examples) >= 3
    for example in examples.values():
        assert accepted(parse_list_query, {"$filter": example["value"]}, facet_type), example["value"]


def test_the_profile_expand_pattern_names_the_collections_and_their_properties() -> None:
    expand = PARAMETERS["profileExpand"]["schema"]["pattern"]
    assert fullmatch(expand, PARAMETERS["profileExpand"]["example"])
    for facet_type in FACET_TYPES:
        for text in (facet_type.collection, f"{facet_type.collection}($select={','.join(facet_type.properties)})"):
            assert fullmatch(expand, text) and accepted(parse_profile_query, {"$expand": text}), text
    for bad in ("foo", "names($select=foo)", "names($top=1)", "names,", "names(", ""):
        assert not fullmatch(expand, bad)
    select = PARAMETERS["profileSelect"]["schema"]["pattern"]
    assert fullmatch(select, "id," + ",".join(ft.collection for ft in FACET_TYPES))
    assert accepted(parse_profile_query, {"$select": "id," + ",".join(ft.collection for ft in FACET_TYPES)})


# --- query options per route: exactly contract §2.3 -----------------------------------------------------


def test_query_options_per_route_are_the_contracts() -> None:
    """The `$` forms (the bare forms are a leniency). `$skiptoken` is not listed: it is part of
    `@odata.nextLink`, which clients follow as it is."""
    for path, method, operation in operations():
        names = query_names(operation)
        if method != "get" or path == "/openapi.json":
            assert names == set(), (method, path)
        elif path.endswith("/profile"):
            assert names == {"$select", "$expand"}, path
        elif path.endswith("/delta"):  # `$deltatoken=latest` is the client's; other tokens are in the links
            assert names == {"$select", "$deltatoken"}, path
        elif path.endswith("{id}"):
            assert names == {"$select"}, path
        else:
            assert names == {"$top", "$skip", "$filter", "$orderby", "$select", "$count"}, path
    top = PARAMETERS["top"]["schema"]
    assert (top["minimum"], top["maximum"]) == (1, MAX_TOP)
    assert accepted(parse_list_query, {"$top": str(MAX_TOP)}, FACET_TYPES[0])
    assert not accepted(parse_list_query, {"$top": str(MAX_TOP + 1)}, FACET_TYPES[0])
    assert accepted(parse_list_query, {"$skip": str(PARAMETERS["skip"]["schema"]["maximum"])}, FACET_TYPES[0])


def test_headers_per_route() -> None:
    for path, method, operation in operations():
        headers = {
            component(ref)[1]["name"] for ref in operation.get("parameters", []) if component(ref)[1]["in"] == "header"
        }
        expected = set() if path == "/openapi.json" else {"client-request-id"}
        if path.endswith("{id}") and method in ("patch", "delete"):
            expected.add("If-Match")
        if method == "post" and not path.endswith("/profile") and path != "/$batch":
            expected.add("Idempotency-Key")
        if (
            method == "get"
            and (path.endswith("/profile") or not path.endswith(("{id}", "/openapi.json")))
            and "/profile" in path
        ):
            expected.add("Prefer")  # lists and the profile: pages (contract §2.6)
        assert headers == expected, (method, path)


# --- security: the permission check's own table -----------------------------------------------------


def _principal(*, app: bool, permission: str) -> Principal:
    return Principal(
        tenant_id=TENANT["ENTRA_TENANT_ID"],
        object_id="6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6",
        is_app=app,
        scopes=frozenset() if app else frozenset({permission}),
        roles=frozenset({permission}) if app else frozenset(),
        app_id="a",
        app_display_name="a",
        upn="adele@contoso.test",
        display_name="Adele",
    )


def _passes(*, app: bool, permission: str, write: bool, target: str) -> bool:
    try:
        authorize(_principal(app=app, permission=permission), write=write, target=target)
    except (errors.Forbidden, errors.BadRequest):
        return False
    return True


CANDIDATES = (*permission_table.PERMISSIONS, "Directory.Read.All", "User.ReadBasic", "Mail.Read")


def _granting(*, app: bool, write: bool, target: str) -> list[str]:
    return [name for name in CANDIDATES if _passes(app=app, permission=name, write=write, target=target)]


def test_the_permission_names_cover_the_tables() -> None:
    named = {name.casefold() for name in permission_table.PERMISSIONS}
    tables = [*permission_table._SCOPES.values(), *permission_table._ROLES.values()]
    assert set().union(*tables) <= named


def test_each_operation_names_the_permissions_that_pass_the_check() -> None:
    own, other = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6", "11111111-2222-4333-8444-555555555555"
    for path, method, operation in operations():
        if path == "/openapi.json":
            assert operation["security"] == [] and "x-permissions" not in operation
            continue
        if path == "/$batch":  # a token, and no permission of its own: each request needs its route's
            assert operation["security"][0] == {"entraBearer": []} and "x-permissions" not in operation
            continue
        write = method != "get"
        if path.startswith("/users/profile/"):  # tenant-wide delta: every user's data, no one's own
            table = {
                "delegatedOtherUsers": _granting(app=False, write=False, target=other),
                "application": _granting(app=True, write=False, target=other),
            }
            assert operation["x-permissions"] == table, (method, path)
            continue
        table = {"delegatedOwnData": _granting(app=False, write=write, target="me" if path.startswith("/me") else own)}
        if path.startswith("/users/"):
            table["delegatedOtherUsers"] = _granting(app=False, write=write, target=other)
            table["application"] = _granting(app=True, write=write, target=other)
        assert operation["x-permissions"] == table, (method, path)
        names = [requirement["entraBearer"] for requirement in operation["security"] if "entraBearer" in requirement]
        assert all(len(each) == 1 for each in names)
        assert {each[0] for each in names} == set().union(*table.values()), (method, path)
        # Signed in through the explorer: the delegated permissions only (roles cannot be had by signing in).
        scopes = [requirement["entraOAuth"] for requirement in operation["security"] if "entraOAuth" in requirement]
        assert all(len(each) == 1 for each in scopes)
        delegated = set(table["delegatedOwnData"]).union(table.get("delegatedOtherUsers", ()))
        assert {each[0] for each in scopes} == delegated, (method, path)
        assert all(set(requirement) <= {"entraBearer", "entraOAuth"} for requirement in operation["security"])
    scheme = DOC["components"]["securitySchemes"]["entraBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_sign_in_scheme_in_development_is_the_development_issuers_code_flow_on_the_same_origin() -> None:
    """Without a tenant the Authorize button signs in with the development issuer, served by the same host:
    its endpoints are paths (no host, no port), its scopes the permission names as they are."""
    from shared.auth.dev_issuer import DEV_CLIENT_ID
    from shared.settings import DEV_TENANT_ID

    scheme = DOC["components"]["securitySchemes"]["entraOAuth"]
    assert scheme["type"] == "oauth2" and list(scheme["flows"]) == ["authorizationCode"]
    flow = scheme["flows"]["authorizationCode"]
    base = f"/api/dev-issuer/{DEV_TENANT_ID}/oauth2/v2.0"
    assert (flow["authorizationUrl"], flow["tokenUrl"]) == (f"{base}/authorize", f"{base}/token")
    assert list(flow["scopes"]) == list(permission_table.PERMISSIONS)
    assert DEV_CLIENT_ID in scheme["description"] and "PKCE" in scheme["description"]


def test_the_sign_in_scheme_in_a_tenant_is_entra_ids_code_flow_with_the_apis_scopes() -> None:
    """With a tenant: Entra ID's v2.0 endpoints of that tenant, the API's app registration as the client, and
    every scope under the Application ID URI, in the scheme and in each operation's requirements."""
    from shared.auth.sign_in import sign_in
    from shared.openapi.builder import SCOPE_TEXTS, build
    from shared.settings import load_settings

    tenant, app_id = TENANT["ENTRA_TENANT_ID"], "5d3a0c1e-8b7f-4e2d-9a6c-1f0e2d3c4b5a"
    uri = f"api://{tenant}/profile-api-x"
    settings = load_settings({"ENTRA_TENANT_ID": tenant, "ENTRA_AUDIENCES": f"{app_id},{uri}"})
    found = sign_in(settings, "api")
    assert found is not None and found.client_id == app_id and found.token_origin == "https://login.microsoftonline.com"
    document = build(TABLE, found)
    OpenAPIV31SpecValidator(document).validate()
    flow = document["components"]["securitySchemes"]["entraOAuth"]["flows"]["authorizationCode"]
    authority = f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
    assert (flow["authorizationUrl"], flow["tokenUrl"]) == (f"{authority}/authorize", f"{authority}/token")
    assert flow["scopes"] == {f"{uri}/{name}": text for name, text in SCOPE_TEXTS.items()}
    create = document["paths"]["/me/profile/skills"]["post"]["security"]
    assert {"entraOAuth": [f"{uri}/User.ReadWrite"]} in create and {"entraBearer": ["User.ReadWrite"]} in create
    # Without an Application ID URI the application id names the scopes; without an application id there
    # is no client to sign in with, so no oauth2 scheme (a token can still be brought along).
    only_id = sign_in(load_settings({"ENTRA_TENANT_ID": tenant, "ENTRA_AUDIENCES": app_id}), "api")
    assert only_id is not None and only_id.scope("User.Read") == f"{app_id}/User.Read"
    assert sign_in(load_settings({"ENTRA_TENANT_ID": tenant, "ENTRA_AUDIENCES": uri}), "api") is None
    assert "entraOAuth" not in build(TABLE, None)["components"]["securitySchemes"]


def test_the_scope_texts_are_the_app_registrations_consent_texts() -> None:
    """The explorer's scope list says what Entra's consent prompt says (infra/app/entra.bicep)."""
    from shared.openapi.builder import SCOPE_TEXTS

    bicep = (ROOT / "infra" / "app" / "entra.bicep").read_text(encoding="utf-8")
    assert list(SCOPE_TEXTS) == list(permission_table.PERMISSIONS)
    for name, text in SCOPE_TEXTS.items():
        declared = re.search(rf"value: '{re.escape(name)}'.*?userConsentDisplayName: (\w+|'[^\n]*')", bicep, re.S)
        assert declared, name
        value = declared[1]
        if not value.startswith("'"):  # a variable
            value = re.search(rf"var {value} = ('[^\n]*')", bicep)[1]  # type: ignore[index]
        assert value[1:-1].replace("\\'", "'") == text, name


# --- responses: one error schema, shared responses ----------------------------------------------------------


def test_errors_are_the_shared_responses_with_the_one_error_schema() -> None:
    assert set(DOC["components"]["responses"]) == ERROR_RESPONSES
    for name, response in DOC["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/odataError"}, name
    for path, method, operation in operations():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response) == {"$ref"} and response["$ref"].startswith("#/components/responses/")
            else:
                assert "$ref" not in response, (method, path, status)


def _statuses(path: str, method: str) -> set[str]:
    """What each route can answer (contract §1-§6)."""
    if path == "/openapi.json":
        return {"200"}
    if path == "/$batch":  # each request's own statuses are inside the 200
        return {"200", "400", "401", "413"}
    statuses = {"400", "401", "403", "429", "503"}
    if path.startswith("/users/profile/"):  # tenant-wide delta: no user to be missing
        return statuses | {"200"}
    if path.startswith("/users/") or path.endswith("{id}"):
        statuses.add("404")
    if method in ("post", "patch", "delete"):
        statuses.add("409")
    if method in ("post", "patch"):
        statuses.add("413")
    if path.endswith("{id}") and method in ("patch", "delete"):
        statuses.add("412")
    if method == "post" and not path.endswith("/profile"):
        statuses.add("422")
    if method in ("post", "patch") and not path.endswith("/profile"):
        statuses.add("507")  # the per-user storage ceiling (contract §2.6)
    success = {"post": "201", "delete": "204"}.get(method, "200")
    return statuses | {success}


def test_each_operation_documents_the_statuses_it_can_answer() -> None:
    for path, method, operation in operations():
        assert set(operation["responses"]) == _statuses(path, method), (method, path)


def test_every_response_carries_the_request_ids() -> None:
    for path, method, operation in operations():
        for status, listed in operation["responses"].items():
            response = component(listed)[1] if "$ref" in listed else listed
            assert {"request-id", "client-request-id"} <= set(response["headers"]), (method, path, status)
            if status == "201":
                assert "Location" in response["headers"]


ERROR_CASES = [
    errors.BadRequest("x", details=(errors.FieldError("invalidValue", "m", "countryCode"),)),
    errors.Unauthorized("x"),
    errors.Unauthorized("x", error=None),
    errors.Forbidden("x", scope="User.ReadWrite"),
    errors.QuotaExceeded("x"),
    errors.NotFound("x"),
    errors.Conflict("x"),
    errors.PreconditionFailed("x"),
    errors.PayloadTooLarge("x"),
    errors.Unprocessable("x"),
    errors.Throttled("x", retry_after=3),
    errors.ServiceUnavailable("x", retry_after=1),
]


@pytest.mark.parametrize("error", ERROR_CASES, ids=lambda e: f"{e.status}-{e.code}")
def test_error_envelopes_match_the_documented_response_of_their_status(error: errors.ApiError) -> None:
    """Each error, as the edge writes it, matches the one response the document names for its status."""
    references = {
        op["responses"][str(error.status)]["$ref"] for _, _, op in operations() if str(error.status) in op["responses"]
    }
    assert len(references) == 1
    _, documented = component({"$ref": references.pop()})
    response = error_response(RequestIds("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "mine"), error)
    assert valid("odataError", json.loads(response.get_body()))
    assert error.code in documented["description"]
    for header, reference in documented["headers"].items():
        _, spec = component(reference)
        if spec.get("required"):
            assert header in response.headers, header
        if header in response.headers:
            value = response.headers[header]
            Draft202012Validator(spec["schema"]).validate(int(value) if spec["schema"]["type"] == "integer" else value)


def test_the_error_schema_is_graphs_envelope() -> None:
    assert valid("odataError", {"error": {"code": "c", "message": "m"}})
    assert not valid("odataError", {"code": "c", "message": "m"})
    assert not valid("odataError", {"error": {"message": "m"}})


def test_two_declarations_under_one_name_are_refused() -> None:
    """Complex types and enums are shared by name, so two different ones under one name cannot both be right."""
    from shared.openapi.schemas import Components

    components = Components()
    assert components.kind(Enum("level", ("low", "high"))) == components.kind(Enum("level", ("low", "high")))
    with pytest.raises(ValueError, match="level"):
        components.kind(Enum("level", ("low", "middle")))
    with pytest.raises(ValueError, match="identity"):
        components.kind(Complex(ComplexType("identity", {"id": Int32()})))
        components.kind(Complex(ComplexType("identity", {"id": Boolean()})))
