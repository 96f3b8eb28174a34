"""The repository port and its adapters (sqlite, cosmos). Only the composition root picks one."""
from shared.repository.port import ProfileRepository, RepositoryErrors

__all__ = ["ProfileRepository", "RepositoryErrors"]
