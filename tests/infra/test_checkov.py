"""checkov's Bicep scan: no failed checks, no parsing errors, every skip justified in place.

checkov lives in its own venv (.tools/checkov, made by scripts/install_checkov.sh) because its pins
clash with the app's. Skips are `// checkov:skip=CKV_ID:reason` comments inside the resource they
concern (so a skip never hides the same finding on another resource); no checkov config file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from tests.infra.bicep_support import INFRA, ROOT

#: Checks that must be evaluated and pass (never skipped): the core hardening.
MUST_PASS = {
    "CKV_AZURE_140",  # Cosmos DB local (key) auth disabled
    "CKV_AZURE_132",  # Cosmos DB key-based metadata writes disabled
    "CKV_AZURE_44",  # storage TLS 1.2
    "CKV_AZURE_3",  # storage https only
    "CKV_AZURE_34",  # blob container not public
    "CKV_AZURE_14",  # site https only
    "CKV_AZURE_15",  # site TLS 1.2
    "CKV_AZURE_18",  # site HTTP/2
    "CKV_AZURE_78",  # FTP(S) disabled
    "CKV_AZURE_16",  # managed identity
    "CKV_AZURE_56",  # function app authentication
}


def _checkov() -> str | None:
    for candidate in (os.environ.get("CHECKOV"), str(ROOT / ".tools" / "checkov" / "bin" / "checkov")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("checkov")


@pytest.fixture(scope="module")
def report() -> dict:
    executable = _checkov()
    if executable is None:
        message = "checkov is not installed; run scripts/install_checkov.sh (make setup)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [executable, "-d", "infra", "--framework", "bicep", "--skip-download", "-o", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), f"checkov crashed ({result.returncode}): {result.stderr[-2000:]}"
    data = json.loads(result.stdout)
    if isinstance(data, list):  # one report per framework
        (data,) = [d for d in data if d.get("check_type") == "bicep"]
    return data


def test_no_failed_checks(report):
    failed = [
        f"{c['check_id']} {c['file_path']}:{c['resource']} {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert report["summary"]["failed"] == 0


def test_no_parsing_errors(report):
    # A file checkov cannot parse is only counted, not failed: assert on the count.
    assert report["summary"]["parsing_errors"] == 0, report["results"].get("parsing_errors")


def test_core_checks_ran_and_passed(report):
    passed = {c["check_id"] for c in report["results"]["passed_checks"]}
    assert passed >= MUST_PASS, sorted(MUST_PASS - passed)


def test_every_skip_is_justified(report):
    skipped = report["results"]["skipped_checks"]
    for check in skipped:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) >= 20, f"{check['check_id']} on {check['resource']} skipped without a reason"
    assert not {c["check_id"] for c in skipped} & MUST_PASS


def test_skips_live_only_beside_their_resources():
    for name in (".checkov.yaml", ".checkov.yml"):
        assert not (ROOT / name).exists() and not (INFRA / name).exists(), f"{name}: keep skips inline"
    for path in INFRA.rglob("*.bicep"):
        for line in path.read_text().splitlines():
            if "checkov:skip" in line:
                justified = re.fullmatch(r"\s*// checkov:skip=CKV2?_AZURE_\d+:\S.{19,}", line)
                assert justified, f"{path.name}: {line.strip()}"
