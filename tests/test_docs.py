"""Docs are part of the feature: every route, command and setting is written up somewhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import msgspec

from server.app import create_app
from server.cli import build_parser
from server.settings import Settings
from tests.support.paths import ROOT


def all_docs() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(f.read_text() for f in files)


def command_lines(parser: argparse.ArgumentParser, prefix: str = "recap") -> list[str]:
    """Every runnable command, e.g. `recap content publish`."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(command_lines(sub, f"{prefix} {name}"))
    return found or [prefix]


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "x.db"))
    docs = all_docs()
    missing = []
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        if path.startswith("/schema"):
            path = "/schema/openapi.json"  # the generated schema pages are documented as one
        if path.startswith(("/assets", "/icons", "/static")):
            path = path.split("{")[0]
        if f"`{path}" not in docs and f" {path}" not in docs:
            missing.append(path)
    assert not missing, f"routes without docs in README.md or docs/: {missing}"


def test_every_command_is_documented() -> None:
    docs = all_docs()
    commands = command_lines(build_parser())
    assert "recap content check" in commands and "recap serve" in commands
    missing = [c for c in commands if c not in docs]
    assert not missing, f"commands without docs: {missing}"


def test_every_setting_is_documented() -> None:
    docs = all_docs()
    source = (ROOT / "server" / "settings.py").read_text()
    names = set(re.findall(r'"(RECAP_[A-Z_]+)"', source))
    assert len(names) >= len(msgspec.structs.fields(Settings)) - 1
    missing = sorted(n for n in names if n not in docs)
    assert not missing, f"settings without docs: {missing}"


def test_every_content_field_is_in_the_authoring_guide() -> None:
    from server.library.schema import KINDS

    guide = (ROOT / "docs" / "content.md").read_text()
    missing = [
        f"{folder}.{f.name}"
        for folder, cls in KINDS.items()
        for f in msgspec.structs.fields(cls)
        if f"`{f.name}`" not in guide
    ]
    assert not missing, f"fields missing from docs/content.md: {missing}"


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_make_lock_is_documented() -> None:
    for doc in ("README.md", "docs/operations.md"):
        assert "make lock" in (ROOT / doc).read_text(), f"{doc} does not say how to refresh uv.lock"
