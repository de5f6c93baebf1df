"""A database with people in it."""

from __future__ import annotations

import uuid
from pathlib import Path

from server import migrations
from server.db import connect, write_transaction
from server.library.publish import publish
from server.storage import people
from tests.support.paths import FIXTURE_LIBRARY

ANN = "ann@example.com"
BO = "bo@example.com"


def people_db(path: Path) -> Path:
    """A migrated database with the fixture library published and two reps, Ann and Bo."""
    database = connect(path)
    migrations.apply(database)
    publish(database, FIXTURE_LIBRARY)
    with write_transaction(database):
        for address, name in ((ANN, "Ann Archer"), (BO, "Bo Baker")):
            user_id = str(uuid.uuid4())
            people.insert_user(database, user_id, address, name, "2026-01-01T00:00:00.000Z")
            people.set_roles(database, user_id, ["rep"])
    database.close()
    return path
