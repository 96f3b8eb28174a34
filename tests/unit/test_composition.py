"""The composition root builds each piece once per process, even when a cold process's first calls arrive
together on several threads, and a piece whose construction failed is built again on the next call."""

from __future__ import annotations

import time

import pytest

from shared import composition
from shared.composition import once
from tests.contract.helpers import together


def test_a_piece_asked_for_by_many_threads_together_is_built_once() -> None:
    builds: list[object] = []

    @once
    def piece() -> object:
        time.sleep(0.2)  # long enough for every thread to arrive while the first one builds
        builds.append(object())
        return builds[-1]

    results = together(8, lambda _: piece())
    assert len(builds) == 1 and all(result is builds[0] for result in results)
    assert piece.built and piece() is builds[0]


def test_a_failed_build_is_not_kept_and_forget_builds_again() -> None:
    attempts: list[int] = []

    @once
    def piece() -> int:
        attempts.append(len(attempts))
        if len(attempts) == 1:
            raise ConnectionError("down")
        return len(attempts)

    with pytest.raises(ConnectionError):
        piece()
    assert not piece.built
    assert piece() == 2 and piece() == 2
    piece.forget()
    assert not piece.built and piece() == 3


def test_the_first_calls_of_a_cold_process_share_one_store(app_env: dict[str, str]) -> None:
    """The SQLite file is opened (and created, and upgraded) by one thread; every thread gets that store."""
    repositories = together(8, lambda _: composition.repository())
    assert all(repository is repositories[0] for repository in repositories)
    keys = together(8, lambda _: composition.paging_key())
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
