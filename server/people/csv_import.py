"""Reading a people CSV: bytes in, validated rows and located problems out. Pure: no database.

The format is in docs/people.md. Every problem names the file and the line it is on, as
`FILE:LINE: message` (or `FILE: message` for the file as a whole), so that a spreadsheet can
be fixed row by row.
"""

from __future__ import annotations

import csv
import io

import msgspec

from server.csv_files import Unreadable, csv_text
from server.people import rules
from server.people.rules import Invalid, Person

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
COLUMNS = ("email", "name", "roles", "teams")
REQUIRED = ("email", "name", "roles")  # without `teams`, memberships stay as they are


class Problem(msgspec.Struct, frozen=True, order=True):
    """One thing wrong in an import file. Sorted by line."""

    path: str
    line: int = 0  # 0: the file as a whole
    message: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class Row(msgspec.Struct, frozen=True):
    """A valid row and the line it starts on."""

    line: int
    person: Person


class ParsedFile(msgspec.Struct, frozen=True):
    rows: list[Row]
    problems: list[Problem]
    fatal: bool = False  # the file as a whole is unusable: nothing may be imported from it


def parse_people_csv(path: str, data: bytes) -> ParsedFile:
    """Every valid row of the file, and a problem for every bad row, header or encoding."""
    try:
        text = csv_text(data, MAX_BYTES)
    except Unreadable as unreadable:
        return _fatal(path, unreadable.line, unreadable.message)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows: list[Row] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}  # email -> the line it was first on
    count = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(path, line, f"not valid CSV: {error}"))
            return ParsedFile([], problems, fatal=True)
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and the `,,,` rows spreadsheets leave behind
        if header is None:
            header = cells
            header_problems = _check_header(path, line, cells)
            if header_problems:
                return ParsedFile([], header_problems, fatal=True)
            columns = {name.strip().lower(): i for i, name in enumerate(cells)}
            continue
        count += 1
        if count > MAX_ROWS:
            return _fatal(path, line, f"more than {MAX_ROWS} people: split the file into several files")
        if len(cells) != len(header):
            problems.append(Problem(path, line, f"{len(cells)} fields, but the header has {len(header)}"))
            continue
        row_problems, person = _check_row(cells, columns)
        if person is not None:
            first = seen.get(person.email)
            if first is not None:
                row_problems.append(f"{person.email} is already on line {first}")
            else:
                seen[person.email] = line
        if row_problems:
            problems.extend(Problem(path, line, message) for message in row_problems)
        elif person is not None:
            rows.append(Row(line, person))
    if header is None:
        return _fatal(path, 0, f"the file is empty: the first line must be the header {','.join(COLUMNS)}")
    return ParsedFile(rows, problems)


def _fatal(path: str, line: int, message: str) -> ParsedFile:
    return ParsedFile([], [Problem(path, line, message)], fatal=True)


def _check_header(path: str, line: int, cells: list[str]) -> list[Problem]:
    names = [cell.strip().lower() for cell in cells]
    if len(names) == 1 and ";" in names[0]:
        return [Problem(path, line, "the columns are separated by ';': save the file with commas between columns")]
    problems: list[str] = []
    for i, name in enumerate(names, start=1):
        if not name:
            problems.append(f"column {i} has no heading: use {', '.join(COLUMNS)}")
        elif name not in COLUMNS:
            problems.append(f"unknown column {cells[i - 1].strip()!r}: use {', '.join(COLUMNS)}")
        elif names.index(name) != i - 1:
            problems.append(f"column {name!r} appears twice")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(
            f"missing column(s): {', '.join(missing)} (the header must name {', '.join(REQUIRED)}, and may name teams)"
        )
    return [Problem(path, line, message) for message in problems]


def _check_row(cells: list[str], columns: dict[str, int]) -> tuple[list[str], Person | None]:
    """The row's problems, and the person it describes when the email at least is valid."""
    problems: list[str] = []
    try:
        email = rules.normalise_email(cells[columns["email"]])
    except Invalid as error:
        problems.append(str(error))
        email = ""
    try:
        name: str | None = rules.check_name(cells[columns["name"]])
    except Invalid as error:
        problems.append(str(error))
        name = None
    try:
        roles: frozenset[str] | None = rules.parse_roles(cells[columns["roles"]])
    except Invalid as error:
        problems.append(str(error))
        roles = None
    teams: dict[str, str | None] | None = None
    if "teams" in columns:
        try:
            teams = rules.parse_teams(cells[columns["teams"]].split(";"))
            if roles is not None:
                rules.resolve_teams(teams, roles)
        except Invalid as error:
            problems.append(str(error))
    person = Person(email, name, roles, teams) if email else None
    return problems, person
