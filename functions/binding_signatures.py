"""Each azure-functions binding class's `__init__` signature, computed once instead of six times per function.

azure-functions builds every trigger, output binding and setting through a wrapper that calls
`inspect.signature()` on the class's own `__init__` each time one is constructed: twice for the HTTP
trigger, twice for its output binding and twice for the function name, so six signatures for each of
the app's functions, paid on every cold start while the worker indexes the app (`make bench`).
`remember()` gives those `__init__` functions their signature once, as PEP 362's `__signature__`, which
`inspect.signature()` returns as it is: the value is the one inspect would compute, so nothing else
changes. It relies on how azure-functions builds those classes, so it is applied only to the versions
the tests ran (`shared.library_versions.AZURE_FUNCTIONS`, the range requirements.txt pins): with any
other version nothing is done and one line is logged. If the library is built differently (no such
wrapper), nothing is done either.
"""

from __future__ import annotations

import inspect
import types


def remember() -> int:
    """Set `__signature__` on the `__init__` functions the HTTP bindings' wrappers inspect; how many were set."""
    import azure.functions

    from shared.library_versions import AZURE_FUNCTIONS

    if not AZURE_FUNCTIONS.applies(getattr(azure.functions, "__version__", None), "the binding-signature memo"):
        return 0
    from azure.functions.decorators.function_name import FunctionName
    from azure.functions.decorators.http import HttpOutput, HttpTrigger

    count = 0
    for binding in (HttpTrigger, HttpOutput, FunctionName):
        for cls in binding.__mro__:
            wrapper = cls.__dict__.get("__init__")
            for cell in getattr(wrapper, "__closure__", None) or ():
                inner = cell.cell_contents
                if isinstance(inner, types.FunctionType) and "__signature__" not in inner.__dict__:
                    inner.__signature__ = inspect.signature(inner)  # type: ignore[attr-defined]
                    count += 1
    return count
