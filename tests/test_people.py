"""People and teams: the rules, `recap users add|import|list`, and the demo accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from server import migrations
from server.db import connect
from server.people import rules
from server.people.csv_import import MAX_ROWS, parse_people_csv
from server.people.rules import Invalid
from tests.support.paths import ROOT
from tests.support.server import run_recap

HEADER = "email,name,roles,teams\n"
GOOD = HEADER + "ann@example.com,Ann Archer,rep,demo\nbo@example.com,Bo Baker,coach;rep,demo:coach;north\n"


def state(db_path: Path) -> list[tuple[str, ...]]:
    """Everything a person would see of people and teams, as sorted tuples."""
    db = connect(db_path)
    try:
        migrations.apply(db)
        users = db.execute("SELECT email, name, disabled FROM users ORDER BY email").fetchall()
        roles = db.execute("SELECT u.email, r.role FROM user_roles r JOIN users u ON u.id = r.user_id ORDER BY 1, 2")
        members = db.execute(
            "SELECT t.team_id, u.email, t.role FROM team_members t JOIN users u ON u.id = t.user_id ORDER BY 1, 2"
        )
        teams = db.execute("SELECT id, name FROM teams ORDER BY id").fetchall()
        return [*map(tuple, users), *map(tuple, roles.fetchall()), *map(tuple, members.fetchall()), *map(tuple, teams)]
    finally:
        db.close()


def write(tmp_path: Path, text: str | bytes, name: str = "people.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def users_list(db_path: Path) -> list[str]:
    result = run_recap("users", "list", db_path=db_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# --- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Archer+sales@Example.COM ", "ann.archer+sales@example.com"),
        ("o'neil@sub.example.co.uk", "o'neil@sub.example.co.uk"),
    ],
)
def test_emails_are_stored_trimmed_and_lower_case(given: str, stored: str) -> None:
    assert rules.normalise_email(given) == stored


@pytest.mark.parametrize(
    "bad",
    ["", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com", "ann.@example.com", ".ann@example.com",
     "an..n@example.com", "ann@-example.com", "ann@example..com", "ann@exa_mple.com", "ann @example.com",
     "anné@example.com", "ann@example.123", "a" * 65 + "@example.com", "ann@" + "a" * 250 + ".com",
     '"ann"@example.com', "ann@[127.0.0.1]"],
)  # fmt: skip
def test_addresses_that_are_not_plain_emails_are_refused(bad: str) -> None:
    with pytest.raises(Invalid):
        rules.normalise_email(bad)


def test_names_roles_and_team_ids() -> None:
    assert rules.check_name("  Zoë  ") == "Zoë"
    assert rules.check_name("x" * 200) == "x" * 200
    for bad in ["", "   ", "x" * 201, "Ann\tArcher"]:
        with pytest.raises(Invalid):
            rules.check_name(bad)
    assert rules.parse_roles(" Coach ; rep;; ") == {"coach", "rep"}
    with pytest.raises(Invalid, match="unknown role 'boss'"):
        rules.parse_roles("rep;boss")
    assert rules.check_team_slug("North-2") == "north-2"
    for bad in ["", "-north", "north-", "north team", "n" * 41, "nörth"]:
        with pytest.raises(Invalid):
            rules.check_team_slug(bad)
    # A team given without a role: the highest team role the person holds.
    assert rules.resolve_teams({"a": None, "b": "rep"}, frozenset({"rep", "manager"})) == {"a": "manager", "b": "rep"}
    with pytest.raises(Invalid, match="needs the coach role"):
        rules.resolve_teams({"a": "coach"}, frozenset({"rep"}))
    with pytest.raises(Invalid, match="give no role in a team"):
        rules.resolve_teams({"a": None}, frozenset({"editor"}))


def test_the_schema_refuses_what_the_rules_refuse(db: sqlite_utils.Database) -> None:
    import sqlite3

    db.execute("INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u1', 'a@b.co', 'A', 'now', 'now')")
    for sql in [
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u2', 'A@b.co', 'A', 'now', 'now')",
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u2', 'a@b.co', 'A', 'now', 'now')",
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u2', 'c@b.co', '', 'now', 'now')",
        "INSERT INTO user_roles (user_id, role) VALUES ('u1', 'boss')",
        "INSERT INTO user_roles (user_id, role) VALUES ('nobody', 'rep')",
        "INSERT INTO teams (id, name, created_at) VALUES ('North Team', 'N', 'now')",
        "INSERT INTO team_members (team_id, user_id, role) VALUES ('missing', 'u1', 'rep')",
    ]:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    db.execute("INSERT INTO teams (id, name, created_at) VALUES ('north', 'North', 'now')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO team_members (team_id, user_id, role) VALUES ('north', 'u1', 'editor')")


# --- recap users add -----------------------------------------------------------------------


def test_add_creates_then_updates_one_person(db_path: Path) -> None:
    result = run_recap(
        "users", "add", " Ann@Example.com", "--name", "Ann", "--role", "rep", "--team", "demo", db_path=db_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["created team demo", "created ann@example.com (rep; teams demo:rep)"]
    assert users_list(db_path) == ["ann@example.com\tAnn\trep\tdemo:rep"]

    # Roles given replace the roles; teams left out stay as they are.
    result = run_recap("users", "add", "ann@example.com", "--role", "rep", "--role", "coach", db_path=db_path)
    assert result.stdout == "updated ann@example.com: roles rep → rep;coach\n"
    assert users_list(db_path) == ["ann@example.com\tAnn\trep;coach\tdemo:rep"]

    # Teams given replace the teams; without `:ROLE` the highest team role held is used.
    result = run_recap("users", "add", "ANN@example.com", "--team", "north", "--team", "demo:rep", db_path=db_path)
    assert result.stdout == "created team north\nupdated ann@example.com: teams demo:rep → demo:rep;north:coach\n"
    result = run_recap("users", "add", "ann@example.com", "--name", "Ann Archer", db_path=db_path)
    assert result.stdout == "updated ann@example.com: name 'Ann' → 'Ann Archer'\n"
    result = run_recap(
        "users", "add", "ann@example.com", "--name", "Ann Archer", "--role", "coach", "--role", "rep", db_path=db_path
    )
    assert (result.returncode, result.stdout) == (0, "unchanged ann@example.com\n")
    assert users_list(db_path) == ["ann@example.com\tAnn Archer\trep;coach\tdemo:rep;north:coach"]
    result = run_recap("users", "add", "ann@example.com", "--team", "", db_path=db_path)
    assert result.stdout == "updated ann@example.com: teams demo:rep;north:coach → none\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new@example.com", "--role", "rep"], "new@example.com is new: give their name"),
        (["new@example.com", "--name", "New"], "new@example.com is new: give at least one role"),
        (["new@example", "--name", "New", "--role", "rep"], "'new@example' is not an email address, e.g. ann@example.com"),
        (["new@example.com", "--name", "New", "--role", "boss"], "unknown role 'boss': use rep, coach, editor, manager, admin"),
        (["new@example.com", "--name", "New", "--role", "editor", "--team", "demo"],
         "team demo: roles editor give no role in a team; write demo:rep, demo:coach or demo:manager"),
        (["new@example.com", "--name", "New", "--role", "rep", "--team", "demo:coach"],
         "team demo: being coach in a team needs the coach role too (roles: rep)"),
        (["new@example.com", "--name", "New", "--role", "rep", "--team", "Demo Team"],
         "'Demo Team' is not a team id: use lower-case letters, digits and hyphens, e.g. demo-team"),
        # Taking away the coach role while they still coach a team.
        (["coach@example.com", "--role", "rep"], "team demo: being coach in a team needs the coach role too (roles: rep)"),
    ],
)  # fmt: skip
def test_add_refuses_with_a_message_and_changes_nothing(db_path: Path, args: list[str], message: str) -> None:
    run_recap("users", "add", "coach@example.com", "--name", "C", "--role", "coach", "--team", "demo", db_path=db_path)
    before = state(db_path)
    result = run_recap("users", "add", *args, db_path=db_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"recap users add: {message}\n")
    assert state(db_path) == before


# --- recap users import --------------------------------------------------------------------


def test_import_creates_updates_and_is_idempotent(tmp_path: Path, db_path: Path) -> None:
    csv_file = write(tmp_path, GOOD)
    first = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines() == [
        "created team demo",
        "created team north",
        "created ann@example.com (rep; teams demo:rep)",
        "created bo@example.com (rep;coach; teams demo:coach;north:coach)",
        "imported: 2 created, 0 updated, 0 unchanged",
    ]
    again = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert (again.returncode, again.stdout) == (0, "no changes (2 unchanged)\n")

    write(
        tmp_path,
        HEADER
        + "ANN@example.com,Ann Archer,rep;manager,north:manager\nbo@example.com,Bo Baker,coach;rep,demo:coach;north\ncy@example.com,Cy,editor,\n",
    )
    third = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert third.stdout.splitlines() == [
        "updated ann@example.com: roles rep → rep;manager; teams demo:rep → north:manager",
        "created cy@example.com (editor)",
        "imported: 1 created, 1 updated, 1 unchanged",
    ]
    assert users_list(db_path) == [
        "ann@example.com\tAnn Archer\trep;manager\tnorth:manager",
        "bo@example.com\tBo Baker\trep;coach\tdemo:coach;north:coach",
        "cy@example.com\tCy\teditor\t",
    ]


def test_import_without_a_teams_column_leaves_memberships_alone(tmp_path: Path, db_path: Path) -> None:
    run_recap("users", "import", str(write(tmp_path, GOOD)), db_path=db_path)
    names_only = write(tmp_path, "Email , NAME,roles\nann@example.com,Ann A.,rep\n", "names.csv")
    result = run_recap("users", "import", str(names_only), db_path=db_path)
    assert result.stdout.splitlines() == [
        "updated ann@example.com: name 'Ann Archer' → 'Ann A.'",
        "imported: 0 created, 1 updated, 0 unchanged",
    ]
    assert users_list(db_path)[0] == "ann@example.com\tAnn A.\trep\tdemo:rep"


def test_bom_crlf_blank_lines_and_quoted_fields(tmp_path: Path, db_path: Path) -> None:
    text = (
        '\r\n"email","name","roles","teams"\r\n\r\n'
        '"ann@example.com","Archer, Ann ""Annie""",rep,"demo"\r\n'
        ",,,\r\n"
        'bo@example.com,Bo,"coach;rep","demo:coach;north"\r\n'
    )
    csv_file = write(tmp_path, b"\xef\xbb\xbf" + text.encode())
    result = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("imported: 2 created, 0 updated, 0 unchanged\n")
    assert users_list(db_path) == [
        'ann@example.com\tArcher, Ann "Annie"\trep\tdemo:rep',
        "bo@example.com\tBo\trep;coach\tdemo:coach;north:coach",
    ]


