"""Creating and updating people and teams: plan every change first, then write all or none."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.people import rules
from server.people.csv_import import Problem, Row
from server.people.rules import Invalid
from server.storage import auth as auth_store
from server.storage import people as store
from server.storage.people import StoredPerson


class Change(msgspec.Struct, frozen=True):
    """What will happen to one person: created, updated or unchanged."""

    kind: str
    email: str
    name: str
    roles: frozenset[str]
    teams: dict[str, str]
    before: StoredPerson | None = None

    def __str__(self) -> str:
        if self.before is None:
            teams = f"; teams {rules.format_teams(self.teams)}" if self.teams else ""
            return f"created {self.email} ({rules.format_roles(self.roles)}{teams})"
        parts = []
        if self.name != self.before.name:
            parts.append(f"name {self.before.name!r} → {self.name!r}")
        if self.roles != self.before.roles:
            parts.append(f"roles {rules.format_roles(self.before.roles)} → {rules.format_roles(self.roles)}")
        if self.teams != self.before.teams:
            before, after = rules.format_teams(self.before.teams) or "none", rules.format_teams(self.teams) or "none"
            parts.append(f"teams {before} → {after}")
        return f"{self.kind} {self.email}" + (f": {'; '.join(parts)}" if parts else "")


class ImportResult(msgspec.Struct, frozen=True):
    changes: list[Change]
    new_teams: list[str]
    problems: list[Problem]
    applied: bool
    kept: int = 0  # existing people left as they were (--new-only)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def summary(self) -> str:
        """The last line a command prints (documented in docs/people.md)."""
        created, updated, unchanged = self.count("created"), self.count("updated"), self.count("unchanged")
        if not self.applied:
            return f"nothing was imported: {len(self.problems)} problem(s); fix them, or use --partial to import the good rows"
        skipped = f"; {len({p.line for p in self.problems})} bad row(s) skipped" if self.problems else ""
        kept = f"; {self.kept} existing kept as they are" if self.kept else ""
        if not created and not updated and not self.new_teams:
            return f"no changes ({unchanged} unchanged{kept}){skipped}"
        return f"imported: {created} created, {updated} updated, {unchanged} unchanged{kept}{skipped}"


def plan(people: dict[str, StoredPerson], rows: list[Row], path: str) -> tuple[list[Change], list[str], list[Problem]]:
    """The change each row makes to what is stored, the teams to create, and the rows that cannot apply."""
    changes: list[Change] = []
    problems: list[Problem] = []
    teams_needed: set[str] = set()
    for row in rows:
        person = row.person
        before = people.get(person.email)
        try:
            if before is None:
                if person.name is None:
                    raise Invalid(f"{person.email} is new: give their name")
                if person.roles is None:
                    raise Invalid(f"{person.email} is new: give at least one role")
                name, roles, kept_teams = person.name, person.roles, {}
            else:
                name = before.name if person.name is None else person.name
                roles = before.roles if person.roles is None else person.roles
                kept_teams = before.teams
            if person.teams is not None:
                teams = rules.resolve_teams(person.teams, roles)
            else:
                # Roles changed but teams left alone: a coach who stops being one cannot stay a team's coach.
                teams = dict(kept_teams)
                rules.check_memberships(teams, roles)
        except Invalid as error:
            problems.append(Problem(path, row.line, str(error)))
            continue
        teams_needed.update(teams)
        if before is None:
            kind = "created"
        elif (name, roles, teams) == (before.name, before.roles, before.teams):
            kind = "unchanged"
        else:
            kind = "updated"
        changes.append(Change(kind, person.email, name, roles, teams, before))
    return changes, sorted(teams_needed), problems


def import_people(
    db: sqlite_utils.Database,
    rows: list[Row],
    problems: list[Problem],
    path: str,
    *,
    partial: bool = False,
    new_only: bool = False,
    now: datetime.datetime | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> ImportResult:
    """Apply the rows in one transaction. Any problem (already found or found here) stops
    everything unless `partial`, when the good rows are applied and the bad ones reported.
    With `new_only`, rows about people who exist already are left out: nothing of theirs changes."""
    stamp = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
    with write_transaction(db):
        stored = store.all_people(db)
        kept = sum(1 for row in rows if row.person.email in stored) if new_only else 0
        if new_only:
            rows = [row for row in rows if row.person.email not in stored]
        changes, teams_needed, more = plan(stored, rows, path)
        problems = sorted([*problems, *more])
        existing_teams = store.team_ids(db)
        new_teams = [t for t in teams_needed if t not in existing_teams]
        if problems and not partial:
            return ImportResult(changes, new_teams, problems, applied=False, kept=kept)
        for team in new_teams:
            store.insert_team(db, team, team, stamp)
        for change in changes:
            if change.kind == "unchanged":
                continue
            if change.before is None:
                user_id = new_id()
                store.insert_user(db, user_id, change.email, change.name, stamp)
            else:
                user_id = change.before.id
                store.update_user(db, user_id, change.name, stamp)
            if change.before is None or change.roles != change.before.roles:
                store.set_roles(db, user_id, change.roles)
                old = ";".join(sorted(change.before.roles)) if change.before else "none"
                detail = f"{old} -> {';'.join(sorted(change.roles)) or 'none'}"
                auth_store.audit(db, stamp, "role-change", change.email, detail=detail)
            if change.before is None or change.teams != change.before.teams:
                store.set_memberships(db, user_id, change.teams)
    return ImportResult(changes, new_teams, problems, applied=True, kept=kept)


def list_people(db: sqlite_utils.Database) -> list[StoredPerson]:
    return list(store.all_people(db).values())


class EmailTaken(ValueError):
    """Someone else has that address already."""


def change_email(db: sqlite_utils.Database, old: str, new: str, now: datetime.datetime | None = None) -> tuple[str, str]:
    """Give a person a new address. Everything they did follows: records refer to their user
    id, not their address. Audited as `email-change`. Returns (old, new), normalised."""
    stamp = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
    before, after = rules.normalise_email(old), rules.normalise_email(new)
    with write_transaction(db):
        user_id = store.user_id_for_email(db, before)
        if user_id is None:
            raise LookupError(f"no one has the address {before}: see `recap users list`")
        if after == before:
            return before, after
        if store.user_id_for_email(db, after) is not None:
            raise EmailTaken(f"someone else has the address {after} already")
        store.set_email(db, user_id, after, stamp)
        auth_store.audit(db, stamp, "email-change", after, detail=f"{before} -> {after}")
    return before, after
