#!/usr/bin/env python3
"""Write local.settings.json from the azd environment, so the local host runs against the
provisioned Cosmos DB and Entra app registration.

    python scripts/write_local_settings.py              # reads `azd env get-values`
    python scripts/write_local_settings.py -e dev       # a named azd environment
    python scripts/write_local_settings.py --dev-issuer # keep the local development issuer
    python scripts/write_local_settings.py --local-directory  # DIRECTORY=local instead of Graph
    python scripts/write_local_settings.py --from-file values.env

Existing entries in local.settings.json that this script does not manage are kept.
Standard library only; no secrets are read or written (there are none: access is by identity).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Contract §7 settings copied from the azd environment (the Bicep outputs use the same names).
#: AZURE_CLIENT_ID is left out on purpose (and is no azd output): it names the app's user-assigned
#: managed identity, which exists only in Azure; locally azure-identity falls back to your
#: `az`/`azd` login, which needs the Cosmos DB data role (provision with DEVELOPER_PRINCIPAL_ID
#: set, see docs/deploy.md) and, with DIRECTORY=graph, reads users from Microsoft Graph as you.
AZD_SETTINGS = (
    "PROFILE_STORE",
    "COSMOS_ENDPOINT",
    "COSMOS_DATABASE",
    "COSMOS_CONTAINER",
    "ENTRA_TENANT_ID",
    "ENTRA_AUDIENCES",
    "ENTRA_AUTHORITY",
    "MAX_BODY_BYTES",
    "MAX_BATCH_BODY_BYTES",
    "MAX_FACETS_PER_USER",
    "MAX_RESPONSE_BYTES",
    "MAX_STORED_BYTES_PER_USER",
    "DIRECTORY",
    "GRAPH_ENDPOINT",
)
#: Left out with --dev-issuer, so the local host keeps its built-in development issuer.
ENTRA_SETTINGS = ("ENTRA_TENANT_ID", "ENTRA_AUDIENCES", "ENTRA_AUTHORITY")
#: Read by the local Functions host (Core Tools), never by the app.
HOST_SETTINGS = {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}


class ScriptError(Exception):
    """A problem to report to the user in one line, without a traceback."""


def parse_env_values(text: str) -> dict[str, str]:
    """Parse `azd env get-values` output (dotenv lines: KEY="value")."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export ") :].strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        values[key] = value
    return values


def read_azd_values(environment: str | None = None) -> dict[str, str]:
    """Run `azd env get-values`; raise ScriptError with a clear message if that is impossible."""
    azd = shutil.which("azd")
    if azd is None:
        raise ScriptError(
            "azd (the Azure Developer CLI) was not found on PATH. Install it (https://aka.ms/azd-install), "
            "then run `azd up` (or `azd provision`) first."
        )
    command = [azd, "env", "get-values"] + (["--environment", environment] if environment else [])
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScriptError(f"`azd env get-values` could not run: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise ScriptError(f"`azd env get-values` failed (exit {result.returncode}): {detail}")
    return parse_env_values(result.stdout)


def build_values(
    env_values: dict[str, str], *, dev_issuer: bool = False, local_directory: bool = False
) -> dict[str, str]:
    """The `Values` section: host settings plus the contract settings found in the azd values."""
    names = [n for n in AZD_SETTINGS if not (dev_issuer and n in ENTRA_SETTINGS)]
    missing = [n for n in names if not env_values.get(n)]
    if missing:
        raise ScriptError(
            "the azd environment lacks " + ", ".join(missing) + "; has `azd provision` (or `azd up`) completed?"
        )
    values = dict(HOST_SETTINGS)
    values.update({n: env_values[n] for n in names})
    if local_directory:
        values["DIRECTORY"] = "local"
    return values


def write_settings(path: Path, values: dict[str, str], *, dev_issuer: bool = False) -> None:
    """Merge `values` into the file's Values (other entries are kept)."""
    document: dict = {"IsEncrypted": False, "Values": {}}
    if path.exists():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScriptError(f"{path} exists but is not valid JSON ({exc}); fix or remove it.") from exc
        if not isinstance(document, dict) or not isinstance(document.get("Values", {}), dict):
            raise ScriptError(f"{path} has no 'Values' object; fix or remove it.")
        document.setdefault("Values", {})
    if dev_issuer:
        for name in ENTRA_SETTINGS:
            document["Values"].pop(name, None)
    document["Values"].update(values)
    document.setdefault("IsEncrypted", False)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-e", "--environment", help="azd environment name (default: azd's current one)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "local.settings.json")
    parser.add_argument("--from-file", type=Path, help='read KEY="value" lines from this file instead of azd')
    parser.add_argument("--dev-issuer", action="store_true", help="omit ENTRA_* so the development issuer is used")
    parser.add_argument(
        "--local-directory",
        action="store_true",
        help="DIRECTORY=local: no Microsoft Graph calls (users are the ones the service has seen)",
    )
    args = parser.parse_args(argv)
    try:
        if args.from_file:
            try:
                env_values = parse_env_values(args.from_file.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ScriptError(f"cannot read {args.from_file}: {exc}") from exc
        else:
            env_values = read_azd_values(args.environment)
        values = build_values(env_values, dev_issuer=args.dev_issuer, local_directory=args.local_directory)
        write_settings(args.output, values, dev_issuer=args.dev_issuer)
    except ScriptError as exc:
        print(f"write_local_settings: {exc}", file=sys.stderr)
        if not args.from_file:
            print('  (Without azd, pass --from-file with KEY="value" lines.)', file=sys.stderr)
        return 2
    print(f"Wrote {len(values)} settings to {args.output}: {', '.join(sorted(values))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
