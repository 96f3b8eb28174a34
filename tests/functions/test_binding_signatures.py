"""functions/binding_signatures.py changes nothing a function app exposes: bindings are built the same."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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

plain = build()
if sys.argv[1] == "remember":
    sys.path.insert(0, sys.argv[2])
    import functions  # remembers the signatures on import
    from azure.functions.decorators.http import HttpTrigger
    assert "__signature__" in HttpTrigger.__dict__["__init__"].__closure__[0].cell_contents.__dict__
print(json.dumps([plain, build()], default=str))
"""


def _built(mode: str) -> list:
    out = subprocess.run([sys.executable, "-c", PROBE, mode, str(ROOT)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    import json

    return json.loads(out)


def test_bindings_are_built_the_same_with_remembered_signatures():
    before, after = _built("remember")
    assert before == after
    assert _built("plain") == [before, before]


def test_the_app_registers_with_the_signatures_remembered():
    from azure.functions.decorators.http import HttpTrigger

    import functions  # noqa: F401  (remembers on import)

    inner = HttpTrigger.__dict__["__init__"].__closure__[0].cell_contents
    assert "__signature__" in inner.__dict__