BROKEN: list[tuple[str, bytes | str, list[str]]] = [
    ("bad fields", HEADER + "ann@example.com,Ann,rep,demo\nnot-an-email,Bo,rep,\n,Cy,rep,\ndi@example.com,,rep,\n"
     "ed@example.com,Ed,boss,\nfi@example.com,Fi,,\n",
     ["3: 'not-an-email' is not an email address, e.g. ann@example.com", "4: the email is empty",
      "5: the name is empty", "6: unknown role 'boss': use rep, coach, editor, manager, admin",
      "7: no role given: use one or more of rep, coach, editor, manager, admin, separated by ';'"]),
    ("several problems on one row", HEADER + "nope,,boss,\n",
     ["2: 'nope' is not an email address, e.g. ann@example.com", "2: the name is empty",
      "2: unknown role 'boss': use rep, coach, editor, manager, admin"]),
    ("teams", HEADER + "ann@example.com,Ann,rep,demo:coach\nbo@example.com,Bo,editor,demo\n"
     "cy@example.com,Cy,rep,Demo Team\ndi@example.com,Di,rep,demo;demo:rep\ned@example.com,Ed,rep,demo:boss\n",
     ["2: team demo: being coach in a team needs the coach role too (roles: rep)",
      "3: team demo: roles editor give no role in a team; write demo:rep, demo:coach or demo:manager",
      "4: 'Demo Team' is not a team id: use lower-case letters, digits and hyphens, e.g. demo-team",
      "5: team demo is listed twice", "6: team demo: unknown team role 'boss': use rep, coach, manager"]),
    ("duplicated emails", HEADER + "ann@example.com,Ann,rep,\nbo@example.com,Bo,rep,\n\n Ann@EXAMPLE.com ,Ann 2,rep,\n",
     ["5: ann@example.com is already on line 2"]),
    ("field counts", HEADER + "ann@example.com,Ann,rep\nbo@example.com,Bo,rep,,extra\n",
     ["2: 3 fields, but the header has 4", "3: 5 fields, but the header has 4"]),
    ("line numbers count the lines of a quoted field", HEADER + 'ann@example.com,"Ann\nArcher",rep,\nbad,Bo,rep,\n',
     ["2: the name contains a control character (a tab or line break?)",
      "4: 'bad' is not an email address, e.g. ann@example.com"]),
    ("long name", HEADER + "ann@example.com," + "x" * 201 + ",rep,\n",
     ["2: the name is 201 characters long; the limit is 200"]),
    ("unknown and missing columns", "email,full name,teams\n",
     ["1: unknown column 'full name': use email, name, roles, teams",
      "1: missing column(s): name, roles (the header must name email, name, roles, and may name teams)"]),
    ("duplicated column", "email,name,roles,Name\n", ["1: column 'name' appears twice"]),
    ("empty heading", "email,name,roles,\n", ["1: column 4 has no heading: use email, name, roles, teams"]),
    ("semicolons between columns", "email;name;roles\nann@example.com;Ann;rep\n",
     ["1: the columns are separated by ';': save the file with commas between columns"]),
    ("no header row", "ann@example.com,Ann,rep,demo\n",
     ["1: unknown column 'ann@example.com': use email, name, roles, teams",
      "1: unknown column 'Ann': use email, name, roles, teams", "1: unknown column 'rep': use email, name, roles, teams",
      "1: unknown column 'demo': use email, name, roles, teams",
      "1: missing column(s): email, name, roles (the header must name email, name, roles, and may name teams)"]),
    ("empty file", "", [": the file is empty: the first line must be the header email,name,roles,teams"]),
    ("only blank lines", "\n\r\n,,\n", [": the file is empty: the first line must be the header email,name,roles,teams"]),
    ("not UTF-8", (HEADER + "ann@example.com,Ann,rep,\nbo@example.com,Zo").encode() + b"\xeb,rep,\n",
     ["3: not UTF-8 (byte 0xeb): save the file as 'CSV UTF-8'"]),
    ("UTF-16", "email,name,roles\n".encode("utf-16"), ["1: not UTF-8 (byte 0xff): save the file as 'CSV UTF-8'"]),
    ("NUL", HEADER + "ann@example.com,Ann,rep,\x00\n", ["2: the file contains a NUL character: is it really a CSV file?"]),
    ("bad quoting", HEADER + 'ann@example.com,"Ann"x,rep,\n', ["2: not valid CSV: ',' expected after '\"'"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in BROKEN], ids=[name for name, _, _ in BROKEN])
def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    tmp_path: Path, db_path: Path, text: str | bytes, expected: list[str]
) -> None:
    run_recap("users", "add", "zed@example.com", "--name", "Zed", "--role", "rep", db_path=db_path)
    before = state(db_path)
    csv_file = write(tmp_path, text)
    result = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{csv_file}{'' if e.startswith(':') else ':'}{e}" for e in expected]
    assert result.stderr.startswith("nothing was imported")
    assert state(db_path) == before


