"""Every Bicep file parses with pycep-parser 0.7.1, and the modules are wired consistently.

The Bicep CLI is not available here, so these checks stand in for `bicep build`: syntax, module
paths, module parameters and the module outputs main.bicep reads.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.infra.bicep_support import INFRA, MAIN, accessor, bicep_files, body, parse, walk

EXPECTED_MODULES = {
    "identity.bicep",
    "storage.bicep",
    "monitoring.bicep",
    "cosmos.bicep",
    "cosmos-rbac.bicep",
    "rbac.bicep",
    "entra.bicep",
    "directory.bicep",
    "api.bicep",
    "auth.bicep",
    "entra-explorer.bicep",
}
#: Modules main.bicep uses more than once: storage for the host and, apart, for the deployment package.
REUSED_MODULES = {"storage.bicep": 2}
#: Modules another module uses (not main.bicep): the module that uses each, and the symbol.
NESTED_MODULES = {"entra-preauthorization.bicep": ("entra.bicep", "preAuthorization")}


def test_the_infra_files_exist():
    names = {p.name for p in (INFRA / "app").glob("*.bicep")}
    assert names == EXPECTED_MODULES | set(NESTED_MODULES)
    assert MAIN.is_file()


@pytest.mark.parametrize("nested", sorted(NESTED_MODULES))
def test_nested_modules_are_used_once_with_their_declared_parameters(nested):
    parent_name, symbol = NESTED_MODULES[nested]
    parent = INFRA / "app" / parent_name
    modules = parse(parent)["modules"]
    assert [m["detail"]["path"] for m in modules.values()] == [f"./{nested}"]
    declared = parse(INFRA / "app" / nested)["parameters"]
    assert set(body(modules[symbol])["params"]) == set(declared)


@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: str(p.relative_to(INFRA)))
def test_parses_with_pycep(path):
    parsed = parse(path)  # raises on any syntax pycep-parser 0.7.1 does not accept
    assert parsed.get("resources") or parsed.get("modules"), f"{path.name} declares nothing"


def _modules():
    return parse(MAIN)["modules"]


def test_main_uses_every_module_once_and_storage_twice():
    paths = [m["detail"]["path"] for m in _modules().values()]
    expected = [f"./app/{name}" for name in EXPECTED_MODULES for _ in range(REUSED_MODULES.get(name, 1))]
    assert sorted(paths) == sorted(expected)


@pytest.mark.parametrize("symbol", sorted(parse(MAIN)["modules"]))
def test_module_parameters_match_declarations(symbol):
    module = _modules()[symbol]
    target = (MAIN.parent / module["detail"]["path"]).resolve()
    assert target.is_file(), module["detail"]["path"]
    declared = parse(target).get("parameters", {})
    passed = set(body(module)["params"])
    unknown = passed - set(declared)
    assert not unknown, f"{symbol}: parameters not declared by {target.name}: {sorted(unknown)}"
    required = {name for name, p in declared.items() if p.get("default") is None and "default" in p}
    missing = required - passed
    assert not missing, f"{symbol}: required parameters not passed: {sorted(missing)}"


def test_module_outputs_read_by_main_exist():
    modules = _modules()
    reads = {chain for chain in map(accessor, walk(parse(MAIN))) if chain is not None}
    reads |= set(re.findall(r"\$\{(\w+\.outputs\.\w+)\}", json.dumps(parse(MAIN))))
    checked = 0
    for chain in reads:
        parts = chain.split(".")
        if len(parts) == 3 and parts[1] == "outputs" and parts[0] in modules:
            target = (MAIN.parent / modules[parts[0]]["detail"]["path"]).resolve()
            assert parts[2] in parse(target).get("outputs", {}), f"{chain}: {target.name} has no such output"
            checked += 1
    assert checked >= 10  # main.bicep reads many module outputs; zero would mean the walk is broken


def test_abbreviations_holds_only_the_keys_used():
    abbreviations = json.loads((INFRA / "abbreviations.json").read_text())
    used = set(re.findall(r"\babbrs\.(\w+)", json.dumps(parse(MAIN))))
    assert used == set(abbreviations)


def test_parameters_file_matches_main():
    declared = parse(MAIN)["parameters"]
    given = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert set(given) <= set(declared), sorted(set(given) - set(declared))
    required = {name for name, p in declared.items() if p.get("default") is None}
    assert required <= set(given)
    assert given["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert given["location"]["value"] == "${AZURE_LOCATION}"
