"""The floor of `make bench`: a bare function app, azure.functions only, one HTTP function returning a constant.

Imported in a fresh interpreter, and served by the same local host as the project
(`python -m devhost --root benchmarks/bare_app`), so each project figure has a floor measured the
same way: what the platform and the host cost with (almost) no application at all.
"""

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
BODY = b'{"ok":true}'


@app.route(route="bare", methods=["GET", "POST"])
def bare(req: func.HttpRequest) -> func.HttpResponse:
    """Always 200 with the same small JSON body (the request body is not read)."""
    return func.HttpResponse(BODY, status_code=200, mimetype="application/json")