def test_partial_applies_the_good_rows_and_reports_the_bad(tmp_path: Path, db_path: Path) -> None:
    text = (
        HEADER + "ann@example.com,Ann,rep,demo\nnope,Bo,rep,\ncy@example.com,Cy,boss,\ndi@example.com,Di,coach,north\n"
    )
    csv_file = write(tmp_path, text)
    refused = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert refused.returncode == 1
    assert refused.stderr == "nothing was imported: 2 problem(s); fix them, or use --partial to import the good rows\n"
    assert users_list(db_path) == []

    partial = run_recap("users", "import", str(csv_file), "--partial", db_path=db_path)
    assert partial.returncode == 1
    assert partial.stdout.splitlines() == [
        f"{csv_file}:3: 'nope' is not an email address, e.g. ann@example.com",
        f"{csv_file}:4: unknown role 'boss': use rep, coach, editor, manager, admin",
        "created team demo",
        "created team north",
        "created ann@example.com (rep; teams demo:rep)",
        "created di@example.com (coach; teams north:coach)",
    ]
    assert partial.stderr == "imported: 2 created, 0 updated, 0 unchanged; 2 bad row(s) skipped\n"
    assert [line.split("\t")[0] for line in users_list(db_path)] == ["ann@example.com", "di@example.com"]

    # A file that cannot be read as a whole is refused even with --partial.
    header_broken = write(tmp_path, "email,name\nx@example.com,X\n", "broken.csv")
    result = run_recap("users", "import", str(header_broken), "--partial", db_path=db_path)
    assert result.returncode == 1 and "nothing was imported" in result.stderr


