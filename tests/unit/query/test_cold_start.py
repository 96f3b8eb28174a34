"""Cold start: importing shared.query loads no `$filter` parser and no cryptography; each loads on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAZY = ("shared.query.filter_syntax", "shared.query.filter_compile", "cryptography", "json", "base64")


def _loaded_after(statement: str) -> list[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in {LAZY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


SETUP = (
    "from shared import query\n"
    "from shared.facets.catalog import SKILLS\n"
    "paging = query.Paging(key=bytes(32), scope='s')\n"
    "item = {'id': 'a', 'createdDateTime': '2024-01-01T00:00:00Z', 'displayName': 'x'}\n"
)


def test_importing_the_package_loads_nothing_lazy():
    assert _loaded_after("import shared.query") == []


def test_a_list_without_filter_on_one_page_loads_no_parser_and_no_cryptography():
    statement = SETUP + (
        "q = query.parse_list_query({'$top': '5', '$orderby': 'displayName desc', '$select': 'displayName'}, SKILLS)\n"
        "query.run_list(q, [item], facet_type=SKILLS, paging=paging)\n"
        "query.parse_profile_query({'$expand': 'skills($select=displayName)'})"
    )
    assert _loaded_after(statement) == []


def test_a_filter_loads_the_compiler_only():
    statement = SETUP + "query.parse_list_query({'$filter': \"displayName eq 'x'\"}, SKILLS)"
    assert _loaded_after(statement) == ["shared.query.filter_syntax", "shared.query.filter_compile"]


def test_a_next_link_loads_cryptography():
    statement = SETUP + (
        "q = query.parse_list_query({'$top': '1'}, SKILLS)\n"
        "assert query.run_list(q, [item, {**item, 'id': 'b'}], facet_type=SKILLS, paging=paging).next_skiptoken"
    )
    assert {"cryptography", "json", "base64"} <= set(_loaded_after(statement))
