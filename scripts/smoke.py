#!/usr/bin/env python3
"""Post-deploy smoke test of a deployed Profile API (standard library only).

    python scripts/smoke.py                       # URL and API from `azd env get-values`
    python scripts/smoke.py --url https://func-xyz.azurewebsites.net

Checks:
  1. GET /api/openapi.json without a token                          -> 200 (anonymous by contract;
     App Service Authentication must exclude it)
     GET /api/docs and its Swagger UI script without a token       -> 200 (the API explorer: excluded
     too, and its files installed by the remote build)
  2. POST /api/me/profile/account without a token                  -> 401
  3. the same with a delegated token (scope api://.../User.ReadWrite) -> 201
Token: the PROFILE_API_TOKEN environment variable, else
`az account get-access-token --scope <api>/User.ReadWrite` when the Azure CLI is installed.
The token is never printed. Exit 0 when every check passes, 1 on a mismatch, 2 when the test
cannot run (no URL, no token).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

# The sibling script's azd reader (scripts/ is first on sys.path when this runs as a script).
from write_local_settings import ScriptError, read_azd_values

ROUTE = "/api/me/profile/account"
OPENAPI_ROUTE = "/api/openapi.json"
#: The API explorer's page and its largest file (served only when the deployment installed Swagger UI).
EXPLORER_ROUTES = ("/api/docs", "/api/docs/swagger-ui-bundle.js")
BODY = {"allowedAudiences": "organization", "countryCode": "NO"}
TIMEOUT = 60  # seconds; a Flex Consumption app scaled to zero needs a cold start


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def request(method: str, url: str, *, token: str | None = None, body: dict | None = None) -> Reply:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (https URL from config)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (https URL from config)
            return Reply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers.items()), err.read())
    except (urllib.error.URLError, OSError) as err:  # unreachable host, TLS failure, timeout
        return Reply(0, {}, f"no HTTP response: {getattr(err, 'reason', err)}".encode())


def azure_cli_token(scope: str) -> str | None:
    az = shutil.which("az")
    if az is None:
        return None
    result = subprocess.run(
        [az, "account", "get-access-token", "--scope", scope, "--query", "accessToken", "-o", "tsv"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        print(f"  az account get-access-token failed: {result.stderr.strip()[:500]}", file=sys.stderr)
        return None
    return result.stdout.strip() or None


def check(name: str, reply: Reply, expected: int) -> bool:
    ok = reply.status == expected
    got = f"HTTP {reply.status}" if reply.status else "no response"
    print(f"[{'PASS' if ok else 'FAIL'}] {name}: {got} (expected {expected})")
    for header in ("request-id", "WWW-Authenticate", "Location"):
        if header.lower() in {h.lower() for h in reply.headers}:
            value = next(v for h, v in reply.headers.items() if h.lower() == header.lower())
            print(f"       {header}: {value}")
    if not ok:
        print(f"       body: {reply.body[:500].decode('utf-8', 'replace')}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-test a deployed Profile API.")
    parser.add_argument("--url", help="base URL (default: AZURE_FUNCTION_URL from the environment or azd)")
    parser.add_argument("--api", help="App ID URI of the API (default: ENTRA_API_IDENTIFIER_URI)")
    parser.add_argument("-e", "--environment", help="azd environment name")
    args = parser.parse_args(argv)

    url, api = args.url or os.environ.get("AZURE_FUNCTION_URL"), args.api or os.environ.get("ENTRA_API_IDENTIFIER_URI")
    if not url or not api:
        try:
            values = read_azd_values(args.environment)
        except ScriptError as exc:
            print(f"smoke: pass --url and --api, or provision with azd: {exc}", file=sys.stderr)
            return 2
        url, api = url or values.get("AZURE_FUNCTION_URL"), api or values.get("ENTRA_API_IDENTIFIER_URI")
    if not url:
        print("smoke: the deployed URL is unknown (pass --url or provision with azd).", file=sys.stderr)
        return 2
    base = url.rstrip("/")
    target = base + ROUTE

    results = [check(f"GET {OPENAPI_ROUTE} without a token", request("GET", base + OPENAPI_ROUTE), 200)]
    results += [check(f"GET {path} without a token", request("GET", base + path), 200) for path in EXPLORER_ROUTES]
    anonymous = request("POST", target, body=BODY)
    results.append(check(f"POST {ROUTE} without a token", anonymous, 401))
    if anonymous.status == 401:
        # The app answers with Graph's error envelope; App Service Authentication (Easy Auth) does not.
        by_app = b'"InvalidAuthenticationToken"' in anonymous.body
        answered = "the app (token validation in code)" if by_app else "App Service Authentication (Easy Auth)"
        print(f"       answered by: {answered}")

    token = os.environ.get("PROFILE_API_TOKEN")
    if not token and api:
        token = azure_cli_token(f"{api.rstrip('/')}/User.ReadWrite")
    if not token:
        print(
            "smoke: no token: set PROFILE_API_TOKEN or sign in with `az login` (see docs/deploy.md).", file=sys.stderr
        )
        return 2 if all(results) else 1
    created = request("POST", target, token=token, body=BODY)
    results.append(check(f"POST {ROUTE} with a token", created, 201))
    if created.status == 201:
        print(f"       body: {created.body[:500].decode('utf-8', 'replace')}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
