"""Parameters that become app settings carry the bounds the app checks at start-up, so a value the
app would refuse fails at provisioning instead of leaving a deployed app that cannot start; and the
Flex Consumption concurrency is one bounded knob feeding both places that must agree."""

from __future__ import annotations

import json

import pytest

from tests.infra.bicep_support import INFRA, MAIN, body, decorators, function, module_path, only, parse, variable
from tests.infra.settings_bounds import bounds

API = module_path("api.bicep")

#: Bicep parameter -> the app setting it becomes (contract §7).
BOUNDED_LIMITS = {
    "maxBodyBytes": "MAX_BODY_BYTES",
    "maxBatchBodyBytes": "MAX_BATCH_BODY_BYTES",
    "maxFacetsPerUser": "MAX_FACETS_PER_USER",
    "maxResponseBytes": "MAX_RESPONSE_BYTES",
    "maxStoredBytesPerUser": "MAX_STORED_BYTES_PER_USER",
}


@pytest.mark.parametrize("path", [MAIN, API], ids=lambda p: p.name)
@pytest.mark.parametrize(("param", "setting"), sorted(BOUNDED_LIMITS.items()))
def test_limits_are_bounded_exactly_as_the_settings(path, param, setting):
    declared = decorators(parse(path)["parameters"][param])
    low, high = bounds(setting)
    assert (declared.get("min_value"), declared.get("max_value")) == (low, high), f"{path.name}: {param}"


def test_limit_defaults_lie_within_the_bounds():
    params = parse(MAIN)["parameters"]
    for param, setting in BOUNDED_LIMITS.items():
        low, high = bounds(setting)
        assert low <= params[param]["default"] <= high


def test_directory_parameter():
    for path in (MAIN, API):
        declared = decorators(parse(path)["parameters"]["directory"])
        assert sorted(declared["allowed"]) == ["graph", "local"], path.name
    assert parse(MAIN)["parameters"]["directory"]["default"] == "graph"  # what the infrastructure deploys
    assert parse(MAIN)["parameters"]["graphEndpoint"]["default"] == "https://graph.microsoft.com"
    given = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert given["directory"]["value"] == "${DIRECTORY=graph}"
    assert given["graphEndpoint"]["value"] == "${GRAPH_ENDPOINT=https://graph.microsoft.com}"
    api = body(parse(MAIN)["modules"]["api"])["params"]
    assert api["directory"] == "directory" and api["graphEndpoint"] == "graphEndpoint"
    settings = variable(API, "appSettings")
    assert settings["DIRECTORY"] == "directory" and settings["GRAPH_ENDPOINT"] == "graphEndpoint"


# --- Python concurrency on Flex Consumption ----------------------------------------------------


def test_http_concurrency_is_one_bounded_parameter():
    for path in (MAIN, API):
        param = parse(path)["parameters"]["httpPerInstanceConcurrency"]
        assert param["default"] == 16, path.name
        declared = decorators(param)
        assert (declared.get("min_value"), declared.get("max_value")) == (1, 100), path.name
    assert body(parse(MAIN)["modules"]["api"])["params"]["httpPerInstanceConcurrency"] == "httpPerInstanceConcurrency"
    given = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert given["httpPerInstanceConcurrency"]["value"] == "${HTTP_PER_INSTANCE_CONCURRENCY=16}"


def test_per_instance_concurrency_and_worker_threads_agree():
    """Flex takes HTTP concurrency from functionAppConfig (its Python default is 1); the synchronous
    functions each hold one worker thread, so the thread pool matches it exactly."""
    scale = only(API, "Microsoft.Web/sites")["properties"]["functionAppConfig"]["scaleAndConcurrency"]
    assert scale["triggers"] == {"http": {"perInstanceConcurrency": "httpPerInstanceConcurrency"}}
    settings = variable(API, "appSettings")
    assert function(settings["PYTHON_THREADPOOL_THREAD_COUNT"]) == ("string", ["httpPerInstanceConcurrency"])


def test_no_concurrency_settings_flex_does_not_honour():
    settings = variable(API, "appSettings")
    text = (INFRA / "app" / "api.bicep").read_text() + (INFRA / "main.bicep").read_text()
    for name in (
        "FUNCTIONS_WORKER_PROCESS_COUNT",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
    ):
        assert name not in settings
    assert "maxConcurrentRequests" not in text and "preWarmedInstanceCount" not in text
