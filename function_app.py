"""Profile API: the Azure Functions app (Python v2 model). Registers blueprints; nothing else.

Settings are checked here so a bad value stops start-up with a message naming it; no client is
created at import time (the worker imports this module to index the functions).
"""
import gc

import azure.functions as func

from functions import facets, fallback, openapi, profile
from shared.settings import get_settings

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(profile.bp)
app.register_functions(facets.bp)
app.register_functions(openapi.bp)

if get_settings().dev_issuer:
    from functions import dev_issuer

    app.register_functions(dev_issuer.bp)

fallback.register(app)  # last: Graph's 404/405 for every other path and method (reads the routes above)

# What start-up built (modules, functions, declarations: ~40,000 objects) lives as long as the process:
# keep it out of the cyclic collector's full collections, which otherwise scan it all (~12 ms each).
gc.freeze()
