"""Storage: the repository port and its adapters (sqlite: embedded default; cosmos: Azure)."""
from shared.repository.port import Facet, IfMatch, ProfileRepository, etag_matches

__all__ = ["Facet", "IfMatch", "ProfileRepository", "etag_matches"]
