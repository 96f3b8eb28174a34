"""Entra ID bearer tokens: validation, signing-key cache, permissions, development issuer."""

from shared.auth.authenticator import Authenticator
from shared.auth.permissions import authorize, sees_all_facets
from shared.auth.principal import Principal

__all__ = ["Authenticator", "Principal", "authorize", "sees_all_facets"]
