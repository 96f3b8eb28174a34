"""One set of setting names (contract §7): the code, the Bicep app settings, the Bicep outputs
(which azd turns into environment values) and the local-settings script agree."""

from __future__ import annotations

import ast

from shared.settings import SETTING_NAMES
from tests.infra.bicep_support import MAIN, ROOT, module_path, parse, variable

#: Read by the code but deliberately never set in Azure.
LOCAL_ONLY = {
    "PROFILE_SQLITE_PATH",  # the embedded SQLite store is for local runs; Azure uses PROFILE_STORE=cosmos
    "COSMOS_KEY",  # emulator key only; in Azure the identity authenticates (keys are disabled)
    "PORT",  # the local host's port; the Functions host picks its own
}
#: App settings read by the platform (Functions host, Application Insights, the Python worker), not by our code.
PLATFORM_PREFIXES = ("AzureWebJobsStorage__", "APPLICATIONINSIGHTS_", "PYTHON_THREADPOOL_THREAD_COUNT")
#: Set in Azure but never an azd output: azd writes outputs into `azd env get-values`, which shells
#: load, and AZURE_CLIENT_ID there would point every DefaultAzureCredential at the app's identity.
NOT_OUTPUT = {"AZURE_CLIENT_ID"}
#: Outputs azd itself, the deploy docs and scripts rely on.
AZD_OUTPUTS = {
    "AZURE_LOCATION",
    "AZURE_TENANT_ID",
    "AZURE_RESOURCE_GROUP",
    "AZURE_FUNCTION_NAME",
    "AZURE_FUNCTION_URL",
    "ENTRA_API_CLIENT_ID",
    "ENTRA_API_IDENTIFIER_URI",
    "API_IDENTITY_CLIENT_ID",
}


def app_settings() -> set[str]:
    return set(variable(module_path("api.bicep"), "appSettings"))


def test_every_setting_the_code_reads_is_set_in_azure():
    missing = set(SETTING_NAMES) - LOCAL_ONLY - app_settings()
    assert not missing, f"read by the code but not set by infra/app/api.bicep: {sorted(missing)}"


def test_every_app_setting_is_known():
    unknown = {name for name in app_settings() if name not in SETTING_NAMES and not name.startswith(PLATFORM_PREFIXES)}
    assert not unknown, f"set by the Bicep but read by neither the code nor the platform: {sorted(unknown)}"


def test_local_only_settings_are_never_set_in_azure():
    assert set(SETTING_NAMES) >= LOCAL_ONLY, "the allow-list names a setting the code no longer reads"
    assert not LOCAL_ONLY & app_settings()


def test_outputs_expose_the_settings_under_the_same_names():
    outputs = set(parse(MAIN)["outputs"])
    product = set(SETTING_NAMES) - LOCAL_ONLY - NOT_OUTPUT
    assert product <= outputs, sorted(product - outputs)
    assert outputs >= AZD_OUTPUTS, sorted(AZD_OUTPUTS - outputs)
    assert not outputs - product - AZD_OUTPUTS, sorted(outputs - product - AZD_OUTPUTS)
    assert all(parse(MAIN)["outputs"][name]["type"] == "string" for name in product)


def test_outputs_and_app_settings_carry_the_same_values():
    """Each product output is fed from the same source as the app setting of that name."""
    outputs = parse(MAIN)["outputs"]
    api_params = parse(MAIN)["modules"]["api"]["config"]["params"]
    settings = variable(module_path("api.bicep"), "appSettings")
    assert outputs["PROFILE_STORE"]["value"] == settings["PROFILE_STORE"] == "cosmos"
    for setting, param in (
        ("ENTRA_AUDIENCES", "entraAudiences"),
        ("ENTRA_AUTHORITY", "entraAuthority"),
        ("COSMOS_ENDPOINT", "cosmosEndpoint"),
        ("COSMOS_DATABASE", "cosmosDatabase"),
        ("COSMOS_CONTAINER", "cosmosContainer"),
        ("ENTRA_TENANT_ID", "entraTenantId"),
    ):
        assert settings[setting] == param
        assert outputs[setting]["value"] == api_params[param], setting
    for setting, param in (("DIRECTORY", "directory"), ("GRAPH_ENDPOINT", "graphEndpoint")):
        assert settings[setting] == param
        assert outputs[setting]["value"] == api_params[param] == param, setting
    # The identity: AZURE_CLIENT_ID in the app (azure-identity reads it there), another name as output.
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert outputs["API_IDENTITY_CLIENT_ID"]["value"] == api_params["identityClientId"]


def test_no_output_redirects_azure_identity_in_a_shell():
    """`azd env get-values` lands in shells; none of its names may steer azure-identity there."""
    outputs = set(parse(MAIN)["outputs"])
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_USERNAME",
        "AZURE_TOKEN_CREDENTIALS",
    ):
        assert name not in outputs


def test_limits_default_to_the_contract():
    params = parse(MAIN)["parameters"]
    assert params["maxBodyBytes"]["default"] == 65536
    assert params["maxBatchBodyBytes"]["default"] == 2097152
    assert params["maxFacetsPerUser"]["default"] == 100
    assert params["maxResponseBytes"]["default"] == 4194304
    assert params["maxStoredBytesPerUser"]["default"] == 8388608


def test_local_settings_script_uses_the_contract_names():
    tree = ast.parse((ROOT / "scripts" / "write_local_settings.py").read_text())
    names = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "AZD_SETTINGS"
    )
    # AZURE_CLIENT_ID names the managed identity, which exists only in Azure (and is no output).
    assert set(names) == set(SETTING_NAMES) - LOCAL_ONLY - NOT_OUTPUT
