"""HTTP entrypoints (blueprints). Thin: parse, authenticate, call a service, map the result."""
