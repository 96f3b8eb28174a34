"""Guards for the few places that rely on a library's internals: applied only to the tested versions.

Two pieces of the app reach into a library's private structure: the binding-signature memo
(functions/binding_signatures.py, azure-functions' decorator wrappers) and the per-thread response
headers (shared/repository/cosmos/connection.py, azure-cosmos' client connection). Each asks its
`Pin` whether the installed version is one the tests ran; otherwise it does nothing, so the
library behaves as it was built, and one line is logged. requirements.txt pins each library to the
same range (a test compares them), so a deployment gets a tested version; the guard covers an
environment that installs another one anyway (a newer worker image, a hand-made venv).

The version is the package's own `__version__` (already imported by then): reading the installed
distribution's metadata would cost a scan of sys.path during cold start.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger("profile_api.library_versions")

_RELEASE = re.compile(r"\d+(\.\d+)*")
_BOUNDS = re.compile(r">=(?P<minimum>\d+(\.\d+)*),<(?P<below>\d+(\.\d+)*)")


def release(version: object) -> tuple[int, ...] | None:
    """`1.26.0` → (1, 26, 0); None for anything that is not a plain final release (e.g. `4.18.0b1`)."""
    if not isinstance(version, str) or not _RELEASE.fullmatch(version):
        return None
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Pin:
    """A distribution and the version range (`>=A,<B`, as written in requirements.txt) the tests ran."""

    distribution: str
    specifier: str

    def _bounds(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        found = _BOUNDS.fullmatch(self.specifier)
        if found is None:
            raise ValueError(f"unsupported specifier {self.specifier!r} (expected >=A,<B)")
        return release(found["minimum"]) or (), release(found["below"]) or ()

    def admits(self, version: object) -> bool:
        """True when `version` is a final release within the range."""
        found = release(version)
        if found is None:
            return False
        minimum, below = self._bounds()
        return minimum <= found < below

    def applies(self, version: object, what: str) -> bool:
        """`admits`, logging one line (info) when it does not: `what` is left to the library."""
        if self.admits(version):
            return True
        log.info(
            "%s %s is not within the tested %s: skipping %s (the library's own behaviour stays)",
            self.distribution,
            version,
            self.specifier,
            what,
        )
        return False


#: The binding-signature memo (functions/binding_signatures.py).
AZURE_FUNCTIONS = Pin("azure-functions", ">=1.26,<1.27")
#: The per-thread response headers (shared/repository/cosmos/connection.py).
AZURE_COSMOS = Pin("azure-cosmos", ">=4.17.1,<4.18")
#: Every pin; requirements.txt states each one exactly.
PINS = (AZURE_FUNCTIONS, AZURE_COSMOS)
