"""`local.settings.json`, applied the way Azure Functions Core Tools applies it for `func start`.

Core Tools (StartHostAction.UpdateEnvironmentVariables) sets each `Values` entry as an environment
variable of the host and worker, unless that variable is already set to a non-empty value: **the
environment wins**, and an empty environment variable counts as unset. An empty-string value is set
as such; a `null` value is skipped. `ConnectionStrings` (not environment variables in Core Tools
either) and `Host` are not read; `IsEncrypted: true` is refused (Core Tools decrypts with a machine
key we do not have). Only setting names are ever reported, never values.
"""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "local.settings.json"


class LocalSettingsError(ValueError):
    """The file cannot be used; the message names it and says why."""


@dataclass(frozen=True)
class Applied:
    """What applying the file did, by setting name."""

    path: Path
    applied: tuple[str, ...]
    kept: tuple[str, ...]  # already set in the environment: the environment wins
    skipped: tuple[str, ...]  # null values

    def summary(self) -> str:
        """One line for the console: counts and names, never values."""
        text = f"settings: {self.path.name}, {len(self.applied)} applied"
        if self.kept:
            text += f"; from the environment instead: {', '.join(self.kept)}"
        if self.skipped:
            text += f"; null, skipped: {', '.join(self.skipped)}"
        return text


def read_values(path: Path) -> dict[str, str | None]:
    """The `Values` object of the file as strings (numbers and booleans as Core Tools' JSON reader spells them)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise LocalSettingsError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}).") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LocalSettingsError(f"{path} cannot be read ({type(error).__name__}).") from None
    if not isinstance(document, dict):
        raise LocalSettingsError(f"{path} must hold a JSON object with a 'Values' object.")
    if document.get("IsEncrypted") is True:
        raise LocalSettingsError(f"{path} is encrypted (IsEncrypted: true); run `func settings decrypt` first.")
    values = document.get("Values")
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise LocalSettingsError(f"{path}: 'Values' must be an object of setting names and values.")
    return {name: _text(path, name, value) for name, value in values.items()}


def _text(path: Path, name: str, value: object) -> str | None:
    """A value as the environment variable's text; objects and arrays are refused, naming the setting."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"  # Json.NET's conversion of a boolean to a string
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise LocalSettingsError(f"{path}: Values.{name} must be a string, a number or a boolean.")


def apply(values: dict[str, str | None], path: Path, environ: MutableMapping[str, str] | None = None) -> Applied:
    """Set each value in `environ` (default: this process's environment) unless it is already non-empty."""
    env = os.environ if environ is None else environ
    applied, kept, skipped = [], [], []
    for name, value in values.items():
        if not name:
            continue
        if env.get(name):
            kept.append(name)
        elif value is None:
            skipped.append(name)
        else:
            env[name] = value
            applied.append(name)
    return Applied(path, tuple(applied), tuple(kept), tuple(skipped))


def load(path: Path, *, required: bool = False, environ: MutableMapping[str, str] | None = None) -> Applied | None:
    """Apply the file at `path`; None when it does not exist (an error instead when `required`)."""
    if not path.is_file():
        if required:
            raise LocalSettingsError(f"{path} does not exist.")
        return None
    return apply(read_values(path), path, environ)
