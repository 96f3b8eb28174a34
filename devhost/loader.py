"""Find the project root, read host.json's route prefix and import `function_app` like the worker."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import azure.functions as func

from shared.routing.prefix import read_route_prefix

if TYPE_CHECKING:
    from shared.settings import Settings


def find_root(explicit: str | Path | None = None) -> Path:
    """The folder holding function_app.py: explicit, else the working folder if it has one, else devhost's parent."""
    if explicit is not None:
        return Path(explicit).resolve()
    cwd = Path.cwd()
    if (cwd / "function_app.py").is_file():
        return cwd.resolve()
    return Path(__file__).resolve().parent.parent


def route_prefix(root: Path) -> str:
    """The route prefix of the project at `root` (its host.json; shared/routing/prefix.py reads it)."""
    return read_route_prefix(root / "host.json")


def load_app(root: Path, script: str = "function_app.py") -> func.FunctionRegister:
    """Import the script from `root` (put on sys.path) and return its single FunctionApp."""
    if not (root / script).is_file():
        raise FileNotFoundError(f"{root / script} does not exist")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module(Path(script).stem)
    apps = [v for v in vars(module).values() if isinstance(v, func.FunctionRegister)]
    if len(apps) != 1:
        raise ValueError(f"{script} must define exactly one FunctionApp instance, found {len(apps)}")
    return apps[0]


def project_settings(root: Path) -> Settings:
    """The project's typed settings (contract §7), read once local.settings.json has been applied."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from shared.settings import get_settings

    return get_settings()
