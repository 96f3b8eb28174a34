"""The explorer's page (`GET docs`) and the Content-Security-Policy of everything it loads.

The page is static markup: Swagger UI's stylesheet and script, and the explorer's own initialiser
(static/explorer.js), which reads its settings from `data-` attributes of one element. There is no
inline script or style anywhere, so each policy allows scripts and styles from the app's own origin
only. The sign-in's token endpoint is the one other place the page may send a request to (Entra ID;
the development issuer is the app itself).
"""

from __future__ import annotations

from html import escape

from shared.auth.sign_in import SignIn

#: The scope the Authorize dialog ticks by default (any other may be ticked instead).
DEFAULT_PERMISSION = "User.ReadWrite"

#: Every response of the explorer and the development issuer's pages.
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
_FRAME = "frame-ancestors 'none'; base-uri 'none'"
#: Scripts, stylesheets and images: they are no documents, so they may load nothing.
ASSET_POLICY = f"default-src 'none'; {_FRAME}"
#: Swagger UI's OAuth redirect page: its own script, which hands the code to the page that opened it.
REDIRECT_POLICY = f"default-src 'none'; script-src 'self'; {_FRAME}"
#: The development issuer's sign-in page: a stylesheet and a form posted to itself.
SIGN_IN_POLICY = f"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; {_FRAME}"


def page_policy(sign_in: SignIn | None) -> str:
    """The page's policy: its own scripts, styles and images (Swagger UI's icons are `data:` images in its
    stylesheet), requests to the API itself and to the sign-in's token endpoint."""
    connect = "'self'" + (f" {sign_in.token_origin}" if sign_in is not None and sign_in.token_origin else "")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src {connect}; form-action 'self'; {_FRAME}"
    )


def page(root: str, sign_in: SignIn | None) -> bytes:
    """The page's markup; `root` is the route prefix as a path (`/api`)."""
    docs = f"{root}/docs"
    config = {
        "document": f"{root}/openapi.json",
        "redirect": f"{docs}/oauth2-redirect.html",
    }
    if sign_in is not None:
        config |= {"client-id": sign_in.client_id, "scopes": sign_in.scope(DEFAULT_PERMISSION)}
    attributes = " ".join(f'data-{name}="{escape(value)}"' for name, value in config.items())
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Profile API explorer</title>
<link rel="icon" type="image/png" href="{docs}/favicon-32x32.png">
<link rel="stylesheet" href="{docs}/swagger-ui.css">
<link rel="stylesheet" href="{docs}/explorer.css">
</head>
<body>
<div id="explorer-config" hidden {attributes}></div>
<div id="explorer"><noscript><p class="explorer-noscript">The API explorer needs JavaScript. The OpenAPI document
is at <a href="{root}/openapi.json">{root}/openapi.json</a>.</p></noscript></div>
<script src="{docs}/swagger-ui-bundle.js"></script>
<script src="{docs}/explorer.js"></script>
</body>
</html>
""".encode()
