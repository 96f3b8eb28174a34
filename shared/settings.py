"""Typed settings, read once from the environment under the names of the contract (§7).

Each field of `Settings` declares its own check (kind, bounds, message); one generic loader reads
the environment once and applies them, then the few cross-field `RULES`. A bad value raises
`SettingsError` naming the setting, which stops start-up. Nothing else in the code reads
`os.environ` (azure-identity reads `AZURE_CLIENT_ID` itself). No pydantic here: it would cost the
function app tens of milliseconds of cold start for what a dataclass and a loop do.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, NamedTuple, TypeVar
from urllib.parse import urlsplit

from shared.ids import is_guid

#: The development issuer's tenant (used only when ENTRA_TENANT_ID is unset).
DEV_TENANT_ID = "7f3c6d2e-0d1a-4c5b-9e8f-00000000d0e1"
#: The audience of the development issuer's tokens.
DEV_AUDIENCE = "api://profile-api-dev"
#: Route (under the `api` prefix) where the function app publishes the development issuer.
DEV_ISSUER_ROUTE = "dev-issuer"

_T = TypeVar("_T")
#: Key of a field's `Check` in its dataclass metadata.
_CHECK = "check"


class SettingsError(ValueError):
    """A setting has a bad value; the message names it (and so does `setting`)."""

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


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


def is_trusted_url(url: str) -> bool:
    """True for https URLs with a host, and plain http only on loopback hosts (settings and key fetches)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme == "https" and host:
        return True
    return parts.scheme == "http" and is_loopback_host(host)


class Check(NamedTuple):
    """How one setting's text becomes its value: `convert` raises ValueError on a bad value
    (carrying nothing of it: the loader's message names the setting, never repeats the value).

    (Check and Rule are named tuples rather than dataclasses: cheaper to define at import.)
    """

    kind: str
    convert: Callable[[str], Any]
    #: Completes "<NAME> ..." when the value is bad, e.g. "must be 'local' or 'graph'".
    rule: str
    bounds: tuple[int, int] | None = None
    #: The environment name when it is not the field name upper-cased.
    env: str | None = None
    #: Set by the platform, never by us (so not one of SETTING_NAMES).
    platform: bool = False


def _declare(default: _T, check: Check, *, show: bool = True) -> _T:
    """A dataclass field carrying `check`; `show=False` keeps a secret out of repr()."""
    return field(default=default, repr=show, metadata={_CHECK: check})


def choice(default: _T, *options: str) -> _T:
    """One of `options`, compared and kept lower-case."""

    def convert(raw: str) -> str:
        if raw.lower() not in options:
            raise ValueError
        return raw.lower()

    return _declare(default, Check("choice", convert, "must be " + " or ".join(f"'{o}'" for o in options)))


def whole_number(default: int, low: int, high: int) -> int:
    """ASCII digits only (no sign, no '²'), from `low` to `high` inclusive."""

    def convert(raw: str) -> int:
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            raise ValueError
        return int(raw)

    return _declare(default, Check("int", convert, f"must be a whole number from {low} to {high}", (low, high)))


def trusted_url(default: _T, *, trim_slash: bool = True) -> _T:
    """An https URL, or plain http on a loopback address (see is_trusted_url)."""

    def convert(raw: str) -> str:
        if not is_trusted_url(raw):
            raise ValueError
        return raw.rstrip("/") if trim_slash else raw

    return _declare(default, Check("url", convert, "must be an https URL (plain http only for loopback addresses)"))


def guid(meaning: str) -> str | None:
    """A GUID in its 8-4-4-4-12 form, kept lower-case; `meaning` names what it identifies."""

    def convert(raw: str) -> str:
        if not is_guid(raw):
            raise ValueError
        return raw.lower()

    return _declare(None, Check("guid", convert, f"must be {meaning} (GUID)"))


def comma_list() -> tuple[str, ...]:
    """Comma-separated values, each trimmed; empty members dropped."""

    def convert(raw: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in raw.split(",") if part.strip())

    return _declare((), Check("list", convert, "must be a comma-separated list"))


def base64_text(meaning: str) -> str | None:
    """Standard base64 (checked, kept as text); never shown in repr()."""

    def convert(raw: str) -> str:
        base64.b64decode(raw, validate=True)  # binascii.Error is a ValueError
        return raw

    return _declare(None, Check("base64", convert, f"must be {meaning}"), show=False)


def text(default: _T, kind: str = "text") -> _T:
    """Any non-blank text, kept as given (trimmed); `kind` "path" marks a file path."""
    return _declare(default, Check(kind, str, "must not be blank"))


