"""The OpenAPI document (shared/openapi/openapi.json): valid OpenAPI 3.1, the routes the app registers,
and schemas, patterns and limits that agree with the code that enforces them."""
from __future__ import annotations

import itertools
import json
import re
from typing import Any

import azure.functions as func
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from functions.account import _idempotent
from functions.openapi import openapi_document
from shared import errors
from shared.models.account import (
    ODATA_TYPE,
    READ_ONLY_PROPERTIES,
    WRITABLE_PROPERTIES,
    Account,
    Identity,
    IdentitySet,
    account_wire,
)
from shared.models.profile import PROFILE_ODATA_TYPE
from shared.openapi import DOCUMENT_PATH, document
from shared.repository.port import BadCursor
from shared.validation import audience_members, canonical_audiences, validate_account_create
from shared.validation.audiences import AUDIENCES, MAX_LENGTH
from shared.validation.codes import MAX_LOCALE_LENGTH, country_code, locale_tag
from shared.validation.complex_types import MAX_SOURCE_TYPE, MAX_TEXT
from shared.web import Call
from shared.web.query import ACCOUNT_PROPERTIES, MAX_TOP
from shared.web.responses import _CLIENT_ID, RequestIds, error_response
from tests.functions.test_function_app import index_functions

TENANT = {"ENTRA_TENANT_ID": "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c", "ENTRA_AUDIENCES": "api://x"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
EXAMPLES = settings(max_examples=300, derandomize=True, database=None, deadline=None)

DOC = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
SCHEMAS = DOC["components"]["schemas"]


def validator(pointer: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for the component at `pointer`, $refs resolved within the document."""
    return Draft202012Validator({"$ref": pointer, "components": DOC["components"]})


def operations() -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items() if method in METHODS]


def fullmatch(schema: dict, value: str) -> bool:
    """ECMA-262 `pattern` semantics for these anchored patterns: the whole string must match."""
    return re.fullmatch(schema["pattern"], value) is not None


def accepted(check, value: Any) -> bool:
    try:
        check(value)
    except errors.BadRequest:
        return False
    return True


# --- the document as a whole ----------------------------------------------------------------------


def test_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(DOC).validate()


def test_names_no_server_but_the_relative_route_prefix() -> None:
    assert DOC["servers"] == [{"url": "/api"}]
    assert "://" not in DOCUMENT_PATH.read_text(encoding="utf-8")  # no absolute URL anywhere (hosts, tenants)


def test_describes_exactly_the_routes_the_app_registers() -> None:
    registered = {(fn["methods"][0].upper(), fn["route"]) for fn in index_functions(**TENANT)}
    documented = {(method.upper(), path.lstrip("/")) for path, method, _ in operations()}
    assert documented == registered


def test_path_parameters_are_the_route_placeholders() -> None:
    for path, item in DOC["paths"].items():
        declared = {DOC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"] for p in item.get("parameters", [])}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), path


def test_served_document_is_the_file_and_needs_no_token() -> None:
    document.cache_clear()
    response = openapi_document(func.HttpRequest("GET", "http://localhost/api/openapi.json", headers={}, body=b""))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json.loads(response.get_body()) == DOC
    assert response.headers["request-id"] and response.headers["client-request-id"] == response.headers["request-id"]
    assert document.cache_info().misses == 1 and document() is document()


# --- security and responses of every operation ---------------------------------------------------------


def test_product_operations_need_a_bearer_token_naming_scopes_and_the_document_does_not() -> None:
    scheme = DOC["components"]["securitySchemes"]["entraBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in operations():
        if path == "/openapi.json":
            assert op["security"] == []
            continue
        scopes = {scope for requirement in op["security"] for scope in requirement["entraBearer"]}
        assert "User.ReadWrite.All" in scopes, (method, path)
        assert scopes <= {"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"}
        if method in ("post", "patch", "delete"):
            assert scopes == {"User.ReadWrite", "User.ReadWrite.All"}, (method, path)


def test_every_product_operation_documents_the_edge_errors_and_its_own() -> None:
    for path, method, op in operations():
        statuses = set(op["responses"])
        if path == "/openapi.json":
            assert statuses == {"200", "500"}
            continue
        assert {"400", "401", "403", "429", "500", "503"} <= statuses, (method, path)
        if method in ("post", "patch"):
            assert "413" in statuses and "requestBody" in op, (method, path)
        if "{id}" in path and method in ("patch", "delete"):
            assert "412" in statuses
        if "{user}" in path or (method != "post" and not path.endswith("/account")):
            assert "404" in statuses, (method, path)
    assert "409" in DOC["paths"]["/me/profile"]["post"]["responses"]
    assert "422" in DOC["paths"]["/me/profile/account"]["post"]["responses"]


def test_every_response_carries_the_request_ids() -> None:
    responses = DOC["components"]["responses"]
    for path, method, op in operations():
        for status, response in op["responses"].items():
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[1]]
            assert {"request-id", "client-request-id"} <= set(response["headers"]), (method, path, status)
    assert DOC["components"]["headers"]["clientRequestId"]["schema"]["pattern"] == _CLIENT_ID.pattern
    assert DOC["components"]["parameters"]["clientRequestId"]["schema"]["pattern"] == _CLIENT_ID.pattern


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
    errors.ApiError("x"),
    BadCursor("x"),
]


@pytest.mark.parametrize("error", ERROR_CASES, ids=lambda e: f"{e.status}-{e.code}")
def test_error_envelopes_match_the_documented_response_of_their_status(error: errors.ApiError) -> None:
    """Each error class's status, Graph code and headers, as the edge writes them, match the document."""
    name = next(ref["$ref"].rsplit("/", 1)[1] for _, _, op in operations() for status, ref in op["responses"].items()
                if status == str(error.status))
    documented = DOC["components"]["responses"][name]
    response = error_response(RequestIds("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "mine"), error)
    body = json.loads(response.get_body())
    validator(f"#/components/responses/{name}/content/application~1json/schema").validate(body)
    for header, spec in documented["headers"].items():
        spec = DOC["components"]["headers"][spec["$ref"].rsplit("/", 1)[1]]
        if spec.get("required"):
            assert header in response.headers, (name, header)
        if header in response.headers:
            Draft202012Validator(spec["schema"]).validate(
                int(response.headers[header]) if spec["schema"]["type"] == "integer" else response.headers[header])


# --- request bodies agree with shared.validation ----------------------------------------------------


def test_writable_properties_are_the_models() -> None:
    write = SCHEMAS["userAccountInformationWrite"]
    assert write["additionalProperties"] is False
    assert set(write["properties"]) == set(WRITABLE_PROPERTIES) | {"@odata.type"}
    assert write["properties"]["@odata.type"] == {"const": ODATA_TYPE}
    assert "required" not in write
    profile = SCHEMAS["profileCreate"]
    assert profile["properties"] == {"@odata.type": {"const": PROFILE_ODATA_TYPE}} and profile["additionalProperties"] is False


def test_examples_are_valid_and_accepted_by_the_validation() -> None:
    for example in SCHEMAS["userAccountInformationWrite"]["examples"]:
        validator("#/components/schemas/userAccountInformationWrite").validate(example)
        validate_account_create(example)


def test_limits_are_the_codes() -> None:
    assert SCHEMAS["allowedAudiencesInput"]["maxLength"] == MAX_LENGTH
    locale = SCHEMAS["localeInfoInput"]["properties"]["locale"]["oneOf"][0]
    assert locale["maxLength"] == MAX_LOCALE_LENGTH
    assert SCHEMAS["localeInfoInput"]["properties"]["displayName"]["oneOf"][0]["maxLength"] == MAX_TEXT
    source = SCHEMAS["personDataSource"]["properties"]["type"]
    assert (source["minLength"], source["maxLength"]) == (1, MAX_SOURCE_TYPE)
    assert SCHEMAS["personDataSource"]["required"] == ["type"]
    assert set(SCHEMAS["localeInfoInput"]["properties"]) == {"locale", "displayName"}
    assert set(SCHEMAS["inferenceDataInput"]["properties"]) == {"confidenceScore", "userHasVerifiedAccuracy"}


def _audience_texts() -> st.SearchStrategy[str]:
    """Sets of audience names in any case with spaces and tabs around them, plus near misses."""
    names = st.sampled_from([*AUDIENCES, "unknownFutureValue", "org", "", "x"])
    cased = names.flatmap(lambda n: st.lists(st.booleans(), min_size=len(n), max_size=len(n)).map(
        lambda ups: "".join(c.upper() if up else c.lower() for c, up in zip(n, ups))))
    padded = st.tuples(st.sampled_from(["", " ", "\t", "  "]), cased, st.sampled_from(["", " ", "\t"])).map("".join)
    letters = "".join(sorted(set("".join(AUDIENCES)))) + ", \t"
    return st.one_of(st.lists(padded, min_size=1, max_size=5).map(",".join), st.text(alphabet=letters, max_size=30))


@EXAMPLES
@given(_audience_texts())
def test_allowed_audiences_pattern_accepts_what_the_validation_accepts(value: str) -> None:
    """Spaces and tabs are the whitespace the document names around members (the code strips any)."""
    assert fullmatch(SCHEMAS["allowedAudiencesInput"], value) == accepted(audience_members, value)


def test_allowed_audiences_pattern_names_every_member_and_nothing_else() -> None:
    schema = SCHEMAS["allowedAudiencesInput"]
    for name in AUDIENCES:
        assert fullmatch(schema, name) and fullmatch(schema, name.upper()) and fullmatch(schema, f"me, {name}")
    for bad in ("unknownFutureValue", "", ",", "me,", ",me", "me;organization", "organisation"):
        assert not fullmatch(schema, bad) and not accepted(audience_members, bad)


def test_allowed_audiences_response_pattern_is_exactly_the_canonical_forms() -> None:
    schema = SCHEMAS["allowedAudiences"]
    canonical = set()
    for size in range(len(AUDIENCES) + 1):
        for members in itertools.combinations(AUDIENCES, size):
            canonical.add(canonical_audiences(",".join(members) or "me"))
    assert len(canonical) == 2 ** (len(AUDIENCES) - 1)
    assert all(fullmatch(schema, value) for value in canonical)
    for other in ("", "family,", ",family", "family,,contacts", "familycontacts", "me,family", "Family",
                  "family, contacts", "contacts,family", "family,family", "everyone,"):
        assert not fullmatch(schema, other), other


@EXAMPLES
@given(_audience_texts())
def test_allowed_audiences_response_pattern_refuses_what_is_not_canonical(value: str) -> None:
    canonical = accepted(audience_members, value) and canonical_audiences(value) == value
    assert fullmatch(SCHEMAS["allowedAudiences"], value) == canonical


@EXAMPLES
@given(st.text(alphabet="ABNOSXZnos0 é", max_size=4))
def test_country_code_pattern_admits_every_code_the_validation_accepts(value: str) -> None:
    if country_code(value) is not None:
        assert fullmatch(SCHEMAS["countryCodeInput"], value)
        assert fullmatch(SCHEMAS["userAccountInformation"]["properties"]["countryCode"], country_code(value))


def test_every_assigned_country_code_matches() -> None:
    out = SCHEMAS["userAccountInformation"]["properties"]["countryCode"]
    for country in pycountry.countries:
        assert fullmatch(SCHEMAS["countryCodeInput"], country.alpha_2.lower()) and fullmatch(out, country.alpha_2)
    assert not fullmatch(SCHEMAS["countryCodeInput"], "NOR") and not fullmatch(SCHEMAS["countryCodeInput"], "N0")


@EXAMPLES
@given(st.one_of(st.sampled_from(["en-US", "EN-us", "nb-NO", "zh-Hant-TW", "sr-latn-rs", "de-CH-1996", "en-a-bbb-x-a-ccc"]),
                 st.text(alphabet="enUSaZh-1_", max_size=12)))
def test_locale_patterns_admit_every_tag_the_validation_accepts(value: str) -> None:
    canonical = locale_tag(value)
    if canonical is not None:
        assert fullmatch(SCHEMAS["localeInfoInput"]["properties"]["locale"]["oneOf"][0], value)
        assert fullmatch(SCHEMAS["localeInfo"]["properties"]["locale"]["oneOf"][0], canonical)


@EXAMPLES
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], max_codepoint=0x2FF), max_size=8)
       | st.text(alphabet="ab ~!", min_size=250, max_size=260))
