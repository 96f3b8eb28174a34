"""Profile API: the Azure Functions app (Python v2 model). Registers the route table; nothing else.

Settings are checked here so a bad value stops start-up with a message naming it; no client is
created at import time (the worker imports this module to index the functions).
"""

import gc

import azure.functions as func

from functions import routes
from shared.settings import get_settings

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
routes.register(app, routes.build_table(dev_issuer=get_settings().dev_issuer))

# What start-up built (modules, functions, declarations) lives as long as the process: keep it out of the
# cyclic collector's full collections, which otherwise scan it all on every one.
gc.freeze()
