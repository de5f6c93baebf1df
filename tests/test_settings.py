"""Settings come from RECAP_* variables and a bad value says how to fix it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.settings import Settings, SettingsError, settings_from_env
from tests.support.server import run_recap


def test_defaults_and_environment() -> None:
    assert settings_from_env({}).port == 8000
    s = settings_from_env({"RECAP_DB": "/tmp/x/recap.db", "PORT": "9001", "RECAP_LOG_LEVEL": "DEBUG", "RECAP_MIGRATE": "no"})
    assert s.db_path == Path("/tmp/x/recap.db") and s.port == 9001 and s.log_level == "debug"
    assert s.migrate_on_start is False
    assert settings_from_env({"RECAP_PORT": "7000", "PORT": "9001"}).port == 7000


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RECAP_PORT": "eighty"}, "RECAP_PORT='eighty' is not a whole number"),
        ({"PORT": "70000"}, "use a whole number from 1 to 65535"),
        ({"RECAP_LOG_LEVEL": "loud"}, "use one of debug, info, warning, error"),
        ({"RECAP_MIGRATE": "maybe"}, "RECAP_MIGRATE='maybe' is not a yes/no value"),
    ],
)
def test_bad_values_explain_the_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        settings_from_env(env)


def test_database_path_must_not_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="is a directory"):
        Settings(db_path=tmp_path)


def test_the_command_refuses_a_bad_setting_with_exit_code_2(tmp_path: Path) -> None:
    result = run_recap("migrate", db_path=tmp_path / "x.db", env={"RECAP_PORT": "eighty"})
    assert result.returncode == 2
    assert "recap: bad setting: RECAP_PORT='eighty' is not a whole number" in result.stderr


def test_migrate_is_repeatable(tmp_path: Path) -> None:
    first = run_recap("migrate", db_path=tmp_path / "x.db")
    assert first.returncode == 0 and "m001_content_library" in first.stdout
    again = run_recap("migrate", db_path=tmp_path / "x.db")
    assert again.stdout.strip() == "applied 0 migration(s); the database is up to date"


def test_reminder_settings_are_read_and_checked() -> None:
    s = settings_from_env({"RECAP_REMINDERS": "0", "RECAP_REMINDER_EVERY_SECONDS": "5", "RECAP_PUSH_CONTACT": "mailto:ops@example.com",
                           "RECAP_PUSH_INSECURE_HOSTS": "127.0.0.1, ::1", "RECAP_PUBLIC_URL": "https://recap.example.com"})  # fmt: skip
    assert (s.reminders, s.reminder_every_seconds, s.push_contact) == (False, 5, "mailto:ops@example.com")
    assert s.push_insecure_hosts == ("127.0.0.1", "::1") and s.public_url == "https://recap.example.com"
    assert settings_from_env({}).reminders is True
    for env, says in [
        ({"RECAP_REMINDER_EVERY_SECONDS": "0"}, "use 1 to 3600"),
        ({"RECAP_PUSH_CONTACT": "ops@example.com"}, "must start with mailto:"),
        ({"RECAP_PUBLIC_URL": "recap.example.com"}, "must be an http(s) address"),
        ({"RECAP_REMINDERS": "maybe"}, "RECAP_REMINDERS"),
    ]:
        with pytest.raises(SettingsError, match=re.escape(says)):
            settings_from_env(env)