def test_idempotency_key_pattern_is_the_functions_rule(value: str) -> None:
    """The header as it arrives (HTTP trims it): the pattern matches exactly the keys the function accepts."""
    value = value.strip(" \t")
    req = func.HttpRequest("POST", "http://h/api/me/profile/account", headers={"Idempotency-Key": value}, body=b"{}")
    rule = accepted(lambda _: _idempotent(Call(req, RequestIds("r", "r"))), None)
    assert fullmatch(DOC["components"]["parameters"]["idempotencyKey"]["schema"], value) == rule


# --- query options agree with shared.web.query ----------------------------------------------------


def test_query_options() -> None:
    params = DOC["components"]["parameters"]
    assert (params["top"]["schema"]["minimum"], params["top"]["schema"]["maximum"]) == (1, MAX_TOP)
    select = params["select"]["schema"]
    for name in ACCOUNT_PROPERTIES:
        assert fullmatch(select, name) and fullmatch(select, f"id, {name}")
    assert fullmatch(select, ",".join(sorted(ACCOUNT_PROPERTIES)))
    for bad in ("foo", "id,foo", "", "ID", "id,"):
        assert not fullmatch(select, bad)
    listed = DOC["paths"]["/me/profile/account"]["get"]["parameters"]
    assert {p["$ref"].rsplit("/", 1)[1] for p in listed} == {"clientRequestId", "top", "select", "skiptoken"}


