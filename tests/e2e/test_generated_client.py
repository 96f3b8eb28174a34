"""A Python client generated from the OpenAPI document with openapi-python-client, used against the local host.

The client is generated offline (from the document written to a file; post-generation hooks off; proxies
pointed at a closed port, so a network fetch would fail), imported from a temporary folder, and used as a
caller would: every collection's facet created and read back through the generated functions, with the
generated models. Its types are the document's: one model per Graph type (`SkillProficiency`,
`SkillProficiencyWrite`, `SkillProficiencyCollectionResponse`) and one error model, `OdataError`, for
every error of every operation.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.facets.catalog import FACET_TYPES
from shared.facets.kinds import Complex, Enum, ListOf
from shared.facets.model import FacetType
from shared.openapi import document
from tests.functions.helpers import TABLE
from tests.support.facet_bodies import full_body
from tests.support.identity import TEST_OID

PACKAGE = "profile_api_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = f"post_hooks: []\nproject_name_override: profile-api-client\npackage_name_override: {PACKAGE}\n"
#: Any network access by the generator would go through this closed port and fail.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
MISSING_ID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def pascal(name: str) -> str:
    return name[0].upper() + name[1:]


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[types.ModuleType]:
    """The generated package, importable for the module's tests (removed from sys.path and sys.modules after)."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "openapi.json").write_text(json.dumps(document(TABLE)), encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    command = [
        str(GENERATOR),
        "generate",
        "--path",
        "openapi.json",
        "--config",
        "config.yaml",
        "--meta",
        "none",
        "--output-path",
        PACKAGE,
        "--fail-on-warning",
    ]
    env = {"PATH": str(GENERATOR.parent) + ":/usr/bin:/bin", "HOME": str(folder), **OFFLINE}
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def operation(package: types.ModuleType, facet_type: FacetType, action: str, who: str) -> Any:
    """The generated module of operation `{collection}_{action}_{who}` (under the collection's tag)."""
    name = f"{facet_type.collection}_{action}_{who}"
    return importlib.import_module(f"{package.__name__}.api.{snake(facet_type.collection)}.{snake(name)}")


def model(package: types.ModuleType, name: str) -> type:
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_the_generated_models_are_the_graph_types(client_package: types.ModuleType) -> None:
    """A model per facet type (read, write, page), per complex type and per enum; one error model."""
    models = importlib.import_module(f"{PACKAGE}.models")
    names = set(models.__all__)
    for facet_type in FACET_TYPES:
        base = pascal(facet_type.type_name)
        assert {base, f"{base}Write", f"{base}CollectionResponse"} <= names, base
        for name, kind in facet_type.properties.items():
            inner = kind.item if isinstance(kind, ListOf) else kind
            if isinstance(inner, Complex):
                assert pascal(inner.type.name) in names, (base, name)
            elif isinstance(inner, Enum):
                assert pascal(inner.name) in names, (base, name)
    errors = {name for name in names if "error" in name.lower()}
    assert errors == {"OdataError", "OdataErrorError", "OdataErrorErrorDetailsItem", "OdataErrorErrorInnerError"}
    assert {"Profile", "ProfileWrite"} <= names


@pytest.mark.parametrize(
    "action, success",
    [
        ("create", "{}"),
        ("list", "{}CollectionResponse"),
        ("get", "{}"),
        ("update", "{}"),
        ("delete", None),
    ],
)
def test_every_operation_returns_its_facet_type_or_the_one_error_type(
    client_package: types.ModuleType, action: str, success: str | None
) -> None:
    error = model(client_package, "OdataError")
    for facet_type in FACET_TYPES:
        for who in ("me", "user"):
            returned = set(
                typing.get_args(
                    inspect.signature(operation(client_package, facet_type, action, who).sync).return_annotation
                )
            )
            expected = {
                error,
                type(None),
                model(client_package, success.format(pascal(facet_type.type_name))) if success else Any,
            }
            assert returned == expected, (facet_type.collection, action, who)


@pytest.mark.timeout(300)
def test_every_collection_round_trips_through_the_generated_client(
    sqlite_api: Any, identity: Any, client_package: types.ModuleType
) -> None:
    """Create a facet of every collection with its generated write model, read it back (me and users/{oid},
    one and the page), each as its generated facet type; errors come back as the one error type."""
    client = client_package.AuthenticatedClient(base_url=sqlite_api.url, token=identity.mint(), timeout=30.0)
    error = model(client_package, "OdataError")
    for facet_type in FACET_TYPES:
        name = pascal(facet_type.type_name)
        read, write, body = model(client_package, name), model(client_package, f"{name}Write"), full_body(facet_type)

        created = operation(client_package, facet_type, "create", "me").sync_detailed(
            client=client, body=write.from_dict(body)
        )
        assert created.status_code == 201, created.content
        assert type(created.parsed) is read, (facet_type.collection, type(created.parsed))
        wire = json.loads(created.content)
        facet = created.parsed.to_dict()
        for each in facet_type.writable:
            assert wire[each] == facet[each] == body[each], (facet_type.collection, each)

        mine = operation(client_package, facet_type, "get", "me").sync(client=client, id=created.parsed.id)
        theirs = operation(client_package, facet_type, "get", "user").sync(
            user=TEST_OID, client=client, id=created.parsed.id
        )
        assert type(mine) is read and type(theirs) is read
        assert mine.to_dict() == theirs.to_dict() == facet

        page = operation(client_package, facet_type, "list", "me").sync(client=client, count=True)
        assert type(page) is model(client_package, f"{name}CollectionResponse")
        listed = [item.to_dict() for item in page.value if item.id == created.parsed.id]
        assert listed == [{key: value for key, value in facet.items() if key != "@odata.context"}]
        assert all(type(item) is read for item in page.value) and page.odata_count == len(page.value)

        missing = operation(client_package, facet_type, "get", "me").sync(client=client, id=MISSING_ID)
        assert type(missing) is error and missing.error.code == "itemNotFound"
        refused = operation(client_package, facet_type, "list", "user").sync(
            user=TEST_OID, client=client, select="notAProperty"
        )
        assert type(refused) is error and refused.error.code == "invalidRequest"
