"""The start-up lines saying which store and which token issuer the app uses (never a secret).

Printed by `serve()` before the readiness line, so a developer sees at once whether `make run` is on
the embedded SQLite file or a Cosmos DB account, and whether it trusts the development issuer or a
tenant. Only for a project that has the Profile API's settings module (`shared/settings.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from devhost.loader import project_settings

if TYPE_CHECKING:
    from shared.settings import Settings


def describe(root: Path) -> list[str]:
    """`store: ...` and `tokens: ...` lines for the project at `root` (empty for another app)."""
    if not (root / "shared" / "settings.py").is_file():
        return []
    settings = project_settings(root)
    return [f"store:  {_store(settings, root)}", f"tokens: {_issuer(settings)}"]


def _store(settings: Settings, root: Path) -> str:
    """The SQLite file (absolute) or the Cosmos DB endpoint, database and container; never the key."""
    if settings.profile_store == "cosmos":
        endpoint = urlsplit(settings.cosmos_endpoint or "")
        where = f"{endpoint.scheme}://{endpoint.hostname}" + (f":{endpoint.port}" if endpoint.port else "")
        auth = "account key (COSMOS_KEY)" if settings.cosmos_key else "Entra ID (azure-identity)"
        return f"Cosmos DB {where}, database {settings.cosmos_database}, container {settings.cosmos_container}, {auth}"
    path = Path(settings.profile_sqlite_path)
    return f"SQLite {path if path.is_absolute() else (root / path).resolve()}"


def _issuer(settings: Settings) -> str:
    """The development issuer, or the tenant and audiences whose tokens are accepted."""
    if settings.dev_issuer:
        return "development issuer (a token: make -s token; keys under .data/dev-issuer/)"
    return f"Entra ID tenant {settings.tenant_id} (audiences: {', '.join(settings.audiences)})"
