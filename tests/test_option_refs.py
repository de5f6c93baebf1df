"""Explanations name options by the letter shown on screen: `recap content check` refuses numbers
and letters past the last option, with the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.library.checks import check_library
from server.library.option_refs import option_ref_problems
from server.library.problems import ContentError
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import run_recap
from tests.test_content_check import edit

WHO_ELSE = "questions/who-else.yaml"  # 3 options; its explanation starts on line 12
FIRST_LINE = "  Few decisions of this size"

MALFORMED = [
    # (case, file, old, new, message, location)
    ("Option 2", WHO_ELSE, FIRST_LINE, "  Option 2 is right. Few decisions of this size",
     "`Option 2` refers to an option by number, but options are shown as letters (A to C): write `Option B`", "who-else.yaml:12:"),
    ("(1) on a later line", WHO_ELSE, "  surfaces the others", "  surfaces the others. A proposal (1)",
     "`(1)` refers to an option by number, but options are shown as letters (A to C): write `(A)`", "who-else.yaml:13:"),
    ("a list of numbers", WHO_ELSE, FIRST_LINE, "  Options 1 and 3 are tempting. Few decisions of this size",
     "`Options 1 and 3` refers to an option by number", "write `Options A and C`"),
    ("a number across a line break", WHO_ELSE, FIRST_LINE, "  The best is option\n  2. Few decisions of this size",
     "`option 2` refers to an option by number", "who-else.yaml:12:"),
    ("Dutch: optie 3", WHO_ELSE, FIRST_LINE, "  Optie 3 is verleidelijk. Few decisions of this size", "write `Optie C`", "$.explanation"),
    ("Option D with 3 options", WHO_ELSE, FIRST_LINE, "  Option D is tempting. Few decisions of this size",
     "`Option D` refers to option D, but there are 3 options (A to C)", "who-else.yaml:12:"),
    ("(E) with 3 options", WHO_ELSE, FIRST_LINE, "  A discount (E) is tempting. Few decisions of this size",
     "`(E)` refers to option E, but there are 3 options (A to C)", "$.explanation"),
    ("the last of a list", WHO_ELSE, FIRST_LINE, "  Options A, B and D look alike. Few decisions of this size",
     "`Options A, B and D` refers to option D", "$.explanation"),
    ("in the teaching point", WHO_ELSE, "teaching_point: Ask about the process, not the person.",
     "teaching_point: Option 2 asks about the process, not the person.", "write `Option B`", "$.teaching_point"),
    ("a one-line explanation", "questions/next-step.yaml", "explanation: A step with", "explanation: (3) A step with",
     "`(3)` refers to an option by number, but options are shown as letters (A to B)", "next-step.yaml:8:"),
]


@pytest.mark.parametrize(("case", "rel", "old", "new", "message", "location"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_reference_that_is_not_a_shown_letter_is_refused(
    library: Path, case: str, rel: str, old: str, new: str, message: str, location: str
) -> None:
    edit(library, rel, old, new)
    with pytest.raises(ContentError) as caught:
        check_library(library)
    lines = [str(p) for p in caught.value.problems]
    matching = [line for line in lines if message in line and location in line]
    assert matching, f"{case}: no problem has {message!r} at {location!r}: {lines}"
    assert len(lines) == 1, lines


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
