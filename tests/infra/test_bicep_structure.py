"""Structural assertions on the Bicep, read through the parser: the security and platform
settings the deployment depends on (what checkov does not check, or checks only loosely)."""

from __future__ import annotations

import json
import re

from tests.infra.bicep_support import (
    INFRA,
    MAIN,
    ROOT,
    accessor,
    body,
    condition,
    function,
    loop,
    module_path,
    only,
    parse,
    resources,
    variable,
)

API = module_path("api.bicep")
AUTH = module_path("auth.bicep")
COSMOS = module_path("cosmos.bicep")
COSMOS_RBAC = module_path("cosmos-rbac.bicep")
ENTRA = module_path("entra.bicep")
ENTRA_PREAUTHORIZATION = module_path("entra-preauthorization.bicep")
ENTRA_EXPLORER = module_path("entra-explorer.bicep")
MONITORING = module_path("monitoring.bicep")
RBAC = module_path("rbac.bicep")
STORAGE = module_path("storage.bicep")

STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002"


def _all_text() -> str:
    return "\n".join(p.read_text() for p in sorted(INFRA.rglob("*.bicep")))


# --- main.bicep: azd conventions -------------------------------------------------------------


def test_main_follows_azd_conventions():
    main = parse(MAIN)
    assert main["globals"]["scope"]["value"] == "subscription"
    location = main["parameters"]["location"]
    metadata = [d["argument"] for d in location["decorators"] if d["type"] == "metadata"]
    assert metadata == [{"azd": {"type": "location"}}]
    assert main["parameters"]["environmentName"]["default"] is None
    token = json.dumps(variable(MAIN, "resourceToken"))
    assert function(variable(MAIN, "resourceToken"))[0] == "to_lower"
    for part in ("unique_string", "subscription", "environmentName", "location"):
        assert part in token
    assert variable(MAIN, "tags") == {"'azd-env-name'": "environmentName"}


def test_optional_developer_data_role_defaults_to_none():
    assert parse(MAIN)["parameters"]["principalId"]["default"] == ""
    developer = resources(COSMOS_RBAC)["developerDataContributor"]
    assert condition(developer) is not None  # deployed only when a developer principal is given


# --- Function app on Flex Consumption --------------------------------------------------------


def test_plan_is_flex_consumption():
    plan = only(API, "Microsoft.Web/serverfarms")
    assert plan["sku"] == {"tier": "FlexConsumption", "name": "FC1"}
    assert plan["properties"]["reserved"] is True


def test_site_is_hardened():
    site = only(API, "Microsoft.Web/sites")
    props = site["properties"]
    assert props["httpsOnly"] is True
    assert props["siteConfig"]["minTlsVersion"] == "1.2"
    assert props["siteConfig"]["ftpsState"] == "Disabled"
    assert props["siteConfig"]["http20Enabled"] is True
    assert site["kind"] == "functionapp,linux"
    assert site["identity"]["type"] == "UserAssigned"
    assert "linuxFxVersion" not in json.dumps(site)
    assert json.dumps(site["tags"]).count("'azd-service-name'") == 1


