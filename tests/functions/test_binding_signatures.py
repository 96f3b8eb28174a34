"""functions/binding_signatures.py changes nothing a function app exposes: bindings are built the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import azure.functions as func

def build():
    bp = func.Blueprint()
    for n, methods in enumerate((["POST"], ["GET", "PATCH"], None)):
        def f(req): return None
        bp.function_name(f"f{n}")(bp.route(route=f"r/{n}/{{id}}", methods=methods, auth_level="ANONYMOUS")(f))
    app = func.FunctionApp()
    app.register_functions(bp)
    return [(f.get_function_name(), f.get_raw_bindings(), f.get_trigger().init_params, f.get_dict_repr())
            for f in app.get_functions()]

def remembered():
    from azure.functions.decorators.function_name import FunctionName
    from azure.functions.decorators.http import HttpOutput, HttpTrigger
    return sorted(f"{cls.__qualname__}.{cell.cell_contents.__qualname__}"
                  for binding in (HttpTrigger, HttpOutput, FunctionName) for cls in binding.__mro__
                  for cell in getattr(cls.__dict__.get("__init__"), "__closure__", None) or ()
                  if "__signature__" in getattr(cell.cell_contents, "__dict__", {}))

plain = build()
if sys.argv[1] != "plain":
    if sys.argv[1] != "installed":
        func.__version__ = sys.argv[1]  # another azure-functions, as far as the guard can tell
    sys.path.insert(0, sys.argv[2])
    import functions  # remembers the signatures on import (or not)
print(json.dumps([plain, build(), remembered()], default=str))
"""


def _built(mode: str) -> list:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(ROOT)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    import json

    return json.loads(out)


def test_bindings_are_built_the_same_with_remembered_signatures():
    before, after, remembered = _built("installed")
    assert before == after
    assert remembered, "the installed azure-functions is the pinned one: the memo is applied"
    assert _built("plain") == [before, before, []]


@pytest.mark.parametrize("version", ["1.27.0", "1.25.1", "2.0.0", "1.26.1rc1"])
def test_another_azure_functions_keeps_its_own_signatures(version):
    """Outside the pinned range nothing is remembered: the library computes its signatures itself."""
    before, after, remembered = _built(version)
    assert remembered == [] and before == after


def test_the_app_registers_with_the_signatures_remembered():
    from azure.functions.decorators.http import HttpTrigger

    import functions  # noqa: F401  (remembers on import)

    inner = HttpTrigger.__dict__["__init__"].__closure__[0].cell_contents
    assert "__signature__" in inner.__dict__
