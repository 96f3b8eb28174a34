"""Print the cost of one bearer-token check through the Authenticator beside a bare PyJWT decode.

    .venv/bin/python benchmarks/token_check.py [ROUNDS] [BATCH]

The keys come from a real local issuer (discovery + JWKS over HTTP, tests/support/identity.py),
fetched once before timing (warm key cache). Scenarios, each the median over ROUNDS of the mean of
BATCH checks:
- the same token repeated (what a client does for the token's lifetime);
- distinct tokens, each checked once (no reuse of any earlier work on the token);
- a bare `jwt.decode(...)` RS256 of the same tokens with the same claim checks PyJWT offers
  (audience, issuer, required claims, 60 s leeway), against the same public key.
The Authenticator and the bare decode take turns within every round, so noise hits both alike.
Figures only, no assertions. `figures()` returns them as a dict for `make bench`.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.identity import Identity, IdentityServer  # noqa: E402

REQUIRED = ["exp", "nbf", "iat", "iss", "aud", "tid", "oid"]


def _median_us(checks: Sequence[Callable[[str], Any]], tokens: Sequence[Sequence[str]]) -> list[float]:
    """For each check, the median over rounds of the mean µs per check; `tokens[i]` is round i's batch.

    The checks take turns within every round (the order alternating), so machine noise hits them alike.
    """
    per_round: list[list[float]] = [[] for _ in checks]
    enabled = gc.isenabled()
    gc.disable()
    try:
        for i, batch in enumerate(tokens):
            order = list(enumerate(checks))
            for n, check in order if i % 2 == 0 else reversed(order):
                started = time.perf_counter()
                for token in batch:
                    check(token)
                per_round[n].append((time.perf_counter() - started) / len(batch) * 1e6)
    finally:
        if enabled:
            gc.enable()
    return [statistics.median(values) for values in per_round]


def figures(rounds: int = 31, batch: int = 200) -> dict[str, float]:
    """µs per check (medians) and the ratios to a bare PyJWT decode."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = IdentityServer().start()
    try:
        identity = Identity(server=server, key=key)
        authenticator = identity.authenticator()
        public = key.public_key()
        audiences = list(identity.settings.audiences)

        def through_authenticator(token: str) -> Any:
            return authenticator.authenticate({"Authorization": f"Bearer {token}"}, {})

        def bare_decode(token: str) -> Any:
            return jwt.decode(
                token,
                public,
                algorithms=["RS256"],
                audience=audiences,
                issuer=identity.issuer,
                leeway=60,
                options={"require": REQUIRED},
            )

        same = identity.mint()
        through_authenticator(same)  # warm the key cache: discovery and JWKS fetched once, outside timing
        distinct_count = min(rounds, 11) * batch  # signing is slow; fewer rounds for distinct tokens
        distinct = [identity.mint() for _ in range(distinct_count)]
        distinct_batches = [distinct[i : i + batch] for i in range(0, distinct_count, batch)]
        repeated = [[same] * batch for _ in range(rounds)]
        checks = (through_authenticator, bare_decode)
        same_us, bare_same_us = _median_us(checks, repeated)
        distinct_us, bare_distinct_us = _median_us(checks, distinct_batches)
        result = {
            "authenticator_same_token_us": same_us,
            "authenticator_distinct_tokens_us": distinct_us,
            "bare_pyjwt_decode_us": bare_same_us,
            "bare_pyjwt_decode_distinct_us": bare_distinct_us,
            "jwks_fetches": float(identity.jwks_fetches),
        }
    finally:
        server.stop()
    result["ratio_same_token"] = result["authenticator_same_token_us"] / result["bare_pyjwt_decode_us"]
    result["ratio_distinct_tokens"] = (
        result["authenticator_distinct_tokens_us"] / result["bare_pyjwt_decode_distinct_us"]
    )
    return result


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 31
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    result = figures(rounds, batch)
    print(f"Token check, RS256 2048-bit, warm key cache; median of rounds of {batch} checks\n")
    print(f"{'scenario':<44} {'µs/check':>9} {'x bare':>7}")
    rows = (
        ("Authenticator, same token repeated", "authenticator_same_token_us", "ratio_same_token"),
        ("Authenticator, distinct tokens", "authenticator_distinct_tokens_us", "ratio_distinct_tokens"),
        ("bare PyJWT decode (same token)", "bare_pyjwt_decode_us", None),
        ("bare PyJWT decode (distinct tokens)", "bare_pyjwt_decode_distinct_us", None),
    )
    for label, figure, ratio in rows:
        shown = f"{result[ratio]:>6.2f}x" if ratio else ""
        print(f"{label:<44} {result[figure]:>9.1f} {shown:>7}")
    print(f"\nJWKS fetches during the run: {result['jwks_fetches']:.0f}")


if __name__ == "__main__":
    main()
