"""Build Hypothesis' Unicode tables once, before the tests run (`make setup`).

Hypothesis builds the table of Unicode categories and the characters a codec encodes the first time a
strategy draws text, and caches both under HYPOTHESIS_STORAGE_DIRECTORY (the Makefile's .cache/hypothesis).
On a fresh clone the cache is empty, and every lane whose tests draw UTF-8 text would build them itself;
built here, beside the other installs, the lanes only read them.
"""

from hypothesis import find, settings
from hypothesis.strategies import characters

if __name__ == "__main__":
    find(characters(codec="utf-8"), lambda _: True, settings=settings(database=None))
