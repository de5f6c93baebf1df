"""The database schema, as an ordered list of migrations. Never edit one that has shipped.

The steps live in the modules below and register themselves with `registry.migrations` when
imported: the imports here are in migration order, and that order is the order they apply.
"""

from __future__ import annotations

import sqlite_utils

# isort: off
# Each import registers its steps: keep them in migration order.
from server.migrations import first_schema  # noqa: F401
from server.migrations import sync_v2  # noqa: F401
from server.migrations import features  # noqa: F401
from server.migrations import videos  # noqa: F401

# isort: on
from server.migrations.registry import migrations

__all__ = ["apply", "migrations", "pending"]


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    names = pending(db)
    migrations.apply(db)
    return names
