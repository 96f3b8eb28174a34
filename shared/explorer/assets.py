"""The explorer's files: a fixed allow-list, read on the first request for each and kept for the process.

Swagger UI's distribution files come from the PyPI package `swagger-ui-bundle-v2` (requirements.txt), so
they are installed wherever the app is: by `make run`, by `pip install -r requirements.txt` for Core
Tools, and by the remote build of the deployment package in Azure. Each file's SHA-256 is pinned here;
they are byte for byte the files of the npm package `swagger-ui-dist` of the same version (the Swagger
UI project's own distribution). A file that differs is refused (a changed package, a corrupted install)
rather than served. The package's directory is found without importing it, and its Jinja2 templates
are not used. The explorer's own files (its initialiser and a few styles) live beside this module.

Nothing is read at import: the function app imports this module to index its functions.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

#: The Swagger UI release the pinned hashes belong to (the package's version names it too).
SWAGGER_UI_VERSION = "5.31.0"
SWAGGER_UI_PACKAGE = "swagger_ui_bundle"
OWN_FILES = Path(__file__).resolve().parent / "static"

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
HTML = "text/html; charset=utf-8"
PNG = "image/png"


class AssetError(RuntimeError):
    """An allowed file is missing or is not the pinned one (an installation problem; logged, answered 500)."""


@dataclass(frozen=True)
class Asset:
    """One file the explorer serves under `docs/<name>`."""

    name: str
    content_type: str
    #: SHA-256 of a Swagger UI file as released; None for the explorer's own files (served from this folder).
    sha256: str | None = None

    @property
    def html(self) -> bool:
        return self.content_type == HTML


ASSETS: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        Asset("swagger-ui.css", CSS, "9e576f8322132c76949da47f9bb53c891373c303ea3a761ff548ffc9de50a98c"),
        Asset("swagger-ui-bundle.js", JS, "93b7b0862a80e2786f85b560be7693c2344354ffa7e7e224f850a54349724c31"),
        Asset("oauth2-redirect.html", HTML, "f3546c5b74b44eac7de5b4193a641b4f23365470c109b490c566bac0de446745"),
        Asset("oauth2-redirect.js", JS, "a5c8a34e09e49737382cc5019446eec7c3db3461963fc5bfe448361d3c5549e9"),
        Asset("favicon-32x32.png", PNG, "3ed612f41e050ca5e7000cad6f1cbe7e7da39f65fca99c02e99e6591056e5837"),
        Asset("explorer.js", JS),
        Asset("explorer.css", CSS),
    )
}


@dataclass(frozen=True)
class Loaded:
    """A file's bytes and its strong entity tag."""

    body: bytes
    etag: str


def swagger_ui_folder() -> Path:
    """The installed distribution's folder (the package is located, not imported)."""
    spec = importlib.util.find_spec(SWAGGER_UI_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise AssetError(
            f"Swagger UI is not installed (PyPI swagger-ui-bundle-v2=={SWAGGER_UI_VERSION}; "
            "pip install -r requirements.txt)"
        )
    return Path(locations[0]) / "vendor" / f"swagger-ui-{SWAGGER_UI_VERSION}"


@functools.cache
def load(name: str) -> Loaded:
    """The bytes of an allowed file (KeyError for any other name), checked against its pinned hash."""
    asset = ASSETS[name]
    path = (swagger_ui_folder() if asset.sha256 else OWN_FILES) / asset.name
    try:
        body = path.read_bytes()
    except OSError as error:
        raise AssetError(f"the explorer's file {asset.name} cannot be read ({error.strerror})") from None
    digest = hashlib.sha256(body).hexdigest()
    if asset.sha256 is not None and digest != asset.sha256:
        raise AssetError(f"{asset.name} is not Swagger UI {SWAGGER_UI_VERSION}'s file (SHA-256 differs)")
    return Loaded(body, f'"{digest[:32]}"')
