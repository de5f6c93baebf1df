"""Explanations name options by the letter shown on screen: `recap content check` refuses numbers
and letters past the last option, with the line and the fix (the malformed cases, one file each, are
in tests/test_content_check.py: OPTION_REFS)."""

from __future__ import annotations

from pathlib import Path

from server.library.checks import check_library
from server.library.option_refs import option_ref_problems
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import run_recap
from tests.test_content_check import edit

WHO_ELSE = "questions/who-else.yaml"  # 3 options; its explanation starts on line 12
FIRST_LINE = "  Few decisions of this size"


def test_letters_that_exist_pass(library: Path) -> None:
    edit(library, WHO_ELSE, FIRST_LINE, "  Option B names people (A and C do not). Options A and C skip them; (C) costs margin. Few decisions of this size")
    check_library(library)


def test_the_command_names_the_file_line_and_fix(library: Path) -> None:
    edit(library, WHO_ELSE, FIRST_LINE, "  Option 2 is right, not option D. Few decisions of this size")
    result = run_recap("content", "check", str(library))
    assert result.returncode == 1
    out = result.stdout.strip().splitlines()
    assert any(line.startswith(f"{library}/{WHO_ELSE}:12: `Option 2` refers to an option by number") for line in out), out
    assert any("`option D` refers to option D, but there are 3 options (A to C)" in line for line in out), out


def test_ordinary_words_and_capitals_are_not_references() -> None:
    text = (
        "A rep who asks (a good habit) wins. The answer I gave was wrong. In 2 weeks (or 3) she decides: "
        "A: why change. Option A fits; options A and B both help. The answer 'no' (B) is fine."
    )
    found = list(option_ref_problems(text, 2))
    assert [p.text for p in found] == [], found


def test_the_demo_library_refers_to_options_by_letter_only() -> None:
    library = check_library(DEMO_LIBRARY)
    referring = 0
    for loaded in library.of("questions").values():
        q = loaded.item
        assert not list(option_ref_problems(q.explanation, len(q.options))), loaded.path  # type: ignore[attr-defined]
        referring += "Option " in q.explanation or "Optie " in q.explanation or "(A)" in q.explanation  # type: ignore[attr-defined]
    assert referring >= 30, "the demo explanations should name options by letter"