def test_basic_publishing_credentials_are_disabled():
    policies = resources(API, "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert sorted(body(p)["name"] for p in policies.values()) == ["ftp", "scm"]
    assert all(body(p)["properties"]["allow"] is False for p in policies.values())


def test_function_app_config():
    config = only(API, "Microsoft.Web/sites")["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    storage = config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["authentication"] == {"type": "UserAssignedIdentity", "userAssignedIdentityResourceId": "identityId"}
    # The package comes from the deployment account, not from host storage.
    assert storage["value"] == "${deploymentStorage.properties.primaryEndpoints.blob}${deploymentContainerName}"
    existing = parse(API)["resources"]
    assert existing["deploymentStorage"]["existing"] is True
    assert body(existing["deploymentStorage"])["name"] == "deploymentStorageAccountName"
    scale = config["scaleAndConcurrency"]
    assert scale["instanceMemoryMB"] == "instanceMemoryMB"
    assert scale["maximumInstanceCount"] == "maximumInstanceCount"


def test_always_ready_only_when_requested():
    scale = only(API, "Microsoft.Web/sites")["properties"]["functionAppConfig"]["scaleAndConcurrency"]
    ternary = scale["alwaysReady"]["operator"]
    assert ternary["type"] == "conditional"
    cond = ternary["operands"]["condition"]["operator"]
    assert cond == {"type": "greater_than", "operands": {"operand_1": "alwaysReadyInstances", "operand_2": 0}}
    assert ternary["operands"]["false_value"] == []
    assert variable(API, ternary["operands"]["true_value"]) == [
        {"name": "http", "instanceCount": "alwaysReadyInstances"}
    ]
    assert parse(API)["parameters"]["alwaysReadyInstances"]["default"] == 0
    assert parse(MAIN)["parameters"]["alwaysReadyInstances"]["default"] == 0


def test_app_settings_are_identity_based():
    settings = variable(API, "appSettings")
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert accessor(settings["AzureWebJobsStorage__blobServiceUri"]) == "storage.properties.primaryEndpoints.blob"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "ClientId=${identityClientId};Authorization=AAD"
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert settings["PROFILE_STORE"] == "cosmos"
    for name in (
        "FUNCTIONS_WORKER_RUNTIME",
        "WEBSITE_RUN_FROM_PACKAGE",
        "FUNCTIONS_EXTENSION_VERSION",
        "AzureWebJobsStorage",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    ):
        assert name not in settings
    # The site applies exactly this object.
    app_settings = only(API, "Microsoft.Web/sites")["properties"]["siteConfig"]["appSettings"]
    assert function(app_settings["loop_type"]["detail"]["array_name"]) == ("items", ["appSettings"])


def test_no_keys_or_secrets_anywhere():
    text = _all_text()
    assert not re.search(r"\blist\w*\(", text), "listKeys()/listConnectionStrings() must not be used"
    for word in ("COSMOS_KEY", "AccountKey=", "primaryMasterKey", "clientSecret", "@secure"):
        assert word not in text


# --- Storage ---------------------------------------------------------------------------------


def test_storage_refuses_shared_keys_and_anonymous_access():
    props = only(STORAGE, "Microsoft.Storage/storageAccounts")["properties"]
    assert props["allowSharedKeyAccess"] is False
    assert props["allowBlobPublicAccess"] is False
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    container = only(STORAGE, "Microsoft.Storage/storageAccounts/blobServices/containers")
    assert container["properties"]["publicAccess"] == "None"
    (declaration,) = resources(STORAGE, "Microsoft.Storage/storageAccounts/blobServices/containers").values()
    assert loop(declaration) == {"item_name": "containerName", "array_name": "containerNames"}


def test_deployment_package_has_its_own_storage_account():
    """Host storage and the package container are separate accounts, so the runtime identity's
    Owner role on host storage never covers its own deployment package."""
    modules = parse(MAIN)["modules"]
    host, package = body(modules["storage"])["params"], body(modules["deploymentStorage"])["params"]
    for symbol in ("storage", "deploymentStorage"):
        assert modules[symbol]["detail"]["path"] == "./app/storage.bicep"
    assert "containerNames" not in host  # the host creates its own containers
    assert package["name"] == "deploymentStorageName" != host["name"]
    assert variable(MAIN, "deploymentStorageName") == "${abbrs.storageStorageAccounts}pkg${resourceToken}"
    assert package["containerNames"] == ["deploymentContainerName"]
    assert package["blobVersioning"] is True  # an overwritten package can be restored
    blob_service = only(STORAGE, "Microsoft.Storage/storageAccounts/blobServices")
    assert blob_service["properties"]["isVersioningEnabled"] == "blobVersioning"
    api = body(modules["api"])["params"]
    assert accessor(api["storageAccountName"]) == "storage.outputs.name"
    assert accessor(api["deploymentStorageAccountName"]) == "deploymentStorage.outputs.name"


# --- Role assignments ------------------------------------------------------------------------


def test_azure_role_assignments_are_the_minimum():
    assignments = {n: body(r) for n, r in resources(RBAC, "Microsoft.Authorization/roleAssignments").items()}
    by_role = {}
    for res in assignments.values():
        fn, args = function(res["properties"]["roleDefinitionId"])
        assert fn == "subscription_resource_id" and args[0] == "Microsoft.Authorization/roleDefinitions"
        by_role[variable(RBAC, args[1])] = res
        assert res["properties"]["principalType"] == "ServicePrincipal"
        assert res["properties"]["principalId"] == "principalId"
        fn, args = function(res["name"])
        assert fn == "guid" and accessor(args[0]) == f"{res['scope']}.id" and args[1] == "principalId"
    assert set(by_role) == {STORAGE_BLOB_DATA_OWNER, STORAGE_BLOB_DATA_CONTRIBUTOR, MONITORING_METRICS_PUBLISHER}
    assert by_role[STORAGE_BLOB_DATA_OWNER]["scope"] == "storage"
    assert by_role[MONITORING_METRICS_PUBLISHER]["scope"] == "applicationInsights"
    # The package: read and write on its container only, never Owner, never account-wide.
    assert by_role[STORAGE_BLOB_DATA_CONTRIBUTOR]["scope"] == "deploymentContainer"
    existing = parse(RBAC)["resources"]
    assert existing["storage"]["type"] == "Microsoft.Storage/storageAccounts"
    assert body(existing["storage"])["name"] == "storageAccountName"
    assert body(existing["deploymentStorage"])["name"] == "deploymentStorageAccountName"
    chain = [
        ("deploymentContainer", "deploymentBlobService", "deploymentContainerName"),
        ("deploymentBlobService", "deploymentStorage", "default"),
    ]
    for symbol, parent, name in chain:
        assert existing[symbol]["existing"] is True
        assert body(existing[symbol])["parent"] == parent and body(existing[symbol])["name"] == name
    assert existing["deploymentContainer"]["type"] == "Microsoft.Storage/storageAccounts/blobServices/containers"
    assert existing["applicationInsights"]["type"] == "Microsoft.Insights/components"
    rbac = body(parse(MAIN)["modules"]["rbac"])["params"]
    assert accessor(rbac["storageAccountName"]) == "storage.outputs.name"
    assert accessor(rbac["deploymentStorageAccountName"]) == "deploymentStorage.outputs.name"
    assert rbac["deploymentContainerName"] == "deploymentContainerName"
    # No queue/table roles: no queue or durable triggers.
    text = _all_text()
    assert "974c5e8b-45b9-4653-ba55-5f855dd0fb88" not in text
    assert "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3" not in text


def test_cosmos_data_role_assignments():
    """Built-in Data Contributor at account scope, as Microsoft's azd template scopes it: the SDK's
    account read (GET /) is covered, and the account exists for this app alone."""
    assert variable(COSMOS_RBAC, "dataContributorRoleId") == COSMOS_DATA_CONTRIBUTOR
    assert variable(COSMOS_RBAC, "roleDefinitionId") == "${account.id}/sqlRoleDefinitions/${dataContributorRoleId}"
    assert variable(COSMOS_RBAC, "dataScopePath") == "/"
    assert "databaseScope" not in parse(COSMOS_RBAC).get("variables", {})
    assert "databaseName" not in parse(COSMOS_RBAC)["parameters"]
    assignments = resources(COSMOS_RBAC, "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")
    assert set(assignments) == {"appDataContributor", "developerDataContributor"}
    for res in map(body, assignments.values()):
        principal = res["properties"]["principalId"]
        assert res["properties"]["roleDefinitionId"] == "roleDefinitionId"
        assert accessor(res["properties"]["scope"]) == "account.id"
        fn, args = function(res["name"])
        assert fn == "guid" and args[0] == "dataContributorRoleId" and args[1] == principal
        assert accessor(args[2]) == "account.id" and args[3] == "dataScopePath"
    assert body(assignments["appDataContributor"])["properties"]["principalId"] == "principalId"
    # The account the role covers is this app's alone: one database, one container.
    assert len(resources(COSMOS, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases")) == 1
    assert len(resources(COSMOS, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")) == 1


# --- Monitoring ------------------------------------------------------------------------------


def test_application_insights_accepts_only_entra_ingestion():
    props = only(MONITORING, "Microsoft.Insights/components")["properties"]
    assert props["DisableLocalAuth"] is True
    assert accessor(props["WorkspaceResourceId"]) == "logAnalytics.id"


# --- Cosmos DB -------------------------------------------------------------------------------


def test_cosmos_account_is_serverless_and_entra_only():
    props = only(COSMOS, "Microsoft.DocumentDB/databaseAccounts")["properties"]
    assert props["disableLocalAuth"] is True
    assert props["disableKeyBasedMetadataWriteAccess"] is True
    assert props["minimalTlsVersion"] == "Tls12"
    assert {"name": "EnableServerless"} in props["capabilities"]


def test_container_definition_comes_from_the_shared_json():
    load = function(variable(COSMOS, "containerDefinition"))
    assert load[0] == "load_json_content"
    source = (COSMOS.parent / load[1][0]).resolve()
    assert source == ROOT / "shared" / "repository" / "cosmos_container.json"
    definition = json.loads(source.read_text())
    resource = only(COSMOS, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")["properties"]["resource"]
    for key in ("partitionKey", "defaultTtl", "indexingPolicy"):
        assert key in definition
        assert accessor(resource[key]) == f"containerDefinition.{key}"
    # Serverless: no throughput may be configured.
    assert "throughput" not in json.dumps(resource) and "autoscale" not in _all_text().lower()


# --- Entra ID --------------------------------------------------------------------------------


def test_graph_extension_is_declared_and_configured():
    assert "microsoftGraphV1" in parse(ENTRA)["extensions"]
    config = json.loads((INFRA / "bicepconfig.json").read_text())
    assert config["extensions"]["microsoftGraphV1"] == "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0"


def test_app_registration():
    app = only(ENTRA, "Microsoft.Graph/applications")
    assert app["uniqueName"] == "uniqueName"
    assert app["identifierUris"] == ["identifierUri"]
    assert app["api"]["requestedAccessTokenVersion"] == 2
    scopes = variable(ENTRA, app["api"]["oauth2PermissionScopes"])
    roles = variable(ENTRA, app["appRoles"])
    assert [s["value"] for s in scopes] == [
        "User.Read",
        "User.ReadWrite",
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
    ]
    assert [r["value"] for r in roles] == ["User.Read.All", "User.ReadWrite.All"]
    assert all(r["allowedMemberTypes"] == ["Application"] and r["isEnabled"] is True for r in roles)
    admin_only = {s["type"] for s in scopes if s["value"].endswith(".All") and s["value"] != "User.ReadBasic.All"}
    assert admin_only == {"Admin"}
    # Stable ids from guid(); a scope and a role sharing a value share the id and texts (Entra rule).
    ids = {s["value"]: s["id"] for s in scopes}
    assert len(set(ids.values())) == len(ids)
    for name in ids.values():
        assert function(variable(ENTRA, name))[0] == "guid"
    for role in roles:
        scope = next(s for s in scopes if s["value"] == role["value"])
        assert role["id"] == scope["id"]
        assert role["displayName"] == scope["adminConsentDisplayName"]
        assert role["description"] == scope["adminConsentDescription"]
    sp = only(ENTRA, "Microsoft.Graph/servicePrincipals")
    assert accessor(sp["appId"]) == "application.appId"


def test_azure_cli_preauthorization_never_covers_all_scopes():
    pre = variable(ENTRA, "azureCliPreAuthorization")
    assert pre[0]["appId"] == "azureCliAppId"
    assert pre[0]["delegatedPermissionIds"] == ["readId", "readWriteId"]


def test_scopes_exist_before_a_request_pre_authorizes_them():
    """Graph refuses preAuthorizedApplications naming a scope created in the same request: the
    registration is created without it, and a later deployment adds it to the same registration."""
    first = only(ENTRA, "Microsoft.Graph/applications")
    assert "preAuthorizedApplications" not in first["api"]
    assert "preAuthorizedApplications" not in json.dumps(resources(ENTRA))
    module = parse(ENTRA)["modules"]["preAuthorization"]
    assert module["detail"]["path"] == "./entra-preauthorization.bicep"
    assert condition(module) is None, "always deployed, so turning the option off removes it"
    params = body(module)["params"]
    # Reading step 1's uniqueName makes step 2 wait for it (an implicit dependency).
    assert accessor(params["uniqueName"]) == "application.uniqueName"
    assert params["displayName"] == first["displayName"] == "displayName"
    assert params["oauth2PermissionScopes"] == first["api"]["oauth2PermissionScopes"] == "scopes"
    assert params["preAuthorizedApplications"] == {
        "operator": {
            "type": "conditional",
            "operands": {
                "condition": "preAuthorizeAzureCli",
                "true_value": "azureCliPreAuthorization",
                "false_value": [],
            },
        }
    }

    second = only(ENTRA_PREAUTHORIZATION, "Microsoft.Graph/applications")
    declared = parse(ENTRA_PREAUTHORIZATION)
    assert "microsoftGraphV1" in declared["extensions"]
    assert declared["resources"]["application"]["api_version"] == "v1.0"
    assert second["uniqueName"] == "uniqueName" and second["displayName"] == "displayName"
    # The whole api object of step 1 again, plus the pre-authorization: the same result whether
    # Graph merges the object or replaces it.
    assert {k: v for k, v in second["api"].items() if k != "preAuthorizedApplications"} == {
        **first["api"],
        "oauth2PermissionScopes": "oauth2PermissionScopes",
    }
    assert second["api"]["preAuthorizedApplications"] == "preAuthorizedApplications"
    assert set(second) == {"uniqueName", "displayName", "api"}, "nothing else of the registration is touched"


def test_the_explorer_signs_in_with_the_registration_on_the_apps_own_host_name():
    """The API explorer's OAuth redirect page is the registration's SPA redirect URI: added by a step after
    the function app (its host name is known only then), to the same registration, touching nothing else."""
    from shared.auth.sign_in import REDIRECT_PATH
    from shared.routing.prefix import route_prefix

    first = only(ENTRA, "Microsoft.Graph/applications")
    assert "spa" not in first, "step 1 leaves the SPA platform to step 3 (a redeploy keeps the URI)"
    third = only(ENTRA_EXPLORER, "Microsoft.Graph/applications")
    declared = parse(ENTRA_EXPLORER)
    assert "microsoftGraphV1" in declared["extensions"]
    assert declared["resources"]["application"]["api_version"] == "v1.0"
    assert set(third) == {"uniqueName", "displayName", "spa"}, "nothing else of the registration is touched"
    assert third["spa"] == {"redirectUris": "redirectUris"}

    module = parse(MAIN)["modules"]["entraExplorer"]
    assert module["detail"]["path"] == "./app/entra-explorer.bicep" and condition(module) is None
    params = body(module)["params"]
    step1 = body(parse(MAIN)["modules"]["entra"])["params"]
    assert params["uniqueName"] == step1["uniqueName"] == "apiUniqueName"
    assert params["displayName"] == step1["displayName"] == "apiDisplayName"
    # The app's real host name (reading the api module's output also orders this step after it, and so
    # after the registration the app's settings name).
    assert params["redirectUris"] == [f"https://${{api.outputs.defaultHostName}}/{route_prefix()}/{REDIRECT_PATH}"]
    assert "output defaultHostName string = site.properties.defaultHostName" in API.read_text()


def test_azure_cli_preauthorization_is_on_by_default():
    assert parse(ENTRA)["parameters"]["preAuthorizeAzureCli"]["default"] is True
    assert parse(MAIN)["parameters"]["preAuthorizeAzureCli"]["default"] is True
    assert body(parse(MAIN)["modules"]["entra"])["params"]["preAuthorizeAzureCli"] == "preAuthorizeAzureCli"


def test_identifier_uri_is_known_before_creation():
    uri = variable(MAIN, "apiIdentifierUri")
    assert uri == "api://${tenant().tenantId}/${apiUniqueName}"
    assert variable(MAIN, "apiUniqueName").startswith("profile-api-")


def test_easy_auth_requires_a_token():
    auth = only(AUTH, "Microsoft.Web/sites/config")
    assert auth["name"] == "authsettingsV2"
    props = auth["properties"]
    assert props["platform"]["enabled"] is True
    assert props["globalValidation"]["requireAuthentication"] is True
    assert props["globalValidation"]["unauthenticatedClientAction"] == "Return401"
    aad = props["identityProviders"]["azureActiveDirectory"]
    assert aad["enabled"] is True
    assert aad["registration"]["clientId"] == "clientId"
    issuer = "${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0"
    assert aad["registration"]["openIdIssuer"] == issuer
    assert aad["validation"]["allowedAudiences"] == ["clientId", "identifierUri"]
    assert props["login"]["tokenStore"]["enabled"] is False
    assert "clientSecret" not in json.dumps(auth)


def test_easy_auth_lets_only_the_anonymous_routes_through_without_a_token():
    """Easy Auth would answer 401 to the routes the route table serves without a token; every other path
    keeps needing one. The excluded paths are exactly the anonymous rows of the deployed table (no
    development issuer; the catch-all answers only 404/405 and stays behind Easy Auth)."""
    from functions.fallback import FUNCTION_NAME
    from functions.routes import build_table
    from shared.routing.prefix import route_prefix
    from shared.routing.table import Access

    validation = only(AUTH, "Microsoft.Web/sites/config")["properties"]["globalValidation"]
    excluded = variable(AUTH, validation["excludedPaths"])
    anonymous = {
        f"/{route_prefix()}/{row.template}"
        for row in build_table(dev_issuer=False)
        if row.access is Access.ANONYMOUS and row.name != FUNCTION_NAME
    }
    assert "/api/openapi.json" in anonymous

    from shared.explorer.assets import ASSETS

    explorer_files = f"/{route_prefix()}/docs/{{asset}}"
    assert explorer_files in anonymous

    def covers(path: str, template: str) -> bool:
        if template == explorer_files:  # a fixed allow-list: each of its files is excluded by its own path
            return path.rpartition("/")[0] == template.rpartition("/")[0] and path.rpartition("/")[2] in ASSETS
        return path == template or (path.endswith("/*") and template.startswith(path[:-1]))

    assert all(any(covers(path, t) for path in excluded) for t in anonymous), (excluded, anonymous)
    assert all(any(covers(path, t) for t in anonymous) for path in excluded), (excluded, anonymous)
    assert {f"/{route_prefix()}/docs/{name}" for name in ASSETS} <= set(excluded), "every file of the explorer"
    assert validation["requireAuthentication"] is True  # every other path keeps needing a token
    assert validation["unauthenticatedClientAction"] == "Return401"


def test_easy_auth_authorization_policy_is_explicit_and_restricts_no_client():
    """No client-application or principal allow-list: authorization is the code's scp/roles check."""
    aad = only(AUTH, "Microsoft.Web/sites/config")["properties"]["identityProviders"]["azureActiveDirectory"]
    policy = aad["validation"]["defaultAuthorizationPolicy"]
    assert policy == {"allowedApplications": [], "allowedPrincipals": {"identities": []}}


def test_main_wires_the_audiences_and_authority():
    assert variable(MAIN, "entraAudiences") == "${entra.outputs.appId},${apiIdentifierUri}"
    ternary = variable(MAIN, "entraAuthority")["operator"]
    assert ternary["type"] == "conditional"
    assert function(ternary["operands"]["condition"])[0] == "ends_with"
    assert function(ternary["operands"]["true_value"])[0] == "substring"
    api = body(parse(MAIN)["modules"]["api"])["params"]
    assert api["entraAudiences"] == "entraAudiences"
    assert api["entraAuthority"] == "entraAuthority"
    auth = body(parse(MAIN)["modules"]["auth"])["params"]
    assert accessor(auth["clientId"]) == "entra.outputs.appId"
    assert auth["identifierUri"] == "apiIdentifierUri"