def test_a_conflict_with_what_is_stored_stops_the_whole_import(tmp_path: Path, db_path: Path) -> None:
    run_recap("users", "import", str(write(tmp_path, GOOD)), db_path=db_path)
    before = state(db_path)
    # No teams column: Bo keeps coaching demo and north, so he cannot lose the coach role.
    csv_file = write(tmp_path, "email,name,roles\ncy@example.com,Cy,rep\nbo@example.com,Bo Baker,rep\n", "roles.csv")
    result = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert result.returncode == 1
    assert result.stdout == f"{csv_file}:3: team demo: being coach in a team needs the coach role too (roles: rep)\n"
    assert state(db_path) == before


def test_oversized_files_are_refused(tmp_path: Path, db_path: Path) -> None:
    big = write(tmp_path, HEADER + "x" * (5 * 1024 * 1024), "big.csv")
    result = run_recap("users", "import", str(big), db_path=db_path)
    assert (result.returncode, result.stdout) == (
        1,
        f"{big}: the file is larger than 5 MiB: split it into several files\n",
    )

    rows = "".join(f"u{i}@example.com,U,rep,\n" for i in range(MAX_ROWS + 1))
    parsed = parse_people_csv("many.csv", (HEADER + rows).encode())
    assert [str(p) for p in parsed.problems] == [
        f"many.csv:{MAX_ROWS + 2}: more than {MAX_ROWS} people: split the file into several files"
    ]
    assert parsed.fatal and not parsed.rows
    missing = run_recap("users", "import", str(tmp_path / "absent.csv"), db_path=db_path)
    assert missing.returncode == 1 and "cannot read the file: No such file or directory" in missing.stderr


