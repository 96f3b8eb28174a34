"""Storage: the repository port and its adapters (sqlite: embedded default; cosmos: Azure)."""

from shared.repository.port import (
    ChangeStore,
    Facet,
    FacetStore,
    IfMatch,
    ProfileRepository,
    ProfileStore,
    SecretStore,
    UserStore,
    etag_matches,
)

__all__ = [
    "ChangeStore",
    "Facet",
    "FacetStore",
    "IfMatch",
    "ProfileRepository",
    "ProfileStore",
    "SecretStore",
    "UserStore",
    "etag_matches",
]
