"""local.settings.json applied as Core Tools applies it: Values become environment variables, the environment wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devhost.local_settings import LocalSettingsError, apply, load, read_values


def write(tmp_path: Path, document: object, name: str = "local.settings.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


def test_values_are_set_unless_the_environment_already_has_a_non_empty_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "IsEncrypted": False,
            "Values": {
                "PROFILE_STORE": "sqlite",
                "PORT": "7100",
                "PROFILE_SQLITE_PATH": "from-file.db",
                "AzureWebJobsStorage": "",
            },
        },
    )
    environ = {"PORT": "7200", "PROFILE_SQLITE_PATH": ""}
    applied = load(path, environ=environ)
    assert environ == {
        "PORT": "7200",
        "PROFILE_SQLITE_PATH": "from-file.db",
        "PROFILE_STORE": "sqlite",
        "AzureWebJobsStorage": "",
    }
    assert applied is not None
    assert applied.kept == ("PORT",), "a non-empty environment variable wins"
    assert set(applied.applied) == {"PROFILE_STORE", "PROFILE_SQLITE_PATH", "AzureWebJobsStorage"}, "empty is unset"


def test_null_values_are_skipped_and_empty_keys_ignored(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    applied = load(write(tmp_path, {"Values": {"A": None, "": "x", "B": "b"}}), environ=environ)
    assert environ == {"B": "b"} and applied is not None and applied.skipped == ("A",)


def test_numbers_and_booleans_become_text(tmp_path: Path) -> None:
    values = read_values(write(tmp_path, {"Values": {"MAX_BODY_BYTES": 65536, "FLAG": True, "RATIO": 1.5}}))
    assert values == {"MAX_BODY_BYTES": "65536", "FLAG": "True", "RATIO": "1.5"}


def test_connection_strings_and_host_are_not_environment_variables(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    path = write(tmp_path, {"Values": {}, "ConnectionStrings": {"Db": "x"}, "Host": {"LocalHttpPort": 9999}})
    load(path, environ=environ)
    assert environ == {}


def test_a_missing_file_is_nothing_unless_named_explicitly(tmp_path: Path) -> None:
    assert load(tmp_path / "local.settings.json", environ={}) is None
    with pytest.raises(LocalSettingsError, match="does not exist"):
        load(tmp_path / "other.json", required=True, environ={})


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ('{"Values": {"A": "1",}}', "line 1, column 22"),
        ("[]", "JSON object"),
        ({"IsEncrypted": True, "Values": {"A": "x"}}, "func settings decrypt"),
        ({"Values": ["A"]}, "'Values' must be an object"),
        ({"Values": {"COSMOS_KEY": {"nested": "secret-value"}}}, "Values.COSMOS_KEY"),
    ],
)
def test_an_unusable_file_is_refused_naming_it(tmp_path: Path, document: object, says: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(LocalSettingsError) as caught:
        load(path, environ={})
    assert says in str(caught.value) and str(path) in str(caught.value)
    assert "secret-value" not in str(caught.value)


def test_the_summary_names_settings_never_values(tmp_path: Path) -> None:
    path = write(tmp_path, {"Values": {"COSMOS_KEY": "c2VjcmV0", "PORT": "1", "X": None}})
    summary = apply(read_values(path), path, {"PORT": "2"}).summary()
    assert summary == "settings: local.settings.json, 1 applied; from the environment instead: PORT; null, skipped: X"
    assert "c2VjcmV0" not in summary


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"Values": {"A": "1"}}).encode())
    assert read_values(path) == {"A": "1"}