def test_a_large_import_is_one_quick_transaction(tmp_path: Path, db_path: Path) -> None:
    rows = "".join(f"u{i}@example.com,User {i},rep,team-{i % 50}\n" for i in range(5000))
    csv_file = write(tmp_path, HEADER + rows)
    first = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert first.stdout.endswith("imported: 5000 created, 0 updated, 0 unchanged\n")
    again = run_recap("users", "import", str(csv_file), db_path=db_path)
    assert again.stdout == "no changes (5000 unchanged)\n"


# --- the demo accounts ---------------------------------------------------------------------


def test_demo_accounts_import_once(db_path: Path) -> None:
    demo = ROOT / "server" / "demo" / "accounts.csv"
    assert "server/demo/accounts.csv" in (ROOT / "Makefile").read_text()
    first = run_recap("users", "import", str(demo), db_path=db_path)
    assert first.stdout.endswith("imported: 7 created, 0 updated, 0 unchanged\n"), first.stdout + first.stderr
    assert run_recap("users", "import", str(demo), db_path=db_path).stdout == "no changes (7 unchanged)\n"
    people = {line.split("\t")[0]: line.split("\t")[2:] for line in users_list(db_path)}
    assert people == {
        "rep@example.com": ["rep", "demo:rep"],
        "rep2@example.com": ["rep", "north:rep"],
        "coach@example.com": ["coach", "demo:coach"],
        "editor@example.com": ["editor", ""],
        "editor2@example.com": ["editor", ""],
        "manager@example.com": ["manager", "demo:manager"],
        "admin@example.com": ["admin", ""],
    }


def test_role_changes_are_audited(tmp_path: Path) -> None:
    db_path = tmp_path / "audit.db"
    assert run_recap("users", "add", "ann@example.com", "--name", "Ann", "--role", "rep", db_path=db_path).returncode == 0
    assert run_recap("users", "add", "ann@example.com", "--role", "rep", "--role", "coach", db_path=db_path).returncode == 0
    assert run_recap("users", "add", "ann@example.com", "--role", "rep", "--role", "coach", db_path=db_path).returncode == 0
    log = run_recap("audit", "list", "--email", "ann@example.com", db_path=db_path).stdout
    changes = [line for line in log.splitlines() if "\trole-change\t" in line]
    assert len(changes) == 2  # created, then changed; the unchanged third run writes nothing
    assert changes[0].endswith("rep -> coach;rep") and changes[1].endswith("none -> rep")
