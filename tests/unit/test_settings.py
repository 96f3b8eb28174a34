"""Settings (contract §7): declared checks, one loader, cross-field rules, and what the rest of the code reads."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from shared.settings import (
    BOUNDS,
    DEFAULTS,
    DEV_AUDIENCE,
    DEV_ISSUER_ROUTE,
    DEV_TENANT_ID,
    RULES,
    SETTING_NAMES,
    Settings,
    SettingsError,
    get_settings,
    is_loopback_host,
    is_trusted_url,
    load_settings,
)

ROOT = Path(__file__).resolve().parents[2]
TENANT = "3B1C9A5E-8F0D-4E2A-9C71-5D6E7F8A9B0C"
#: The table of contract §7, in its order.
CONTRACT_NAMES = (
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
    "MAX_BATCH_BODY_BYTES",
    "MAX_FACETS_PER_USER",
    "MAX_RESPONSE_BYTES",
    "MAX_STORED_BYTES_PER_USER",
    "DIRECTORY",
    "GRAPH_ENDPOINT",
    "PORT",
)
URL_RULE = "must be an https URL (plain http only for loopback addresses)."


def refused(env: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert str(caught.value).startswith(caught.value.setting)
    return caught.value


def test_defaults_are_the_contract_table():
    settings = load_settings({})
    assert settings == Settings()
    assert (settings.profile_store, settings.profile_sqlite_path) == ("sqlite", ".data/profiles.sqlite3")
    assert (settings.cosmos_endpoint, settings.cosmos_key, settings.azure_client_id) == (None, None, None)
    assert (settings.cosmos_database, settings.cosmos_container) == ("profiles", "profiles")
    assert settings.entra_authority == "https://login.microsoftonline.com"
    assert (settings.max_body_bytes, settings.max_facets_per_user, settings.port) == (65536, 100, 7071)
    assert settings.max_response_bytes == 4 * 1024 * 1024
    assert settings.max_stored_bytes_per_user == 8 * 1024 * 1024
    assert settings.max_batch_body_bytes == 2 * 1024 * 1024
    assert settings.request_body_cap == settings.max_batch_body_bytes
    assert (settings.directory, settings.graph_endpoint) == ("local", "https://graph.microsoft.com")
    assert settings.in_azure is False


def test_without_a_tenant_the_development_issuer_is_used():
    settings = load_settings({"PORT": "8080"})
    assert settings.dev_issuer and settings.tenant_id == DEV_TENANT_ID and settings.audiences == (DEV_AUDIENCE,)
    assert settings.authority == f"http://127.0.0.1:8080/api/{DEV_ISSUER_ROUTE}"
    assert settings.metadata_url == f"{settings.authority}/{DEV_TENANT_ID}/v2.0/.well-known/openid-configuration"


def test_a_tenant_brings_its_own_authority_and_audiences():
    settings = load_settings(
        {
            "ENTRA_TENANT_ID": TENANT,
            "ENTRA_AUDIENCES": " api://x , ,0f5e2d1c-7b6a-4c3d-8e9f-1a2b3c4d5e6f ",
            "ENTRA_AUTHORITY": "https://login.example.com//",
        }
    )
    assert not settings.dev_issuer and settings.tenant_id == TENANT.lower() == settings.entra_tenant_id
    assert settings.audiences == ("api://x", "0f5e2d1c-7b6a-4c3d-8e9f-1a2b3c4d5e6f")
    assert settings.metadata_url == f"https://login.example.com/{TENANT.lower()}/v2.0/.well-known/openid-configuration"


def test_setting_names_are_derived_from_the_fields_and_match_the_contract():
    assert SETTING_NAMES == CONTRACT_NAMES
    derived = {field.name.upper() for field in dataclasses.fields(Settings)} - {"IN_AZURE"}
    assert set(SETTING_NAMES) == derived
    assert "WEBSITE_INSTANCE_ID" not in SETTING_NAMES  # read, but set by the platform, never by us
    assert set(DEFAULTS) == set(SETTING_NAMES) and DEFAULTS["MAX_BODY_BYTES"] == 65536


def test_numeric_bounds_are_exposed():
    assert BOUNDS == {
        "MAX_BODY_BYTES": (2, 104857600),
        "MAX_BATCH_BODY_BYTES": (2, 104857600),
        "MAX_FACETS_PER_USER": (1, 10000),
        "MAX_RESPONSE_BYTES": (65536, 104857600),
        "MAX_STORED_BYTES_PER_USER": (65536, 1073741824),
        "PORT": (1, 65535),
    }


@pytest.mark.parametrize(
    "name",
    [
        "MAX_BODY_BYTES",
        "MAX_BATCH_BODY_BYTES",
        "MAX_FACETS_PER_USER",
        "MAX_RESPONSE_BYTES",
        "MAX_STORED_BYTES_PER_USER",
        "PORT",
    ],
)
def test_whole_numbers_accept_exactly_their_bounds(name):
    low, high = BOUNDS[name]
    attribute = name.lower()
    assert getattr(load_settings({name: str(low)}), attribute) == low
    assert getattr(load_settings({name: f" {high} "}), attribute) == high
    assert getattr(load_settings({name: f"00{low}"}), attribute) == low
    for bad in (str(low - 1), str(high + 1), "-1", "+5", "1e3", "0x10", "5.0", "²", "٣", "1 000", "ten"):
        error = refused({name: bad})
        assert error.setting == name and str(error) == f"{name} must be a whole number from {low} to {high}."


@pytest.mark.parametrize(
    ("env", "name", "message"),
    [
        ({"PROFILE_STORE": "mongo"}, "PROFILE_STORE", "PROFILE_STORE must be 'sqlite' or 'cosmos'."),
        ({"DIRECTORY": "ldap"}, "DIRECTORY", "DIRECTORY must be 'local' or 'graph'."),
        (
            {"ENTRA_TENANT_ID": "not-a-guid", "ENTRA_AUDIENCES": "x"},
            "ENTRA_TENANT_ID",
            "ENTRA_TENANT_ID must be a tenant id (GUID).",
        ),
        (
            {"ENTRA_TENANT_ID": "{" + TENANT + "}", "ENTRA_AUDIENCES": "x"},
            "ENTRA_TENANT_ID",
            "ENTRA_TENANT_ID must be a tenant id (GUID).",
        ),
        (
            {"COSMOS_KEY": "local"},
            "COSMOS_KEY",
            "COSMOS_KEY must be an account key (base64), as the emulator or test server expects.",
        ),
        (
            {"COSMOS_KEY": "a2V5-_"},
            "COSMOS_KEY",
            "COSMOS_KEY must be an account key (base64), as the emulator or test server expects.",
        ),
        ({"ENTRA_AUTHORITY": "http://login.microsoftonline.com"}, "ENTRA_AUTHORITY", f"ENTRA_AUTHORITY {URL_RULE}"),
        ({"COSMOS_ENDPOINT": "ftp://127.0.0.1/"}, "COSMOS_ENDPOINT", f"COSMOS_ENDPOINT {URL_RULE}"),
        ({"GRAPH_ENDPOINT": "http://[::1"}, "GRAPH_ENDPOINT", f"GRAPH_ENDPOINT {URL_RULE}"),
        ({"GRAPH_ENDPOINT": "https://"}, "GRAPH_ENDPOINT", f"GRAPH_ENDPOINT {URL_RULE}"),
        (
            {"ENTRA_TENANT_ID": TENANT},
            "ENTRA_AUDIENCES",
            "ENTRA_AUDIENCES must list at least one audience when ENTRA_TENANT_ID is set.",
        ),
        (
            {"ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCES": " , ,"},
            "ENTRA_AUDIENCES",
            "ENTRA_AUDIENCES must list at least one audience when ENTRA_TENANT_ID is set.",
        ),
        (
            {"WEBSITE_INSTANCE_ID": "abc"},
            "ENTRA_TENANT_ID",
            "ENTRA_TENANT_ID is unset: the development issuer refuses to run in Azure (WEBSITE_INSTANCE_ID is set).",
        ),
        ({"PROFILE_STORE": "cosmos"}, "COSMOS_ENDPOINT", "COSMOS_ENDPOINT is required when PROFILE_STORE is 'cosmos'."),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(env, name, message):
    error = refused(env)
    assert (error.setting, str(error)) == (name, message)


def test_messages_never_echo_the_value():
    for env in ({"COSMOS_KEY": "s3cr3t!"}, {"ENTRA_AUTHORITY": "http://s3cr3t.example"}, {"PORT": "s3cr3t"}):
        assert "s3cr3t" not in str(refused(env))


def test_every_cross_field_rule_names_a_setting():
    assert {rule.setting for rule in RULES} == {"ENTRA_AUDIENCES", "ENTRA_TENANT_ID", "COSMOS_ENDPOINT"}
    assert all(rule.setting in SETTING_NAMES and rule.message.startswith(rule.setting) for rule in RULES)


def test_choices_are_case_insensitive_and_kept_lower_case():
    settings = load_settings(
        {"PROFILE_STORE": "Cosmos", "COSMOS_ENDPOINT": "https://acct.documents.azure.com:443/", "DIRECTORY": "GRAPH"}
    )
    assert (settings.profile_store, settings.directory) == ("cosmos", "graph")


def test_urls_keep_their_form_except_trailing_slashes_of_hosts_we_append_paths_to():
    settings = load_settings(
        {
            "COSMOS_ENDPOINT": "https://acct.documents.azure.com:443/",
            "GRAPH_ENDPOINT": "http://127.0.0.1:9000/",
            "ENTRA_AUTHORITY": "http://localhost:1/",
        }
    )
    assert settings.cosmos_endpoint == "https://acct.documents.azure.com:443/"
    assert settings.graph_endpoint == "http://127.0.0.1:9000"
    assert settings.entra_authority == "http://localhost:1"


def test_blank_values_count_as_unset():
    blank = {name: "  " for name in SETTING_NAMES} | {"WEBSITE_INSTANCE_ID": " "}
    assert load_settings(blank) == Settings()


def test_text_settings_are_trimmed_and_kept():
    emulator_key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
    settings = load_settings(
        {
            "PROFILE_SQLITE_PATH": " /tmp/p.db ",
            "COSMOS_DATABASE": "db1",
            "COSMOS_CONTAINER": "c1",
            "AZURE_CLIENT_ID": "11111111-2222-4333-8444-555555555555",
            "COSMOS_KEY": emulator_key,
        }
    )
    assert settings.profile_sqlite_path == "/tmp/p.db"
    assert (settings.cosmos_database, settings.cosmos_container) == ("db1", "c1")
    assert settings.azure_client_id == "11111111-2222-4333-8444-555555555555"
    assert settings.cosmos_key and settings.cosmos_key.endswith("Jw==")


def test_the_account_key_never_appears_in_repr():
    key = "c2VjcmV0LWtleS12YWx1ZQ=="
    assert key not in repr(load_settings({"COSMOS_KEY": key}))


def test_settings_are_frozen_and_keyword_only():
    settings = Settings(port=8080)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Settings("cosmos")  # type: ignore[call-arg]  # positional on purpose: fields are keyword-only


def test_in_azure_follows_the_platform_variable():
    settings = load_settings({"WEBSITE_INSTANCE_ID": "abc", "ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCES": "api://x"})
    assert settings.in_azure


def test_get_settings_reads_once_until_cleared(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    get_settings.cache_clear()
    try:
        first = get_settings()
        monkeypatch.setenv("PORT", "8124")
        assert get_settings() is first and first.port == 8123
        get_settings.cache_clear()
        assert get_settings().port == 8124
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.5", False),
        ("localhost.example.com", False),
        ("", False),
        (None, False),
        ("::2", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://login.microsoftonline.com/t/v2.0", True),
        ("http://127.0.0.1:7071/x", True),
        ("http://localhost/x", True),
        ("http://[::1]/x", True),
        ("http://login.microsoftonline.com/x", False),
        ("http://10.0.0.5/x", False),
        ("file:///etc/passwd", False),
        ("https:///nohost", False),
        ("gopher://127.0.0.1/", False),
        ("http://[::1/x", False),
        ("HTTP://evil.example/", False),
    ],
)
def test_the_one_https_or_loopback_url_rule(url, trusted):
    """The same rule guards the URL settings and the key fetches (shared.auth.fetch, shared.auth.keys)."""
    assert is_trusted_url(url) is trusted
    env = {"GRAPH_ENDPOINT": url}
    if trusted:
        assert load_settings(env).graph_endpoint == url.rstrip("/")
    else:
        assert refused(env).setting == "GRAPH_ENDPOINT"


def test_importing_settings_loads_no_pydantic():
    """Cold start: settings are a dataclass and a loop, not a validation framework."""
    probe = (
        "import sys, shared.settings; print(sorted(m for m in ('pydantic', 'pydantic_settings') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
