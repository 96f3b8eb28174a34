"""The generated code tables say what pycountry and langcodes say (regenerated and compared), and the
language-tag check built on them decides every tag exactly as the libraries themselves would."""

from __future__ import annotations

import re
import string

import langcodes
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.generate_code_tables import TARGET, render
from shared.validation import code_tables
from shared.validation.codes import country_code, locale_tag

_TAG_CHARS = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
ISO_639 = frozenset(
    code.lower()
    for language in pycountry.languages
    for code in (getattr(language, name, None) for name in ("alpha_2", "alpha_3", "bibliographic"))
    if code
)
SCRIPTS = sorted(script.alpha_4 for script in pycountry.scripts)
REGIONS = sorted(
    [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase] + [f"{n:03d}" for n in range(1000)]
)


def reference_accepts(value: str) -> bool:
    """The check as it was before the tables: pycountry's ISO 639 codes, then langcodes.tag_is_valid."""
    if len(value) > 35 or not _TAG_CHARS.fullmatch(value):
        return False
    primary = value.split("-", 1)[0].lower()
    return 2 <= len(primary) <= 3 and primary.isalpha() and primary in ISO_639 and langcodes.tag_is_valid(value)


def assert_same(values: list[str]) -> None:
    wrong = [v for v in values if (locale_tag(v) is not None) != reference_accepts(v)]
    assert wrong == [], f"{len(wrong)} tags decided differently, e.g. {wrong[:10]}"


def test_the_module_is_what_the_generator_writes_from_the_installed_libraries():
    assert TARGET.read_text(encoding="utf-8") == render(), "run scripts/generate_code_tables.py"


def test_countries_are_pycountrys_alpha_2_codes():
    assert {c.alpha_2 for c in pycountry.countries} == code_tables.COUNTRIES
    assert all(country_code(code.lower()) == code for code in code_tables.COUNTRIES)
    assert country_code("XX") is None and country_code("EU") is None


def test_every_iso_639_code_alone_in_any_case():
    assert code_tables.LANGUAGES == ISO_639
    assert_same(sorted(ISO_639))
    assert_same([code.upper() for code in sorted(ISO_639)[::7]])


@pytest.mark.parametrize("language", ["en", "nb", "zh", "sr", "eng", "sh", "iw", "no", "sgn", "yue", "und"])
def test_every_region_after_a_language(language: str):
    assert_same([f"{language}-{region}" for region in REGIONS])


@pytest.mark.parametrize("template", ["{}", "sr-{}", "zh-{}-TW", "en-{}-419", "az-{}-AZ"])
def test_every_script(template: str):
    assert_same([template.format(script) for script in SCRIPTS] + [template.format("Zzzy"), template.format("Latx")])


def test_tags_langcodes_treats_specially():
    tags = [
        "en-GB-oed",
        "i-klingon",
        "zh-min-nan",
        "zh-min",
        "art-lojban",
        "sgn-US",
        "sgn-BE-FR",
        "no-bok",
        "zh-cmn-Hans",
        "en-US-x-private",
        "x-heptapod",
        "de-1901",
        "de-1901-1901",
        "de-CH-1996",
        "en-a-bbb-c-ddd",
        "en-a-bbb-a-ddd",
        "sl-rozaj-biske",
        "zh-yue-HK",
        "und-ibe",
        "en-Latn-US-u-ca-gregory",
        "eng",
        "eng-US",
        "sh-Latn",
        "iw-IL",
        "mo",
        "en-QU",
        "en-004",
        "en-000",
        "en-001",
        "en-AA",
        "en-ZZ",
        "en-Qaaa",
        "en-Qabx",
        "en-Latn-Cyrl",
        "hy-arevmda",
        "en-us-",
        "en--us",
        "e",
        "enx",
        "EN-LATN-US",
        "nb-no",
        "fil-PH",
        "es-419",
        "en-GB-oxendict",
        "en-GB-oxenfree",
    ]
    assert_same(tags)


_SUBTAGS = st.sampled_from(
    [
        "en",
        "nb",
        "zh",
        "sr",
        "eng",
        "sh",
        "iw",
        "sgn",
        "x",
        "a",
        "u",
        "1901",
        "rozaj",
        "Latn",
        "Hant",
        "Qaaa",
        "US",
        "NO",
        "QU",
        "419",
        "004",
        "000",
        "min",
        "nan",
        "yue",
        "cmn",
        "oed",
        "ca",
        "gregory",
        "Zzzz",
        "AA",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SUBTAGS, min_size=1, max_size=5))
def test_any_combination_of_subtags(subtags: list[str]):
    tag = "-".join(subtags)
    assert (locale_tag(tag) is not None) == reference_accepts(tag), tag
