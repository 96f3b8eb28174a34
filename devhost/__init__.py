"""The local host: serves function_app's HTTP functions over real HTTP with waitress (never deployed)."""

from devhost.server import create, serve, stop
from devhost.wsgi import make_wsgi_app

__all__ = ["create", "make_wsgi_app", "serve", "stop"]
