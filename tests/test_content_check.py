"""`recap content check`: the demo library validates, and every kind of broken file is located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.library.checks import check_library
from server.library.problems import ContentError
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import run_recap

OK_LINE = "content ok: 2 competencies, 1 nuggets, 3 questions, 1 refreshers, 1 campaigns"


def edit(library: Path, rel: str, old: str, new: str) -> None:
    path = library / rel
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def test_demo_library_is_valid_and_big_enough() -> None:
    result = run_recap("content", "check", "content")
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    counts = [int(word) for word in last.replace(",", "").split() if word.isdigit()]
    assert last.startswith("content ok: ")
    competencies, nuggets, questions, refreshers, campaigns = counts
    assert competencies >= 6 and nuggets >= 12 and questions >= 48 and refreshers >= 12 and campaigns >= 2


def test_demo_library_has_a_dutch_campaign_whose_items_are_dutch() -> None:
    library = check_library(DEMO_LIBRARY)
    dutch = [c.item for c in library.of("campaigns").values() if getattr(c.item, "language", "") == "nl"]
    assert dutch, "no campaign in Dutch"
    for campaign in dutch:
        for qid in campaign.questions:  # type: ignore[attr-defined]
            assert library.of("questions")[qid].item.language == "nl"  # type: ignore[attr-defined]


def test_demo_questions_teach() -> None:
    """Every demo question has several options, a real explanation and a spread of right answers."""
    library = check_library(DEMO_LIBRARY)
    positions: set[int] = set()
    for loaded in library.of("questions").values():
        q = loaded.item
        assert 3 <= len(q.options) <= 5, loaded.path  # type: ignore[attr-defined]
        assert len(q.explanation.split()) >= 40, f"{loaded.path}: explanation too thin"  # type: ignore[attr-defined]
        positions.update(q.correct_options)  # type: ignore[attr-defined]
    assert len(positions) >= 3, "the right answer is always in the same place"


def test_fixture_library_passes_with_the_exact_last_line(library: Path) -> None:
    result = run_recap("content", "check", str(library))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == OK_LINE


BROKEN = [
    # (case, file, old text, new text, expected message part, expected location)
    ("unknown field", "questions/who-else.yaml", "difficulty: 1", "difficulty: 1\nsolution: 2", "unknown field `solution`", "who-else.yaml:4:"),
    ("typo suggestion", "questions/who-else.yaml", "teaching_point:", "teachingpoint:", "did you mean `teaching_point`", "who-else.yaml:"),
    ("missing correct option", "questions/next-step.yaml", "correct: 2\n", "", "missing required field `correct`", "$.correct"),
    ("option out of range", "questions/who-else.yaml", "correct: 2", "correct: 4", "correct option 4 is out of range", "who-else.yaml:10:"),
    ("option number zero", "questions/who-else.yaml", "correct: 2", "correct: 0", "Expected int >= 1", "$.correct"),
    ("range in a list", "questions/pick-two.md", "correct: [1, 2]", "correct: [1, 7]", "correct option 7 is out of range", "$.correct[1]"),
    ("one option only", "questions/next-step.yaml", '  - "We\'ll be in touch."\n', "", "length >= 2", "$.options"),
    ("every option correct", "questions/next-step.yaml", "correct: 2", "correct: [1, 2]", "every option is marked correct", "$.correct"),
    ("unknown competency", "questions/who-else.yaml", "competency: discovery", "competency: discovry", "unknown competency `discovry`", "who-else.yaml:2:"),
    ("unknown nugget", "questions/who-else.yaml", "nugget: ask-first", "nugget: ask-later", "unknown nugget `ask-later`", "$.nugget"),
    ("campaign names a missing question", "campaigns/basics.yaml", "next-step,", "next-stop,", "unknown question `next-stop`; did you mean `next-step`?", "$.questions[1]"),
    ("nothing close to suggest", "campaigns/basics.yaml", "next-step,", "zzz,", "unknown question `zzz` (known: next-step, pick-two, who-else)", "$.questions[1]"),
    ("competency typo suggests the nearest", "questions/who-else.yaml", "competency: discovery", "competency: discovry", "did you mean `discovery`?", "$.competency"),
    ("campaign lists a question twice", "campaigns/basics.yaml", "pick-two]", "pick-two, who-else]", "`who-else` is listed twice", "$.questions[3]"),
    ("bad YAML", "questions/next-step.yaml", "stem: The meeting", "stem: [The meeting", "bad YAML", "next-step.yaml:"),
    ("duplicate key", "questions/next-step.yaml", "correct: 2", "correct: 2\ncorrect: 1", "`correct` is given twice", "next-step.yaml:8:"),
    ("bad slug", "questions/next-step.yaml", "id: next-step", "id: Next Step", "a slug", "$.id"),
    ("bad date", "campaigns/basics.yaml", "start: 2026-12-01", "start: next monday", "expected a date written as YYYY-MM-DD", "$.start"),
    ("bad repeat mode", "campaigns/basics.yaml", "repeat: fsrs", "repeat: weekly", "use one of: fsrs, classic", "$.repeat"),
    ("unclosed front matter", "nuggets/ask-first.md", "tags: [questions]\n---", "tags: [questions]\n", "never closed", "ask-first.md:1:"),
    ("no front matter", "nuggets/ask-first.md", "---\nid: ask-first", "id: ask-first", "must start with a `---` line", "ask-first.md:1:"),
    ("empty nugget body", "nuggets/ask-first.md", "Ask about **their** world before you talk about yours.", "", "missing required field `body`", "$.body"),
    ("body given twice", "nuggets/ask-first.md", "tags: [questions]", "tags: [questions]\nbody: hello", "given in the front matter and as the Markdown body", "$.body"),
    ("refresher title not a question", "refreshers/how-to-ask-who-else.md", "who else decides?", "who else decides", "end it with ?", "$.title"),
    ("wrong type", "questions/who-else.yaml", "difficulty: 1", "difficulty: easy", "Expected int", "$.difficulty"),
    ("yes is not a string", "questions/next-step.yaml", "A dated step the buyer owns, agreed before you leave.", "yes", "`yes` is read by YAML as true, not as text: put the text in quotes", "$.options[1]"),
    ("off is not a string", "questions/next-step.yaml", "teaching_point: End every meeting with a dated step the buyer owns.", "teaching_point: off", "`off` is read by YAML as false, not as text: put the text in quotes", "next-step.yaml:9:"),
    ("a number is not text", "questions/who-else.yaml", "  - Send the proposal.", "  - 30", "`30` is read by YAML as a number, not as text: put the text in quotes", "$.options[0]"),
    ("an unquoted colon", "questions/who-else.yaml", "  - Send the proposal.", "  - Send it: the proposal speaks for itself.",
     "`Send it: the proposal speaks for itself.` is read by YAML as a field and its value because of the unquoted `: `, not as text: put the text in quotes", "who-else.yaml:7:"),
    ("a tab indents", "questions/who-else.yaml", "  - Send the proposal.", "\t- Send the proposal.", "line 7 column 1 is a tab: YAML indents with spaces", "who-else.yaml:7:"),
    ("a tab in front matter", "nuggets/ask-first.md", "tags: [questions]", "tags:\n\t- questions", "column 1 is a tab: YAML indents with spaces", "ask-first.md:"),
    ("unknown role in an audience", "campaigns/basics.yaml", "audience: [all]", "audience: [role:boss]", "unknown role `boss` in `role:boss`: roles are rep, coach, editor, manager, admin", "$.audience[0]"),
    ("a role that is not a team role", "campaigns/basics.yaml", "audience: [all]", "audience: [north:admin]", "`admin` in `north:admin` is not a team role: use north:rep, north:coach, north:manager; for everyone who holds the admin role write `role:admin`", "$.audience[0]"),
    ("a malformed audience", "campaigns/basics.yaml", "audience: [all]", "audience: [North Team]", "(an audience: all, a team id (north), role:ROLE", "$.audience[0]"),
    ("all and teams", "campaigns/basics.yaml", "audience: [all]", "audience: [north, all]", "`all` already includes everyone", "$.audience"),
    ("an audience twice", "campaigns/basics.yaml", "audience: [all]", "audience: [north, role:rep, north]", "`north` is listed twice", "$.audience[2]"),
    ("end before start", "campaigns/basics.yaml", "start: 2026-12-01", "start: 2026-12-01\nend: 2026-11-30", "the campaign ends (2026-11-30) before it starts (2026-12-01)", "$.end"),
    ("a pause that ends before it begins", "campaigns/basics.yaml", "repeat: fsrs", "repeat: fsrs\npauses:\n  - {from: 2026-12-24, to: 2026-12-20}", "the pause ends (2026-12-20) before it begins (2026-12-24)", "$.pauses[0]"),
    ("overlapping pauses", "campaigns/basics.yaml", "repeat: fsrs", "repeat: fsrs\npauses:\n  - {from: 2026-12-24, to: 2027-01-02}\n  - {from: 2026-12-20, to: 2026-12-24}",
     "the pause from 2026-12-24 overlaps the pause from 2026-12-20 to 2026-12-24: make them one", "$.pauses[0]"),
    ("a pause field misspelt", "campaigns/basics.yaml", "repeat: fsrs", "repeat: fsrs\npauses:\n  - {from: 2026-12-24, until: 2026-12-26}", "until", "$.pauses[0]"),
    ("top level is a list", "competencies/closing.yaml", "id: closing\nname: Closing\ndescription: Agreeing next steps the buyer owns.\n", "- closing\n", "expected fields", "closing.yaml:1:"),
    ("id differs from file name", "competencies/closing.yaml", "id: closing", "id: closer", "differs from the file name", "closing.yaml:1:"),
    ("translation of nothing", "nuggets/ask-first.md", "tags: [questions]", "tags: [questions]\ntranslation_of: ask-never\nlanguage: nl", "unknown item `ask-never`", "$.translation_of"),
    ("an anchored setting on another repeat mode", "campaigns/basics.yaml", "repeat: fsrs", "repeat: fsrs\nbudget: 3",
     "`budget` is an `anchored` setting, but this campaign repeats with `fsrs`", "$.budget"),
    ("an anchored budget out of range", "campaigns/basics.yaml", "repeat: fsrs", "repeat: anchored\nbudget: 0.5", "Expected float >= 1.0", "$.budget"),
    ("an end check after the horizon", "campaigns/basics.yaml", "repeat: fsrs", "repeat: anchored\nend_check_days: 30\nhorizon_days: 20",
     "repeat settings: horizon_days must be more than end_check_days", "$.repeat"),
    ("spot checks too often", "campaigns/basics.yaml", "repeat: fsrs", "repeat: anchored\nspot_check_days: 3", "spot_check_days must be 0 (none) or between 7 and 3650", "$.repeat"),
    ("language mismatch", "campaigns/basics.yaml", "repeat: fsrs", "repeat: fsrs\nlanguage: nl", "is in `en` but this item is in `nl`", "$.questions[0]"),
]


def test_an_anchored_campaign_with_its_settings_passes(library: Path) -> None:
    edit(library, "campaigns/basics.yaml", "repeat: fsrs", "repeat: anchored\nend: 2027-02-28\nbudget: 3.5\nend_check_days: 14\nbooster_days: 75\nspot_check_days: 90")
    result = run_recap("content", "check", str(library))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == OK_LINE


# Explanations name options by the letter shown on screen (server/library/option_refs.py).
OPTION_REFS = [
    # (case, file, old, new, message, location)
    ("Option 2", "questions/who-else.yaml", "  Few decisions of this size", "  Option 2 is right. Few decisions of this size",
     "`Option 2` refers to an option by number, but options are shown as letters (A to C): write `Option B`", "who-else.yaml:12:"),
    ("(1) on a later line", "questions/who-else.yaml", "  surfaces the others", "  surfaces the others. A proposal (1)",
     "`(1)` refers to an option by number, but options are shown as letters (A to C): write `(A)`", "who-else.yaml:13:"),
    ("a list of numbers", "questions/who-else.yaml", "  Few decisions of this size", "  Options 1 and 3 are tempting. Few decisions of this size",
     "`Options 1 and 3` refers to an option by number", "write `Options A and C`"),
    ("a number across a line break", "questions/who-else.yaml", "  Few decisions of this size", "  The best is option\n  2. Few decisions of this size",
     "`option 2` refers to an option by number", "who-else.yaml:12:"),
    ("Dutch: optie 3", "questions/who-else.yaml", "  Few decisions of this size", "  Optie 3 is verleidelijk. Few decisions of this size", "write `Optie C`", "$.explanation"),
    ("Option D with 3 options", "questions/who-else.yaml", "  Few decisions of this size", "  Option D is tempting. Few decisions of this size",
     "`Option D` refers to option D, but there are 3 options (A to C)", "who-else.yaml:12:"),
    ("(E) with 3 options", "questions/who-else.yaml", "  Few decisions of this size", "  A discount (E) is tempting. Few decisions of this size",
     "`(E)` refers to option E, but there are 3 options (A to C)", "$.explanation"),
    ("the last of a list", "questions/who-else.yaml", "  Few decisions of this size", "  Options A, B and D look alike. Few decisions of this size",
     "`Options A, B and D` refers to option D", "$.explanation"),
    ("in the teaching point", "questions/who-else.yaml", "teaching_point: Ask about the process, not the person.",
     "teaching_point: Option 2 asks about the process, not the person.", "write `Option B`", "$.teaching_point"),
    ("a one-line explanation", "questions/next-step.yaml", "explanation: A step with", "explanation: (3) A step with",
     "`(3)` refers to an option by number, but options are shown as letters (A to B)", "next-step.yaml:8:"),
]


@pytest.mark.parametrize(("case", "rel", "old", "new", "message", "location"), BROKEN + OPTION_REFS, ids=[b[0] for b in BROKEN + OPTION_REFS])
def test_broken_content_is_reported_with_its_location(
    library: Path, case: str, rel: str, old: str, new: str, message: str, location: str
) -> None:
    edit(library, rel, old, new)
    with pytest.raises(ContentError) as caught:
        check_library(library)
    lines = [str(p) for p in caught.value.problems]
    matching = [line for line in lines if message in line]
    assert matching, f"{case}: no problem mentions {message!r}: {lines}"
    assert any(location in line and rel.split("/")[-1] in line for line in matching), f"{case}: {matching}"


def test_every_problem_is_reported_at_once_by_the_command(library: Path) -> None:
    edit(library, "questions/who-else.yaml", "difficulty: 1", "difficulty: 9\nsolution: 2")
    edit(library, "questions/next-step.yaml", "correct: 2", "correct: 5")
    edit(library, "campaigns/basics.yaml", "next-step,", "next-stop,")
    (library / "questions" / "notes.txt").write_text("stray")
    result = run_recap("content", "check", str(library))
    assert result.returncode == 1
    out = result.stdout.strip().splitlines()
    assert len(out) == 5, out
    for line in out:
        assert re.match(rf"^{re.escape(str(library))}/\S+(:\d+| \$\S*): \S", line), line
    assert "5 problem(s)" in result.stderr


def test_duplicate_ids_across_files_are_reported(library: Path) -> None:
    source = (library / "questions" / "who-else.yaml").read_text()
    (library / "questions" / "who-else-copy.yaml").write_text(source)
    with pytest.raises(ContentError) as caught:
        check_library(library)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "duplicate id `who-else`" in text
    assert "who-else-copy.yaml" in text


def test_oversized_and_non_utf8_files_are_refused(library: Path) -> None:
    (library / "nuggets" / "huge.md").write_text("---\nid: huge\n---\n" + "x" * 300_000)
    (library / "nuggets" / "latin.md").write_bytes(b"---\nid: latin\ntitle: caf\xe9\n---\nbody\n")
    with pytest.raises(ContentError) as caught:
        check_library(library)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "huge.md:1: the file is 300,017 bytes; the limit is 262,144" in text
    assert "latin.md:3: the file is not UTF-8" in text


def test_missing_folder_is_an_error() -> None:
    result = run_recap("content", "check", "/nonexistent/library")
    assert result.returncode == 1
    assert "/nonexistent/library $: no such content folder" in result.stdout


def test_unknown_folder_is_reported(library: Path) -> None:
    (library / "quizzes").mkdir()
    with pytest.raises(ContentError) as caught:
        check_library(library)
    assert any("unknown folder" in str(p) for p in caught.value.problems)


# ---- rubrics (docs/content.md "Rubric") --------------------------------------------------------------

RUBRIC = """\
id: discovery-rubric
competency: discovery
title: Discovery in a first meeting
behaviours:
  - id: asks-about-goals
    text: Asks about the customer's goals before presenting anything
    levels:
      1: Pitches features before asking about goals.
      2: Asks one general question, then presents.
      3: Asks about goals and listens, without digging.
      4: Opens with their goals and follows up twice before presenting.
    questions: [who-else]
    refreshers: [how-to-ask-who-else]
  - id: maps-who-decides
    text: Finds out who else decides
    levels:
      1: Assumes the person in the room decides.
      2: Asks who else is involved, notes names only.
      3: Names who decides and what one of them cares about.
      4: Maps everyone who decides and agrees how to meet them.
  - id: agrees-a-next-step
    text: Ends with a next step the customer owns
    levels:
      1: Ends with "I'll send some information".
      2: Agrees a step only the rep carries out.
      3: Agrees a step for the customer, with a date.
      4: Agrees a dated step the customer owns and confirms it in writing.
    questions: [next-step]
