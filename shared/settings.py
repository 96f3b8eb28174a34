"""Typed settings, read once from the environment under the names of the contract (§7).

A bad value raises `SettingsError` naming the setting, which stops start-up. Nothing else in the
code reads `os.environ` (azure-identity reads `AZURE_CLIENT_ID` itself).
"""
from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from shared.ids import is_guid

#: The development issuer's tenant (used only when ENTRA_TENANT_ID is unset).
DEV_TENANT_ID = "7f3c6d2e-0d1a-4c5b-9e8f-00000000d0e1"
#: The audience of the development issuer's tokens.
DEV_AUDIENCE = "api://profile-api-dev"
#: Route (under the `api` prefix) where the function app publishes the development issuer.
DEV_ISSUER_ROUTE = "dev-issuer"


#: Every setting name the code reads, in one place (the infrastructure tests compare against it).
SETTING_NAMES = (
    "PROFILE_STORE",
    "PROFILE_SQLITE_PATH",
    "COSMOS_ENDPOINT",
    "COSMOS_DATABASE",
    "COSMOS_CONTAINER",
    "COSMOS_KEY",
    "AZURE_CLIENT_ID",
    "ENTRA_TENANT_ID",
    "ENTRA_AUDIENCES",
    "ENTRA_AUTHORITY",
    "MAX_BODY_BYTES",
    "MAX_FACETS_PER_USER",
    "DIRECTORY",
    "GRAPH_ENDPOINT",
    "PORT",
)


class SettingsError(ValueError):
    """A setting has a bad value; the message names it."""


class Settings(BaseModel):
    """The product's configuration. Field names are the setting names, lower-cased."""

    model_config = ConfigDict(frozen=True)

    profile_store: Literal["sqlite", "cosmos"] = "sqlite"
    profile_sqlite_path: str = ".data/profiles.sqlite3"
    cosmos_endpoint: str | None = None
    cosmos_database: str = "profiles"
    cosmos_container: str = "profiles"
    cosmos_key: str | None = None
    azure_client_id: str | None = None
    entra_tenant_id: str | None = None
    entra_audiences: tuple[str, ...] = ()
    entra_authority: str = "https://login.microsoftonline.com"
    max_body_bytes: int = 65536
    max_facets_per_user: int = 100
    directory: Literal["local", "graph"] = "local"
    graph_endpoint: str = "https://graph.microsoft.com"
    port: int = 7071
    #: True when running in Azure (WEBSITE_INSTANCE_ID is set by the platform).
    in_azure: bool = False

    @property
    def dev_issuer(self) -> bool:
        """True when tokens come from the built-in development issuer (no tenant configured)."""
        return self.entra_tenant_id is None

    @property
    def tenant_id(self) -> str:
        return self.entra_tenant_id or DEV_TENANT_ID

    @property
    def audiences(self) -> tuple[str, ...]:
        return self.entra_audiences or ((DEV_AUDIENCE,) if self.dev_issuer else ())

    @property
    def authority(self) -> str:
        """Authority host whose `/{tenant}/v2.0/.well-known/openid-configuration` is trusted."""
        if self.dev_issuer:
            return f"http://127.0.0.1:{self.port}/api/{DEV_ISSUER_ROUTE}"
        return self.entra_authority.rstrip("/")

    @property
    def metadata_url(self) -> str:
        return f"{self.authority}/{self.tenant_id}/v2.0/.well-known/openid-configuration"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; raise SettingsError naming the first bad one."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value and value.strip() else None

    values: dict[str, object] = {"in_azure": get("WEBSITE_INSTANCE_ID") is not None}
    store = get("PROFILE_STORE")
    if store is not None:
        if store.lower() not in ("sqlite", "cosmos"):
            raise SettingsError("PROFILE_STORE must be 'sqlite' or 'cosmos'.")
        values["profile_store"] = store.lower()
    for name in ("PROFILE_SQLITE_PATH", "COSMOS_DATABASE", "COSMOS_CONTAINER", "COSMOS_KEY", "AZURE_CLIENT_ID"):
        if get(name) is not None:
            values[name.lower()] = get(name)
    if "cosmos_key" in values and not _is_base64(str(values["cosmos_key"])):
        raise SettingsError("COSMOS_KEY must be an account key (base64), as the emulator or test server expects.")
    for name, low, high in (("MAX_BODY_BYTES", 2, 100 * 1024 * 1024), ("MAX_FACETS_PER_USER", 1, 10000), ("PORT", 1, 65535)):
        raw = get(name)
        if raw is not None:
            if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
                raise SettingsError(f"{name} must be a whole number from {low} to {high}.")
            values[name.lower()] = int(raw)

    tenant = get("ENTRA_TENANT_ID")
    if tenant is not None:
        if not is_guid(tenant):
            raise SettingsError("ENTRA_TENANT_ID must be a tenant id (GUID).")
        values["entra_tenant_id"] = tenant.lower()
    audiences = get("ENTRA_AUDIENCES")
    if audiences is not None:
        values["entra_audiences"] = tuple(a.strip() for a in audiences.split(",") if a.strip())
    if tenant is not None and not values.get("entra_audiences"):
        raise SettingsError("ENTRA_AUDIENCES must list at least one audience when ENTRA_TENANT_ID is set.")
    if tenant is None and values["in_azure"]:
        raise SettingsError(
            "ENTRA_TENANT_ID is unset: the development issuer refuses to run in Azure (WEBSITE_INSTANCE_ID is set)."
        )

    authority = get("ENTRA_AUTHORITY")
    if authority is not None:
        _check_url("ENTRA_AUTHORITY", authority)
        values["entra_authority"] = authority.rstrip("/")
    endpoint = get("COSMOS_ENDPOINT")
    if endpoint is not None:
        _check_url("COSMOS_ENDPOINT", endpoint)
        values["cosmos_endpoint"] = endpoint
    if values.get("profile_store") == "cosmos" and endpoint is None:
        raise SettingsError("COSMOS_ENDPOINT is required when PROFILE_STORE is 'cosmos'.")
    directory = get("DIRECTORY")
    if directory is not None:
        if directory.lower() not in ("local", "graph"):
            raise SettingsError("DIRECTORY must be 'local' or 'graph'.")
        values["directory"] = directory.lower()
    graph = get("GRAPH_ENDPOINT")
    if graph is not None:
        _check_url("GRAPH_ENDPOINT", graph)
        values["graph_endpoint"] = graph.rstrip("/")
    return Settings(**values)


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _check_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise SettingsError(f"{name} must be an https URL (plain http only for loopback addresses).")


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