# --- response bodies agree with the models -----------------------------------------------------------


def test_account_response_schema_has_every_property_in_wire_order() -> None:
    full = SCHEMAS["userAccountInformation"]
    assert full["required"] == list(full["properties"])
    assert set(full["required"]) == set(READ_ONLY_PROPERTIES) | set(WRITABLE_PROPERTIES) == ACCOUNT_PROPERTIES
    assert full["additionalProperties"] is False
    assert SCHEMAS["userAccountInformationSelection"]["required"] == ["id"]


@pytest.mark.parametrize("body", [
    {"allowedAudiences": "Organization, ME", "countryCode": "no"},
    {"preferredLanguageTag": {"locale": "EN-us", "displayName": "English"}, "inference": {"confidenceScore": 1},
     "source": {"type": "User"}, "isSearchable": True, "@odata.type": ODATA_TYPE},
    {"preferredLanguageTag": {}, "inference": {"userHasVerifiedAccuracy": False}},
])
def test_a_real_account_body_matches_the_response_schema(body: dict) -> None:
    who = IdentitySet(user=Identity(id="6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6", displayName="Adele Vance"))
    stamp = "2026-01-02T03:04:05.1234560Z"
    account = Account(**dict(validate_account_create(body)), id="0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f",
                      createdDateTime=stamp, createdBy=who, lastModifiedDateTime=stamp, lastModifiedBy=who)
    wire = account_wire(account, "adele@contoso.test", None)
    validator("#/components/schemas/userAccountInformation").validate(wire)
    assert list(wire) == SCHEMAS["userAccountInformation"]["required"]
    validator("#/components/schemas/accountCollection").validate({"value": [wire, {"id": wire["id"]}]})
    with pytest.raises(Exception):
        validator("#/components/schemas/userAccountInformation").validate({**wire, "_etag": "x"})
