"""Pitch prompts, a content kind (docs/content.md "Pitch prompt"): the checks locate every broken
prompt, a rename or deletion elsewhere that breaks one is caught, the demo's prompts are usable,
and publishing puts them in the snapshot (and `pitch_prompt_ids` remembers them)."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlite_utils

from server.library.checks import check_library
from server.library.problems import ContentError
from server.library.publish import publish
from server.storage import content as store
from sync.content import PitchPrompt, SnapshotDocument
from sync.enrollment import reaches
from tests.support.paths import DEMO_LIBRARY, ROOT
from tests.support.server import run_recap

from .test_content_check import OK_LINE, RUBRIC, edit

PROMPT = """\
id: too-expensive
title: '"Too expensive" after the demo'
situation: |
  The customer says:

  > "It is too expensive for us."

  Record how you respond.
time_limit_s: 60
rubric: discovery-rubric
behaviours: [asks-about-goals, agrees-a-next-step]
campaign: basics
audience: New reps
"""
P = "pitch-prompts/too-expensive.yaml"


@pytest.fixture
def prompt_library(library: Path) -> Path:
    """The fixture library with one rubric and one valid pitch prompt."""
    (library / "rubrics").mkdir()
    (library / "rubrics" / "discovery-rubric.yaml").write_text(RUBRIC)
    (library / "pitch-prompts").mkdir()
    (library / P).write_text(PROMPT)
    return library


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        check_library(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_prompt_passes_with_the_same_last_line(prompt_library: Path) -> None:
    result = run_recap("content", "check", str(prompt_library))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == OK_LINE
    prompt = check_library(prompt_library).of("pitch-prompts")["too-expensive"].item
    assert isinstance(prompt, PitchPrompt)
    assert (prompt.time_limit_s, prompt.rubric, prompt.behaviours) == (
        60,
        "discovery-rubric",
        ["asks-about-goals", "agrees-a-next-step"],
    )
    assert prompt.situation.startswith("The customer says:") and prompt.audience == "New reps"


def test_a_prompt_may_be_markdown_whose_body_is_the_situation(prompt_library: Path) -> None:
    (prompt_library / P).unlink()
    front = (
        PROMPT.split("situation: |")[0] + "time_limit_s: 30\nrubric: discovery-rubric\nbehaviours: [maps-who-decides]\n"
    )
    (prompt_library / "pitch-prompts" / "too-expensive.md").write_text(f"---\n{front}---\nThe customer says **no**.\n")
    prompt = check_library(prompt_library).of("pitch-prompts")["too-expensive"].item
    assert (
        isinstance(prompt, PitchPrompt)
        and prompt.situation == "The customer says **no**."
        and prompt.time_limit_s == 30
    )


BROKEN = [
    # (case, old text, new text, expected message part, expected location)
    (
        "a blank title",
        "title: '\"Too expensive\" after the demo'",
        "title: ' '",
        "the pitch prompt has no title",
        "too-expensive.yaml:2:",
    ),
    ("no title", "title: '\"Too expensive\" after the demo'\n", "", "missing required field `title`", "$.title"),
    (
        "a blank situation",
        'situation: |\n  The customer says:\n\n  > "It is too expensive for us."\n\n  Record how you respond.\n',
        "situation: '  '\n",
        "the pitch prompt has no situation",
        "too-expensive.yaml:3:",
    ),
    (
        "no situation",
        'situation: |\n  The customer says:\n\n  > "It is too expensive for us."\n\n  Record how you respond.\n',
        "",
        "missing required field `situation`",
        "$.situation",
    ),
    (
        "a time limit too short",
        "time_limit_s: 60",
        "time_limit_s: 29",
        "the time limit is a whole number of seconds from 30 to 180; this one is 29",
        "too-expensive.yaml:9:",
    ),
    (
        "a time limit too long",
        "time_limit_s: 60",
        "time_limit_s: 181",
        "from 30 to 180; this one is 181",
        "$.time_limit_s",
    ),
    (
        "a time limit as words",
        "time_limit_s: 60",
        "time_limit_s: a minute",
        "from 30 to 180; `a minute` is not a number",
        "$.time_limit_s",
    ),
    (
        "a time limit with a fraction",
        "time_limit_s: 60",
        "time_limit_s: 60.5",
        "from 30 to 180; 60.5 is not whole",
        "$.time_limit_s",
    ),
    ("no time limit", "time_limit_s: 60\n", "", "missing required field `time_limit_s`", "$.time_limit_s"),
    (
        "an unknown rubric",
        "rubric: discovery-rubric",
        "rubric: discovery-rubrik",
        "unknown rubric `discovery-rubrik`; did you mean `discovery-rubric`?",
        "too-expensive.yaml:10:",
    ),
    ("no rubric", "rubric: discovery-rubric\n", "", "missing required field `rubric`", "$.rubric"),
    (
        "a behaviour the rubric lacks",
        "[asks-about-goals, agrees-a-next-step]",
        "[asks-about-goals, agrees-next-step]",
        "rubric `discovery-rubric` has no behaviour `agrees-next-step`; did you mean `agrees-a-next-step`?",
        "$.behaviours[1]",
    ),
    (
        "a behaviour far from any",
        "[asks-about-goals, agrees-a-next-step]",
        "[asks-about-goals, closes-hard]",
        "rubric `discovery-rubric` has no behaviour `closes-hard` (its behaviours: asks-about-goals, maps-who-decides, agrees-a-next-step)",
        "$.behaviours[1]",
    ),
    (
        "a behaviour listed twice",
        "[asks-about-goals, agrees-a-next-step]",
        "[asks-about-goals, agrees-a-next-step, asks-about-goals]",
        "`asks-about-goals` is listed twice",
        "$.behaviours[2]",
    ),
    ("no behaviours", "[asks-about-goals, agrees-a-next-step]", "[]", "length >= 1", "$.behaviours"),
    (
        "a behaviour that is not a slug",
        "[asks-about-goals, agrees-a-next-step]",
        "[Asks About Goals]",
        "a slug",
        "$.behaviours[0]",
    ),
    (
        "an unknown campaign",
        "campaign: basics",
        "campaign: basic",
        "unknown campaign `basic`; did you mean `basics`?",
        "too-expensive.yaml:12:",
    ),
    (
        "a campaign in another language",
        "audience: New reps",
        "audience: New reps\nlanguage: nl",
        "campaign `basics` is in `en` but this item is in `nl`",
        "$.campaign",
    ),
    ("a blank audience", "audience: New reps", "audience: '  '", "`audience` is blank", "$.audience"),
    ("an audience too long", "audience: New reps", "audience: " + "x" * 121, "length <= 120", "$.audience"),
    (
        "a misspelt field",
        "time_limit_s: 60",
        "time_limit: 60\ntime_limit_s: 60",
        "unknown field `time_limit`; did you mean `time_limit_s`?",
        "$.time_limit",
    ),
    (
        "an id that is not the file name",
        "id: too-expensive",
        "id: too-pricey",
        "id `too-pricey` differs from the file name",
        "$.id",
    ),
    (
        "a translation of nothing",
        "audience: New reps",
        "audience: New reps\ntranslation_of: too-expensiv",
        "translation of an unknown item `too-expensiv`",
        "$.translation_of",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "message", "location"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_prompt_is_reported_with_its_location(
    prompt_library: Path, case: str, old: str, new: str, message: str, location: str
) -> None:
    edit(prompt_library, P, old, new)
    lines = problems_of(prompt_library)
    matching = [line for line in lines if message in line]
    assert matching, f"{case}: no problem mentions {message!r}: {lines}"
    assert any(location in line and "too-expensive.yaml" in line for line in matching), f"{case}: {matching}"


def test_every_problem_of_a_prompt_is_reported_at_once_by_the_command(prompt_library: Path) -> None:
    edit(prompt_library, P, "time_limit_s: 60", "time_limit_s: 600")
    edit(prompt_library, P, "title: '\"Too expensive\" after the demo'", "titel: Too expensive")
    result = run_recap("content", "check", str(prompt_library))
    assert result.returncode == 1
    out = result.stdout
    assert (
        "too-expensive.yaml:9: the time limit is a whole number of seconds from 30 to 180; this one is 600 (at $.time_limit_s)"
        in out
    ), out
    assert "unknown field `titel`; did you mean `title`?" in out and "missing required field `title`" in out, out
    assert "content check failed: 3 problem(s)" in result.stderr


# ---- what breaks a prompt elsewhere in the library ------------------------------------------------


def test_deleting_the_rubric_breaks_the_prompt(prompt_library: Path) -> None:
    (prompt_library / "rubrics" / "discovery-rubric.yaml").unlink()
    lines = problems_of(prompt_library)
    assert lines == [f"{prompt_library / P}:10: unknown rubric `discovery-rubric` (at $.rubric)"], lines


def test_renaming_the_rubric_breaks_the_prompt(prompt_library: Path) -> None:
    rubrics = prompt_library / "rubrics"
    (rubrics / "discovery-rubric.yaml").rename(rubrics / "first-meeting-rubric.yaml")
    edit(prompt_library, "rubrics/first-meeting-rubric.yaml", "id: discovery-rubric", "id: first-meeting-rubric")
    lines = problems_of(prompt_library)
    assert (
        len(lines) == 1 and "unknown rubric `discovery-rubric`" in lines[0] and "too-expensive.yaml:10:" in lines[0]
    ), lines


def test_renaming_a_behaviour_of_the_rubric_breaks_the_prompt(prompt_library: Path) -> None:
    edit(prompt_library, "rubrics/discovery-rubric.yaml", "  - id: agrees-a-next-step", "  - id: agrees-next-steps")
    lines = problems_of(prompt_library)
    assert len(lines) == 1, lines
    assert (
        "too-expensive.yaml:11: rubric `discovery-rubric` has no behaviour `agrees-a-next-step`; did you mean `agrees-next-steps`? (at $.behaviours[1])"
        in lines[0]
    )


def test_renaming_or_deleting_the_campaign_breaks_the_prompt(prompt_library: Path) -> None:
    campaigns = prompt_library / "campaigns"
    (campaigns / "basics.yaml").rename(campaigns / "onboarding.yaml")
    edit(prompt_library, "campaigns/onboarding.yaml", "id: basics", "id: onboarding")
    lines = problems_of(prompt_library)
    assert len(lines) == 1 and "unknown campaign `basics`" in lines[0] and "too-expensive.yaml:12:" in lines[0], lines
    (campaigns / "onboarding.yaml").unlink()
    lines = problems_of(prompt_library)
    assert len(lines) == 1 and "unknown campaign `basics`" in lines[0], lines
    edit(prompt_library, P, "campaign: basics\n", "")
    check_library(prompt_library)  # without a campaign the prompt is fine


def test_a_broken_rubric_file_is_reported_once_not_again_at_the_prompt(prompt_library: Path) -> None:
    edit(prompt_library, "rubrics/discovery-rubric.yaml", "title: Discovery", "titel: Discovery")
    lines = problems_of(prompt_library)
    assert all("too-expensive.yaml" not in line for line in lines), lines


# ---- translations ----------------------------------------------------------------------------------

DUTCH_RUBRIC = RUBRIC.replace("id: discovery-rubric", "id: discovery-rubric-nl").replace(
    "title:", "language: nl\ntranslation_of: discovery-rubric\ntitle:"
)
DUTCH = """\
id: too-expensive-nl
title: Te duur
language: nl
translation_of: too-expensive
situation: De klant zegt dat het te duur is.
time_limit_s: 90
rubric: discovery-rubric-nl
behaviours: [asks-about-goals, agrees-a-next-step]
"""


def _dutch_rubric(root: Path) -> None:
    text = DUTCH_RUBRIC
    for line in (
        "    questions: [who-else]\n",
        "    refreshers: [how-to-ask-who-else]\n",
        "    questions: [next-step]\n",
    ):
        text = text.replace(line, "")
    (root / "rubrics" / "discovery-rubric-nl.yaml").write_text(text)


def test_a_translation_judges_the_same_behaviours_with_the_rubric_or_its_translation(prompt_library: Path) -> None:
    _dutch_rubric(prompt_library)
    dutch = prompt_library / "pitch-prompts" / "too-expensive-nl.yaml"
    dutch.write_text(DUTCH)
    check_library(prompt_library)
    dutch.write_text(DUTCH.replace("rubric: discovery-rubric-nl", "rubric: discovery-rubric"))
    lines = problems_of(prompt_library)
    assert lines == [
        f"{dutch}:7: rubric `discovery-rubric` is in `en` but this prompt is in `nl`: use its translation `discovery-rubric-nl` (at $.rubric)"
    ], lines
    dutch.write_text(DUTCH.replace("[asks-about-goals, agrees-a-next-step]", "[agrees-a-next-step, asks-about-goals]"))
    lines = problems_of(prompt_library)
    assert lines == [
        f"{dutch}:8: a translation judges the behaviours of `too-expensive`, in the same order: asks-about-goals, agrees-a-next-step (at $.behaviours)"
    ], lines


def test_a_translation_may_use_the_original_rubric_when_it_has_no_translation_but_no_other(
    prompt_library: Path,
) -> None:
    dutch = prompt_library / "pitch-prompts" / "too-expensive-nl.yaml"
    dutch.write_text(DUTCH.replace("rubric: discovery-rubric-nl", "rubric: discovery-rubric"))
    check_library(prompt_library)
    other = RUBRIC.replace("id: discovery-rubric", "id: closing-rubric").replace(
        "competency: discovery", "competency: closing"
    )
    (prompt_library / "rubrics" / "closing-rubric.yaml").write_text(other)
    dutch.write_text(DUTCH.replace("rubric: discovery-rubric-nl", "rubric: closing-rubric"))
    lines = problems_of(prompt_library)
    assert lines == [
        f"{dutch}:7: the original `too-expensive` is judged with `discovery-rubric`: a translation uses that rubric or a translation of it (at $.rubric)"
    ], lines


def test_a_translation_in_the_same_language_is_refused(prompt_library: Path) -> None:
    dutch = prompt_library / "pitch-prompts" / "too-expensive-nl.yaml"
    dutch.write_text(
        DUTCH.replace("language: nl\n", "").replace("rubric: discovery-rubric-nl", "rubric: discovery-rubric")
    )
    assert any("`too-expensive` is in the same language" in line for line in problems_of(prompt_library))


# ---- the demo library ------------------------------------------------------------------------------


def test_the_demo_has_three_english_prompts_in_a_campaign_every_demo_rep_is_in_each_translated() -> None:
    library = check_library(DEMO_LIBRARY)
    prompts = [p.item for p in library.of("pitch-prompts").values() if isinstance(p.item, PitchPrompt)]
    english = [p for p in prompts if p.language == "en"]
    assert len(english) == 3
    assert len({p.rubric for p in english}) == 3, "each prompt trains another rubric"
    with (ROOT / "server" / "demo" / "accounts.csv").open() as f:
        reps = [row for row in csv.DictReader(f) if "rep" in row["roles"].split()]
    assert reps
    for prompt in english:
        assert 60 <= prompt.time_limit_s <= 120 and len(prompt.situation.split()) >= 60, (
            f"{prompt.id}: too thin for a pitch"
        )
        campaign = library.of("campaigns")[prompt.campaign or ""].item
        for rep in reps:
            teams = dict(t.split(":") for t in rep["teams"].split() if ":" in t)
            assert reaches(campaign.audience, teams, rep["roles"].split()), (
                f"{prompt.id}: {rep['email']} is not in {campaign.id}"
            )  # type: ignore[attr-defined]
        dutch = [p for p in prompts if p.translation_of == prompt.id]
        assert len(dutch) == 1 and dutch[0].language == "nl", f"{prompt.id} has no Dutch translation"
        assert library.of("campaigns")[dutch[0].campaign or ""].item.language == "nl"  # type: ignore[attr-defined]


# ---- publishing -------------------------------------------------------------------------------------


def snapshot_of(db: sqlite_utils.Database, version: int) -> dict[str, Any]:
    row = store.get_snapshot(db, version)
    assert row is not None
    data: dict[str, Any] = json.loads(gzip.decompress(row.body_gzip))
    return data


def test_publishing_puts_prompts_in_the_snapshot_and_their_ids_are_remembered(
    prompt_library: Path, db: sqlite_utils.Database
) -> None:
    assert store.pitch_prompt_ids(db) == frozenset()
    result = publish(db, prompt_library)
    assert "new pitch_prompt too-expensive (rev 1)" in [str(c) for c in result.changes]
    doc = snapshot_of(db, 1)
    assert "pitch-prompts" not in doc
    (entry,) = doc["pitch_prompts"]
    assert (
        entry["situation_html"]
        == "<p>The customer says:</p>\n<blockquote>\n<p>&quot;It is too expensive for us.&quot;</p>\n</blockquote>\n<p>Record how you respond.</p>\n"
    )
    assert {k: entry[k] for k in ("id", "time_limit_s", "rubric", "behaviours", "campaign", "audience", "language", "rev")} == {
        "id": "too-expensive", "time_limit_s": 60, "rubric": "discovery-rubric", "behaviours": ["asks-about-goals", "agrees-a-next-step"],
        "campaign": "basics", "audience": "New reps", "language": "en", "rev": 1,
    }  # fmt: skip
    assert msgspec.json.decode(json.dumps(doc), type=SnapshotDocument).pitch_prompts[0].time_limit_s == 60
    assert store.pitch_prompt_ids(db) == frozenset({"too-expensive"})

    edit(prompt_library, P, "time_limit_s: 60", "time_limit_s: 75")
    second = prompt_library / "pitch-prompts" / "why-change.yaml"
    second.write_text(PROMPT.replace("id: too-expensive", "id: why-change"))
    assert sorted(str(c) for c in publish(db, prompt_library).changes) == [
        "new pitch_prompt why-change (rev 1)",
        "substantive pitch_prompt too-expensive (rev 2)",
    ]
    assert [(p["id"], p["rev"], p["time_limit_s"]) for p in snapshot_of(db, 2)["pitch_prompts"]] == [
        ("too-expensive", 2, 75),
        ("why-change", 1, 60),
    ]

    second.unlink()
    assert [str(c) for c in publish(db, prompt_library).changes] == ["removed pitch_prompt why-change (rev 2)"]
    assert [p["id"] for p in snapshot_of(db, 3)["pitch_prompts"]] == ["too-expensive"]
    # A pitch recorded offline against version 2 still names a prompt that existed.
    assert store.pitch_prompt_ids(db) == frozenset({"too-expensive", "why-change"})


def test_a_snapshot_from_before_pitch_prompts_reads_as_none(prompt_library: Path, db: sqlite_utils.Database) -> None:
    publish(db, prompt_library)
    doc = snapshot_of(db, 1)
    del doc["pitch_prompts"]
    assert msgspec.json.decode(json.dumps(doc), type=SnapshotDocument).pitch_prompts == []


def test_the_commands_publish_export_and_check_prompts_round_trip(prompt_library: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "rt" / "recap.db"
    first = run_recap("content", "publish", "--create", str(prompt_library), db_path=db_file)
    assert first.returncode == 0 and "new pitch_prompt too-expensive (rev 1)" in first.stdout, (
        first.stdout + first.stderr
    )
    out = tmp_path / "exported"
    exported = run_recap("content", "export", str(out), db_path=db_file)
    assert exported.returncode == 0, exported.stderr
    assert (out / P).read_bytes() == (prompt_library / P).read_bytes()
    assert run_recap("content", "check", str(out)).returncode == 0
    again = run_recap("content", "publish", str(out), db_path=db_file)
    assert again.stdout.strip().splitlines() == ["no changes (version 1)"], again.stdout
    # Deleted in the files: refused without --remove, withdrawn with it.
    shutil.rmtree(out / "pitch-prompts")
    refused = run_recap("content", "publish", str(out), db_path=db_file)
    assert (
        refused.returncode == 1
        and "pitch_prompt `too-expensive` is published but the files do not have it" in refused.stdout
    ), refused.stdout
    removed = run_recap("content", "publish", "--remove", str(out), db_path=db_file)
    assert "removed pitch_prompt too-expensive (rev 2)" in removed.stdout, removed.stdout
