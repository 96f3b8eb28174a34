"""DIRECTORY=graph (contract §5): the app's managed identity holds Microsoft Graph's User.Read.All
application role, assigned through the Microsoft Graph Bicep extension, and only then."""

from __future__ import annotations

import json

from tests.infra.bicep_support import (
    INFRA,
    MAIN,
    accessor,
    body,
    condition,
    module_path,
    only,
    parse,
    resources,
    variable,
)

DIRECTORY = module_path("directory.bicep")

#: Microsoft Graph's application id, published by Microsoft and the same in every tenant.
MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
#: User.Read.All, application permission, in Microsoft's published permission table
#: (microsoft-graph-docs-contrib, concepts/migrate-azure-ad-graph-permissions-differences.md).
USER_READ_ALL_APP_ROLE_ID = "df021288-bdef-4463-88db-98f22de89214"


def test_graph_service_principal_is_referenced_by_its_app_id():
    declared = parse(DIRECTORY)
    assert "microsoftGraphV1" in declared["extensions"]
    graph = declared["resources"]["microsoftGraph"]
    assert graph["existing"] is True
    assert (graph["type"], graph["api_version"]) == ("Microsoft.Graph/servicePrincipals", "v1.0")
    assert body(graph) == {"appId": "microsoftGraphAppId"}
    assert variable(DIRECTORY, "microsoftGraphAppId") == MICROSOFT_GRAPH_APP_ID


def test_identity_gets_user_read_all_on_graph():
    ((symbol, declaration),) = resources(DIRECTORY, "Microsoft.Graph/appRoleAssignedTo").items()
    assert declaration["api_version"] == "v1.0"
    assignment = only(DIRECTORY, "Microsoft.Graph/appRoleAssignedTo")
    assert variable(DIRECTORY, assignment["appRoleId"]) == USER_READ_ALL_APP_ROLE_ID
    assert assignment["principalId"] == "principalId"
    assert accessor(assignment["resourceId"]) == "microsoftGraph.id"
    # Nothing else: one role on one resource, no other Graph object created.
    assert set(resources(DIRECTORY)) == {symbol}


def test_assignment_exists_only_with_the_graph_directory():
    module = parse(MAIN)["modules"]["directoryRole"]
    assert module["detail"]["path"] == "./app/directory.bicep"
    operands = {"operand_1": "directory", "operand_2": "graph"}
    assert condition(module) == {"operator": {"type": "equals", "operands": operands}}
    assert accessor(body(module)["params"]["principalId"]) == "identity.outputs.principalId"
    # The host starts only once the role is in place (when there is one).
    assert "directoryRole" in body(parse(MAIN)["modules"]["api"])["dependsOn"]


def test_the_graph_role_waits_for_the_cosmos_account():
    """Entra replicates the new identity's service principal with a delay; the assignment is made after
    the Cosmos DB account (minutes to create, and the app waits for it anyway), not right after the
    identity. docs/deploy.md names the rerun for when replication takes longer still."""
    modules = parse(MAIN)["modules"]
    assert body(modules["directoryRole"])["dependsOn"] == ["cosmos"]
    assert modules["cosmos"]["detail"]["path"] == "./app/cosmos.bicep"
    assert "cosmos.outputs.endpoint" in {accessor(v) for v in body(modules["api"])["params"].values()}
    deploy = (INFRA.parent / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "Microsoft.Graph/appRoleAssignedTo" in deploy and "run it again" in deploy


def test_graph_extension_is_the_configured_one():
    config = json.loads((INFRA / "bicepconfig.json").read_text())
    registry = "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0"
    assert config["extensions"] == {"microsoftGraphV1": registry}
