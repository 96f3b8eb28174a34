"""Cold start: what the function app imports through shared.auth stays cheap; the heavy parts load on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("jwt", "cryptography", "urllib.request", "http.client", "ssl", "pydantic")


def _loaded_after(statement: str) -> list[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_importing_the_auth_package_loads_nothing_heavy():
    assert _loaded_after("from shared.auth import Authenticator, Principal, authorize, sees_all_facets") == []


def test_building_an_authenticator_loads_nothing_heavy():
    statement = (
        "from shared.auth import Authenticator\n"
        "from shared.settings import load_settings\n"
        "Authenticator(load_settings({}))"
    )
    assert _loaded_after(statement) == []


def test_the_signature_check_loads_cryptography_but_never_pyjwt():
    """The verifier is `cryptography` itself, not PyJWT behind a lazy import."""
    statement = (
        "import json, sys\n"
        "from shared.auth.jws import parse_compact, verify_rs256\n"
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "from cryptography.hazmat.primitives import hashes\n"
        "from cryptography.hazmat.primitives.asymmetric import padding\n"
        "import base64\n"
        "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n"
        "enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()\n"
        "si = enc(b'{\"alg\":\"RS256\"}') + '.' + enc(b'{}')\n"
        "sig = key.sign(si.encode(), padding.PKCS1v15(), hashes.SHA256())\n"
        "jws = parse_compact(si + '.' + enc(sig))\n"
        "assert verify_rs256(key.public_key(), jws.signing_input, jws.signature)\n"
        "assert not verify_rs256(key.public_key(), jws.signing_input + b'x', jws.signature)"
    )
    loaded = _loaded_after(statement)
    assert "cryptography" in loaded and "jwt" not in loaded
