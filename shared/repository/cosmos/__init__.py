"""The Cosmos DB adapter of the repository port (one package; azure-cosmos is imported on first use).

Modules: `repository` (CosmosRepository, the port's methods), `documents` (keys, ids, document
shapes, batch operations), `store` (the error-routed SDK calls), `errors` (the one route from an
SDK failure to the error table), `policy` (every retry and time budget), `connection` (client,
credential, container set-up, per-thread response headers). No module here is for a particular
server: the tests install their test server's request adjustments themselves (tests/support/).
Layout and guarantees: docs/data-model.md.
"""

from shared.repository.cosmos.repository import CosmosRepository

__all__ = ["CosmosRepository"]
