"""The version guards of the code that relies on library internals, and requirements.txt's pins."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from shared.library_versions import AZURE_COSMOS, AZURE_FUNCTIONS, PINS, Pin, release

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    found = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        for pin in PINS:
            if line.lower().startswith(pin.distribution) and line[len(pin.distribution) :][:1] in "<>=!~":
                found[pin.distribution] = line[len(pin.distribution) :]
    return found


def test_requirements_pin_each_guarded_library_to_the_guard_s_range():
    assert _requirements() == {pin.distribution: pin.specifier for pin in PINS}


def test_the_guards_admit_the_installed_versions_the_tests_run():
    import azure.cosmos
    import azure.functions

    assert AZURE_FUNCTIONS.admits(azure.functions.__version__)
    assert AZURE_COSMOS.admits(azure.cosmos.__version__)


@pytest.mark.parametrize(
    ("version", "admitted"),
    [
        ("4.17.1", True),
        ("4.17.9", True),
        ("4.17.10.1", True),
        ("4.17.0", False),
        ("4.18.0", False),
        ("4.18", False),
        ("5.0.0", False),
        ("3.99.0", False),
        ("4.17.2b1", False),
        ("4.17.1+local", False),
        ("", False),
        (None, False),
        (4.17, False),
    ],
)
def test_only_a_final_release_within_the_range_is_admitted(version, admitted):
    assert Pin("azure-cosmos", ">=4.17.1,<4.18").admits(version) is admitted


def test_a_version_outside_the_range_is_logged_in_one_line(caplog):
    pin = Pin("azure-functions", ">=1.26,<1.27")
    with caplog.at_level(logging.DEBUG, logger="profile_api.library_versions"):
        assert pin.applies("1.26.3", "the memo")
        assert not caplog.records
        assert not pin.applies("1.27.0", "the memo")
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (
            logging.INFO,
            "azure-functions 1.27.0 is not within the tested >=1.26,<1.27: skipping the memo "
            "(the library's own behaviour stays)",
        )
    ]


def test_a_specifier_other_than_a_range_is_refused():
    assert release("1.26.0") == (1, 26, 0) and release("1.26.0rc1") is None
    with pytest.raises(ValueError, match="expected >=A,<B"):
        Pin("x", "==1.0").admits("1.0")
