"""benchmarks/token_check.py stays runnable (figures only; no timing is asserted)."""

from __future__ import annotations

from benchmarks.token_check import figures


def test_figures_cover_every_scenario_with_one_key_fetch():
    result = figures(rounds=1, batch=2)
    assert set(result) == {
        "authenticator_same_token_us",
        "authenticator_distinct_tokens_us",
        "bare_pyjwt_decode_us",
        "bare_pyjwt_decode_distinct_us",
        "ratio_same_token",
        "ratio_distinct_tokens",
        "jwks_fetches",
    }
    assert all(value > 0 for value in result.values())
    assert result["jwks_fetches"] == 1, "the key cache stays warm through every scenario"
