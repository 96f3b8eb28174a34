"""The minimum toolchain: the Microsoft Graph Bicep extension the infra uses needs Bicep 0.36.1, which
azd fetches from 1.17.0 on; azure.yaml makes an older azd stop with a message naming the range."""

from __future__ import annotations

import json
import re

import yaml

from tests.infra.bicep_support import INFRA, ROOT

#: The Graph extension and the oldest Bicep Microsoft documents for it (Graph Bicep "what's new", July 2025).
GRAPH_EXTENSION = "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0"
MINIMUM_BICEP = "0.36.1"
#: The first azd release whose bundled Bicep is 0.36.1 (azd CHANGELOG 1.17.0: "Update Bicep CLI to v0.36.1").
MINIMUM_AZD = (1, 17, 0)


def _azure_yaml() -> dict:
    loaded: dict = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    return loaded


def test_the_graph_extension_is_the_one_the_minimum_was_looked_up_for():
    config = json.loads((INFRA / "bicepconfig.json").read_text(encoding="utf-8"))
    assert set(config["extensions"].values()) == {GRAPH_EXTENSION}


def test_azure_yaml_requires_an_azd_that_fetches_bicep_0_36_1():
    required = _azure_yaml()["requiredVersions"]
    assert set(required) == {"azd"}, "azd's schema allows only azd and extensions here (no bicep key)"
    found = re.fullmatch(r">=\s*(\d+)\.(\d+)\.(\d+)", required["azd"])
    assert found, f"a plain lower bound azd's semver range parser reads: {required['azd']!r}"
    assert tuple(map(int, found.groups())) >= MINIMUM_AZD


def test_readme_and_deploy_guide_state_the_minimum():
    for path in (ROOT / "README.md", ROOT / "docs" / "deploy.md"):
        text = path.read_text(encoding="utf-8")
        assert "azd 1.17.0" in text or "`azd` **1.17.0" in text, path.name
        assert f"Bicep {MINIMUM_BICEP}" in text, path.name
