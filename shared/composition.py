"""The composition root: the one place that picks adapters. Everything is built on first use, once per process.

The function host runs a process's calls on several threads at once, so the first calls of a cold process
meet here together: `once` builds each piece for the first of them while the others wait, instead of each
building its own (several store clients, a SQLite file opened and upgraded by several threads at once).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from shared.auth import Authenticator
from shared.directory import Directory
from shared.repository import ProfileRepository
from shared.settings import Settings, get_settings

#: The function app's root (the folder holding function_app.py); relative paths start here.
APP_ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")


class once(Generic[T]):
    """A factory of no arguments run at most once per process, however many threads ask for it together.

    A factory that raises is not remembered: the next call tries again (a store that was down at the first
    call is used once it is back). `forget()` drops what was built, for `reset()`.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._built: tuple[T] | None = None
        functools.update_wrapper(self, factory)

    def __call__(self) -> T:
        built = self._built
        if built is None:
            with self._lock:
                built = self._built
                if built is None:
                    built = self._built = (self._factory(),)
        return built[0]

    @property
    def built(self) -> bool:
        return self._built is not None

    def forget(self) -> None:
        with self._lock:
            self._built = None


def settings() -> Settings:
    return get_settings()


@once
def repository() -> ProfileRepository:
    """The store named by PROFILE_STORE, created once per process."""
    current = settings()
    if current.profile_store == "cosmos":
        from shared.repository.cosmos import CosmosRepository

        return CosmosRepository.from_settings(current)
    from shared.repository.sqlite import SqliteRepository

    path = Path(current.profile_sqlite_path)
    return SqliteRepository(str(path if path.is_absolute() else APP_ROOT / path))


@once
def directory() -> Directory:
    """The directory named by DIRECTORY (contract §5), created once per process with its lookup cache."""
    current = settings()
    if current.directory == "graph":
        from shared.directory.graph import GraphDirectory

        return GraphDirectory.from_settings(current)
    from shared.directory.local import LocalDirectory

    return LocalDirectory(repository())


@once
def paging_key() -> bytes:
    """The key that seals paging tokens: a secret kept in the store, so every instance shares it."""
    return repository().secret("paging-token-key")


@once
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
    if directory.built:
        close = getattr(directory(), "close", None)
        if close is not None:
            close()
    directory.forget()
    if repository.built:
        repository().close()
    repository.forget()
    paging_key.forget()
    authenticator.forget()
    get_settings.cache_clear()
