"""Shared pytest wiring: the plugins that start real servers and mint real tokens."""

pytest_plugins = [
    "tests.support.identity",
    "tests.support.app",
    "tests.support.localhost",
    "tests.support.cosmos_server",
    "tests.support.graph_stub",
    "tests.support.lanes",
]