def platform_flag(env: str) -> bool:
    """True when the platform sets `env` to anything non-blank."""
    return _declare(False, Check("flag", bool, "is set by the platform", env=env, platform=True))


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The product's configuration. Field names are the setting names, lower-cased."""

    profile_store: Literal["sqlite", "cosmos"] = choice("sqlite", "sqlite", "cosmos")
    profile_sqlite_path: str = text(".data/profiles.sqlite3", "path")
    cosmos_endpoint: str | None = trusted_url(None, trim_slash=False)
    cosmos_database: str = text("profiles")
    cosmos_container: str = text("profiles")
    cosmos_key: str | None = base64_text("an account key (base64), as the emulator or test server expects")
    azure_client_id: str | None = text(None)
    entra_tenant_id: str | None = guid("a tenant id")
    entra_audiences: tuple[str, ...] = comma_list()
    entra_authority: str = trusted_url("https://login.microsoftonline.com")
    max_body_bytes: int = whole_number(65536, 2, 100 * 1024 * 1024)
    #: A `$batch` body (default: room for twenty items at MAX_BODY_BYTES' default, and their envelope).
    max_batch_body_bytes: int = whole_number(2 * 1024 * 1024, 2, 100 * 1024 * 1024)
    max_facets_per_user: int = whole_number(100, 1, 10000)
    #: The largest response body of a list or a profile (contract §2.3): pages stop before it.
    max_response_bytes: int = whole_number(4 * 1024 * 1024, 65536, 100 * 1024 * 1024)
    #: The most bytes of facets one user may store, all collections together (contract §2.6).
    max_stored_bytes_per_user: int = whole_number(8 * 1024 * 1024, 65536, 1024 * 1024 * 1024)
    directory: Literal["local", "graph"] = choice("local", "local", "graph")
    graph_endpoint: str = trusted_url("https://graph.microsoft.com")
    port: int = whole_number(7071, 1, 65535)
    #: True when running in Azure (the platform sets WEBSITE_INSTANCE_ID).
    in_azure: bool = platform_flag("WEBSITE_INSTANCE_ID")

    @property
    def dev_issuer(self) -> bool:
        """True when tokens come from the built-in development issuer (no tenant configured)."""
        return self.entra_tenant_id is None

    @property
    def request_body_cap(self) -> int:
        """The largest body any route accepts: what a host may read before the app's own checks."""
        return max(self.max_body_bytes, self.max_batch_body_bytes)

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
            from shared.routing.prefix import route_prefix

            return f"http://127.0.0.1:{self.port}/{route_prefix()}/{DEV_ISSUER_ROUTE}"
        return self.entra_authority.rstrip("/")

    @property
    def metadata_url(self) -> str:
        return f"{self.authority}/{self.tenant_id}/v2.0/.well-known/openid-configuration"


class Rule(NamedTuple):
    """A check across settings: `broken(settings)` means start-up stops with `message`."""

    setting: str
    broken: Callable[[Settings], bool]
    message: str


RULES = (
    Rule(
        "ENTRA_AUDIENCES",
        lambda s: s.entra_tenant_id is not None and not s.entra_audiences,
        "ENTRA_AUDIENCES must list at least one audience when ENTRA_TENANT_ID is set.",
    ),
    Rule(
        "ENTRA_TENANT_ID",
        lambda s: s.dev_issuer and s.in_azure,
        "ENTRA_TENANT_ID is unset: the development issuer refuses to run in Azure (WEBSITE_INSTANCE_ID is set).",
    ),
    Rule(
        "COSMOS_ENDPOINT",
        lambda s: s.profile_store == "cosmos" and s.cosmos_endpoint is None,
        "COSMOS_ENDPOINT is required when PROFILE_STORE is 'cosmos'.",
    ),
)

#: Each field's environment name and declared check, in declaration order.
CHECKS: dict[str, tuple[str, Check]] = {
    f.name: ((f.metadata[_CHECK].env or f.name.upper()), f.metadata[_CHECK]) for f in fields(Settings)
}
#: Every setting name the code reads (the infrastructure tests and scripts compare against it).
SETTING_NAMES: tuple[str, ...] = tuple(name for name, check in CHECKS.values() if not check.platform)
#: Inclusive bounds of the whole-number settings, by name (e.g. MAX_BODY_BYTES: (2, 104857600)).
BOUNDS: dict[str, tuple[int, int]] = {name: check.bounds for name, check in CHECKS.values() if check.bounds}
#: Defaults by setting name.
DEFAULTS: dict[str, Any] = {CHECKS[f.name][0]: f.default for f in fields(Settings) if not CHECKS[f.name][1].platform}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting once and apply its declared check, then RULES; raise SettingsError on the first bad one.

    A blank value counts as unset (the default applies).
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for attribute, (name, check) in CHECKS.items():
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        try:
            values[attribute] = check.convert(raw)
        except ValueError:
            raise SettingsError(f"{name} {check.rule}.", setting=name) from None
    settings = Settings(**values)
    for rule in RULES:
        if rule.broken(settings):
            raise SettingsError(rule.message, setting=rule.setting)
    return settings


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
