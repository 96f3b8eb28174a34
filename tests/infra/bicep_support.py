"""Read the Bicep through pycep-parser 0.7.1 (no Bicep CLI here) and walk its JSON-like tree."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


@functools.cache
def _parser() -> BicepParser:
    return BicepParser()


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    """The parsed file; raises on a syntax error."""
    return cast("dict[str, Any]", _parser().parse(file_path=path))


def module_path(relative: str) -> Path:
    return INFRA / "app" / relative


def body(declaration: dict[str, Any]) -> dict[str, Any]:
    """A resource's or module's body, unwrapping `= if (cond) { ... }` and `= [for x in xs: { ... }]`."""
    config = declaration["config"]
    if set(config) in ({"condition", "config"}, {"loop_type", "condition", "config"}):
        return config["config"]
    return config


def condition(declaration: dict[str, Any]) -> Any:
    config = declaration["config"]
    return config["condition"] if set(config) == {"condition", "config"} else None


def loop(declaration: dict[str, Any]) -> dict[str, Any] | None:
    """The `for` clause of a resource or module loop ({"item_name", "array_name"}), else None."""
    config = declaration["config"]
    return config["loop_type"]["detail"] if "loop_type" in config else None


def decorators(declaration: dict[str, Any]) -> dict[str, Any]:
    """A parameter's decorators by type (min_value, max_value, allowed, description, ...)."""
    return {d["type"]: d.get("argument") for d in declaration.get("decorators", [])}


def resources(path: Path, type_: str | None = None) -> dict[str, dict[str, Any]]:
    """Symbolic name -> resource declaration (optionally of one type), `existing` ones excluded."""
    found = parse(path).get("resources", {})
    return {
        name: res for name, res in found.items() if not res.get("existing") and (type_ is None or res["type"] == type_)
    }


def only(path: Path, type_: str) -> dict[str, Any]:
    """The body of the one resource of `type_` declared (not `existing`) in `path`."""
    found = resources(path, type_)
    assert len(found) == 1, f"{path.name}: expected one {type_}, found {sorted(found)}"
    return body(next(iter(found.values())))


def variable(path: Path, name: str) -> Any:
    return parse(path)["variables"][name]["value"]


def accessor(expr: Any) -> str | None:
    """`a.b.c` for a property-accessor chain, else None."""
    if not isinstance(expr, dict) or "operator" not in expr:
        return None
    op = expr["operator"]
    if op.get("type") != "property_accessor":
        return None
    left, right = op["operands"]["operand_1"], op["operands"]["operand_2"]
    right_text = right if isinstance(right, str) else accessor(right)
    if not isinstance(left, str) or right_text is None:
        return None
    return f"{left}.{right_text}"


def function(expr: Any) -> tuple[str, list[Any]]:
    """(function type, argument values) of a function call; fails the test for anything else."""
    assert isinstance(expr, dict) and "function" in expr, f"not a function call: {expr!r}"
    return expr["function"]["type"], list(expr["function"]["parameters"].values())


def walk(node: Any) -> Iterator[Any]:
    """Every value in the tree, depth first."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)
