"""The composition root: the one place that picks adapters. Everything is built on first use."""

from __future__ import annotations

import functools
from pathlib import Path

from shared.auth import Authenticator
from shared.directory import Directory
from shared.repository import ProfileRepository
from shared.settings import Settings, get_settings

#: The function app's root (the folder holding function_app.py); relative paths start here.
APP_ROOT = Path(__file__).resolve().parent.parent


def settings() -> Settings:
    return get_settings()


@functools.lru_cache(maxsize=1)
def repository() -> ProfileRepository:
    """The store named by PROFILE_STORE, created once per process."""
    current = settings()
    if current.profile_store == "cosmos":
        from shared.repository.cosmos import CosmosRepository

        return CosmosRepository.from_settings(current)
    from shared.repository.sqlite import SqliteRepository

    path = Path(current.profile_sqlite_path)
    return SqliteRepository(str(path if path.is_absolute() else APP_ROOT / path))


@functools.lru_cache(maxsize=1)
def directory() -> Directory:
    """The directory named by DIRECTORY (contract §5), created once per process with its lookup cache."""
    current = settings()
    if current.directory == "graph":
        from shared.directory.graph import GraphDirectory

        return GraphDirectory.from_settings(current)
    from shared.directory.local import LocalDirectory

    return LocalDirectory(repository())


@functools.lru_cache(maxsize=1)
def paging_key() -> bytes:
    """The key that seals paging tokens: a secret kept in the store, so every instance shares it."""
    return repository().secret("paging-token-key")


@functools.lru_cache(maxsize=1)
def authenticator() -> Authenticator:
    """The bearer-token validator, with its JWKS cache, created once per process.

    With the development issuer, its keys are read in-process (never over HTTP from the app itself).
    """
    current = settings()
    if current.dev_issuer:
        from shared.auth.dev_issuer import in_process_fetch

        return Authenticator(current, fetch_json=in_process_fetch(current))
    return Authenticator(current)


def reset() -> None:
    """Forget everything built so far (tests switch settings between cases)."""
    if directory.cache_info().currsize:
        close = getattr(directory(), "close", None)
        if close is not None:
            close()
    directory.cache_clear()
    if repository.cache_info().currsize:
        repository().close()
    repository.cache_clear()
    paging_key.cache_clear()
    authenticator.cache_clear()
    get_settings.cache_clear()
