"""HTTP entrypoints (blueprints). Thin: parse, authenticate, call a service, map the result."""

from functions import binding_signatures

binding_signatures.remember()  # before any blueprint registers a function (see that module)
