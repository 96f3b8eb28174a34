"""The project's function app with every store call made to wait, as a network store (Cosmos DB) makes it.

For the concurrency sweep (benchmarks/run.py): each call to the repository sleeps BENCH_STORE_DELAY_MS
(default 10 ms: a create is two Cosmos DB round trips, benchmarks/cosmos_round_trips.py, of about 5 ms
each in one region) before running on the SQLite store, releasing the GIL as a socket wait does.
Served by the local host like the project: `--root benchmarks/io_app`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(1, str(_ROOT))
_spec = importlib.util.spec_from_file_location("profile_function_app", _ROOT / "function_app.py")
assert _spec is not None and _spec.loader is not None
_project = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_project)

from shared import composition  # noqa: E402

DELAY_S = float(os.environ.get("BENCH_STORE_DELAY_MS", "10")) / 1000
_store = composition.repository


class _Waiting:
    """The repository, each method call preceded by a sleep of DELAY_S."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            time.sleep(DELAY_S)
            return attribute(*args, **kwargs)

        return call


@functools.lru_cache(maxsize=1)
def _repository() -> Any:
    return _Waiting(_store())


composition.repository = _repository
app = _project.app
