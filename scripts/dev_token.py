"""`make token`: print an access token from the development issuer (and nothing else).

Environment: USER (a UPN; a value without `@`, such as the shell's login name, is ignored),
NAME, SCOPES (space or comma separated; default User.ReadWrite; empty for none), ROLES (with
SCOPES empty or unset → an app-only token). The token names no port: a local host on any PORT
accepts it (it checks the signature against the keys it serves itself).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.auth.dev_issuer import DEFAULT_USER, mint_token
from shared.settings import SettingsError, get_settings

ROOT = Path(__file__).resolve().parent.parent


def _words(value: str | None) -> list[str]:
    """Split a space- or comma-separated list."""
    return [w for w in re.split(r"[\s,]+", value or "") if w]


def _tenant_in_local_settings() -> bool:
    """True when local.settings.json gives ENTRA_TENANT_ID a value (so `make run` trusts a tenant instead)."""
    try:
        values = json.loads((ROOT / "local.settings.json").read_text(encoding="utf-8-sig")).get("Values") or {}
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(values, dict) and bool(str(values.get("ENTRA_TENANT_ID") or "").strip())


def main() -> int:
    """Mint and print one token; 2 when the development issuer is off."""
    try:
        settings = get_settings()
    except SettingsError as error:
        print(f"token: {error}", file=sys.stderr)
        return 2
    if not settings.dev_issuer:
        print("token: ENTRA_TENANT_ID is set; get a token from Entra ID instead.", file=sys.stderr)
        return 2
    user = os.environ.get("USER", "")
    roles = _words(os.environ.get("ROLES"))
    raw_scopes = os.environ.get("SCOPES")
    scopes = _words(raw_scopes) if raw_scopes is not None else ([] if roles else ["User.ReadWrite"])
    token = mint_token(
        settings,
        user=user.strip() if "@" in user else DEFAULT_USER,
        scopes=scopes,
        roles=roles,
        name=os.environ.get("NAME") or None,
    )
    if _tenant_in_local_settings():
        print(
            "token: note: local.settings.json sets ENTRA_TENANT_ID, so `make run` accepts that tenant's tokens, "
            "not this development token.",
            file=sys.stderr,
        )
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