"""


@pytest.fixture
def rubric_library(library: Path) -> Path:
    """The fixture library with one valid rubric."""
    (library / "rubrics").mkdir()
    (library / "rubrics" / "discovery-rubric.yaml").write_text(RUBRIC)
    return library


def test_a_valid_rubric_passes_with_the_same_last_line(rubric_library: Path) -> None:
    result = run_recap("content", "check", str(rubric_library))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == OK_LINE
    library = check_library(rubric_library)
    rubric = library.of("rubrics")["discovery-rubric"].item
    assert rubric.behaviours[0].levels[1] == "Pitches features before asking about goals."  # type: ignore[attr-defined]


R = "rubrics/discovery-rubric.yaml"
FOURTH = """  - id: fourth
    text: A fourth behaviour
    levels: {1: a, 2: b, 3: c, 4: d}
"""
RUBRIC_BROKEN = [
    # (case, old text, new text, expected message part, expected location); too few behaviours: below
    ("seven behaviours", "    questions: [next-step]\n", "    questions: [next-step]\n" + FOURTH.replace("fourth", "b4") + FOURTH.replace("fourth", "b5") + FOURTH.replace("fourth", "b6") + FOURTH.replace("fourth", "b7"),
     "a rubric has 3 to 6 behaviours; this one has 7", "discovery-rubric.yaml:4: "),
    ("three levels", "      4: Opens with their goals and follows up twice before presenting.\n", "", "behaviour `asks-about-goals`: level 4 missing: describe all four levels", "$.behaviours[0].levels"),
    ("five levels", "      4: Opens with their goals", "      5: Also this.\n      4: Opens with their goals", "behaviour `asks-about-goals`: `5` is not a level: the levels are 1, 2, 3 and 4", "discovery-rubric.yaml:11:"),
    ("a level key that is a word", "      1: Assumes the person", "      one: Assumes the person", "behaviour `maps-who-decides`: `one` is not a level", "$.behaviours[1].levels.one"),
    ("a level key as text", "      1: Assumes the person", "      '1': Assumes the person", "behaviour `maps-who-decides`: `1` is not a level", "$.behaviours[1].levels"),
    ("an empty level", "      2: Asks who else is involved, notes names only.", "      2:", "behaviour `maps-who-decides`: level 2 has no description: say what an observer sees and hears", "discovery-rubric.yaml:18:"),
    ("a blank level", "      3: Agrees a step for the customer, with a date.", "      3: '  '", "behaviour `agrees-a-next-step`: level 3 has no description", "$.behaviours[2].levels.3"),
    ("levels not a mapping", "    levels:\n      1: Assumes", "    levels: [a, b, c, d]\n    x:\n      1: Assumes", "`levels` lists the four levels", "$.behaviours[1].levels"),
    ("a duplicate behaviour id", "  - id: maps-who-decides", "  - id: asks-about-goals", "behaviour id `asks-about-goals` is used twice (first by behaviour 1)", "discovery-rubric.yaml:14:"),
    ("a blank behaviour text", "    text: Finds out who else decides", "    text: '   '", "behaviour `maps-who-decides` has no text: say what the coach looks for", "$.behaviours[1].text"),
    ("a blank title", "title: Discovery in a first meeting", "title: ' '", "the rubric has no title", "discovery-rubric.yaml:3:"),
    ("a level too long", "      1: Assumes the person in the room decides.", "      1: " + "Assumes. " * 50, "length <= 400", "$.behaviours"),
    ("a behaviour field misspelt", "    refreshers: [how-to-ask-who-else]", "    refresher: [how-to-ask-who-else]", "refresher", "$.behaviours"),
    ("unknown competency", "competency: discovery", "competency: discovry", "unknown competency `discovry`; did you mean `discovery`?", "discovery-rubric.yaml:2:"),
    ("unknown question", "questions: [who-else]", "questions: [who-els]", "unknown question `who-els`; did you mean `who-else`?", "$.behaviours[0].questions[0]"),
    ("unknown refresher", "refreshers: [how-to-ask-who-else]", "refreshers: [how-to-ask-who-els]", "unknown refresher `how-to-ask-who-els`; did you mean `how-to-ask-who-else`?", "$.behaviours[0].refreshers[0]"),
    ("a question listed twice", "questions: [next-step]", "questions: [next-step, next-step]", "`next-step` is listed twice", "$.behaviours[2].questions[1]"),
    ("practice in another language", "title: Discovery", "language: nl\ntitle: Discovery", "question `who-else` is in `en` but this item is in `nl`", "$.behaviours[0].questions[0]"),
    ("translation of nothing", "title: Discovery", "language: nl\ntranslation_of: discovery-rubrik\ntitle: Discovery", "translation of an unknown item `discovery-rubrik`", "$.translation_of"),
]


@pytest.mark.parametrize(("case", "old", "new", "message", "location"), RUBRIC_BROKEN, ids=[b[0] for b in RUBRIC_BROKEN])
def test_a_broken_rubric_is_reported_with_its_location(rubric_library: Path, case: str, old: str, new: str, message: str, location: str) -> None:
    edit(rubric_library, R, old, new)
    with pytest.raises(ContentError) as caught:
        check_library(rubric_library)
    lines = [str(p) for p in caught.value.problems]
    matching = [line for line in lines if message in line]
    assert matching, f"{case}: no problem mentions {message!r}: {lines}"
    assert any(location in line and "discovery-rubric.yaml" in line for line in matching), f"{case}: {matching}"


def test_too_few_behaviours_and_every_level_problem_at_once(rubric_library: Path) -> None:
    text = (rubric_library / R).read_text()
    cut = text[: text.index("  - id: agrees-a-next-step")]
    cut = cut.replace("      2: Asks one general question, then presents.\n", "      2: ''\n").replace("      4: Maps everyone", "      7: Maps everyone")
    (rubric_library / R).write_text(cut)
    with pytest.raises(ContentError) as caught:
        check_library(rubric_library)
    assert [p.message for p in caught.value.problems] == [
        "a rubric has 3 to 6 behaviours; this one has 2",
        "behaviour `asks-about-goals`: level 2 has no description: say what an observer sees and hears at that level",
        "behaviour `maps-who-decides`: level 4 missing: describe all four levels, 1, 2, 3 and 4",  # at `levels:`
        "behaviour `maps-who-decides`: `7` is not a level: the levels are 1, 2, 3 and 4",  # at `7:`
    ]


def test_two_rubrics_for_one_competency_and_language_are_refused_a_translation_is_not(rubric_library: Path) -> None:
    second = RUBRIC.replace("id: discovery-rubric", "id: discovery-again")
    (rubric_library / "rubrics" / "discovery-again.yaml").write_text(second)
    with pytest.raises(ContentError) as caught:
        check_library(rubric_library)
    lines = sorted(str(p) for p in caught.value.problems)
    assert len(lines) == 2, lines
    assert "discovery-again.yaml:2: competency `discovery` already has a rubric in `en`: `discovery-rubric`" in lines[0]
    assert "discovery-rubric.yaml:2: competency `discovery` already has a rubric in `en`: `discovery-again`" in lines[1]
    dutch = second.replace("title:", "language: nl\ntranslation_of: discovery-rubric\ntitle:").replace("    questions: [who-else]\n", "").replace("    questions: [next-step]\n", "")
    (rubric_library / "rubrics" / "discovery-again.yaml").write_text(dutch.replace("    refreshers: [how-to-ask-who-else]\n", ""))
    assert check_library(rubric_library).of("rubrics")["discovery-again"].item.language == "nl"  # type: ignore[attr-defined]


def test_a_translated_rubric_keeps_the_competency_and_the_behaviours_of_its_original(rubric_library: Path) -> None:
    dutch = (
        RUBRIC.replace("id: discovery-rubric", "id: discovery-rubric-nl")
        .replace("title:", "language: nl\ntranslation_of: discovery-rubric\ntitle:")
        .replace("    questions: [who-else]\n", "").replace("    questions: [next-step]\n", "").replace("    refreshers: [how-to-ask-who-else]\n", "")
    )  # fmt: skip
    target = rubric_library / "rubrics" / "discovery-rubric-nl.yaml"
    target.write_text(dutch.replace("competency: discovery", "competency: closing").replace("id: agrees-a-next-step", "id: next-step-agreed"))
    with pytest.raises(ContentError) as caught:
        check_library(rubric_library)
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "the original `discovery-rubric` observes `discovery`: a translation observes the same competency (at $.competency)",
        "a translation has the behaviours of `discovery-rubric`, with the same ids, in the same order: "
        "missing `agrees-a-next-step`; not in the original: `next-step-agreed` (at $.behaviours)",
    ]
    target.write_text(dutch)
    check_library(rubric_library)


def test_the_demo_has_a_rubric_for_every_competency_a_monday_manager_can_use() -> None:
    library = check_library(DEMO_LIBRARY)
    rubrics = [r.item for r in library.of("rubrics").values()]
    english = {r.competency: r for r in rubrics if r.language == "en"}  # type: ignore[attr-defined]
    assert set(english) == set(library.of("competencies"))
    assert any(r.language == "nl" and r.translation_of for r in rubrics)  # type: ignore[attr-defined]
    for rubric in english.values():
        assert 3 <= len(rubric.behaviours) <= 6  # type: ignore[attr-defined]
        linked = 0
        for b in rubric.behaviours:  # type: ignore[attr-defined]
            texts = [b.levels[n] for n in (1, 2, 3, 4)]
            assert len(set(texts)) == 4 and all(len(t.split()) >= 6 for t in texts), f"{rubric.id} {b.id}: levels too thin"
            for qid in b.questions:
                linked += 1
                assert library.of("questions")[qid].item.competency == rubric.competency, f"{rubric.id}: {qid} is another competency's"  # type: ignore[attr-defined]
        assert linked >= 2, f"{rubric.id} links too little practice"
