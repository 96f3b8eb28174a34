"""The embedded store: the repository port over one SQLite file (PROFILE_STORE=sqlite, the default).

`schema.py`: tables, every statement, upgrades of older files; `store.py`: connections, the write
lock and failure mapping; `repository.py`: the port's operations.
"""

from shared.repository.sqlite.repository import SqliteRepository

__all__ = ["SqliteRepository"]
