"""The editor's pure rules: forms generated from the schema, form <-> item fields, three-way merge
and diff, question quality, translation flags, the list's filters."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

import msgspec
import msgspec.inspect as mi
import pytest

from server.editor import fields, forms, listing, merge, quality, translations
from server.editor.store import Draft
from server.library.schema import KINDS
from server.library.snapshot import _MARKDOWN_FIELDS, KIND_BY_NAME
from server.storage.content import StoredItem

# ---- forms from the schema ---------------------------------------------------------------------


def test_every_field_of_every_kind_has_a_widget_and_the_guide_s_words() -> None:
    for folder, cls in KINDS.items():
        specs = {f.name: f for f in fields.form_fields(folder)}
        assert set(specs) == {f.name for f in msgspec.structs.fields(cls)} - {"change"}
        for spec in specs.values():
            assert spec.help, f"{folder}.{spec.name} has no help from docs/content.md"
            assert spec.label and spec.widget
        for name in _MARKDOWN_FIELDS[cls.kind]:
            assert specs[name].widget == "markdown", f"{folder}.{name} is Markdown in the snapshot"
    question = {f.name: f for f in fields.form_fields("questions")}
    assert question["correct"].widget == "correct" and question["options"].widget == "rows"
    assert (question["options"].min_length, question["options"].max_length) == (2, 5)
    assert question["competency"].widget == "reference" and question["competency"].source == "competencies"
    assert question["translation_of"].source == "questions" and question["tags"].widget == "words"
    assert question["difficulty"].widget == "number" and (question["difficulty"].minimum, question["difficulty"].maximum) == (1, 3)
    assert question["language"].suggest == "languages"
    campaign = {f.name: f for f in fields.form_fields("campaigns")}
    assert campaign["repeat"].widget == "select" and "classic-long" in campaign["repeat"].choices
    assert campaign["start"].widget == "date" and campaign["questions"].widget == "references"
    assert campaign["desired_retention"].widget == "number" and not campaign["desired_retention"].integer
    competency = {f.name: f for f in fields.form_fields("competencies")}["translations"]
    assert competency.widget == "map" and competency.key is not None and competency.key.name == "language"
    assert [s.name for s in competency.subfields] == ["name", "description"]


class Pause(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    from_: Annotated[datetime.date, msgspec.Meta(description="first day")] = msgspec.field(name="from")
    to: datetime.date


class Future(msgspec.Struct, kw_only=True):
    pauses: list[Pause] = []
    end: datetime.date | None = None
    mode: Literal["a", "b"] = "a"
    ratio: float | None = None


def test_fields_another_branch_adds_get_widgets_without_code() -> None:
    info = mi.type_info(Future)
    assert isinstance(info, mi.StructType)
    got = {
        f.name: fields._spec(f.name, f.type, required=f.required, default=None, kind_folder="campaigns", guide={})
        for f in info.fields
    }
    assert got["pauses"].widget == "structs" and [s.widget for s in got["pauses"].subfields] == ["date", "date"]
    assert got["end"].widget == "date" and got["mode"].widget == "select" and got["ratio"].widget == "number"


def test_the_guide_tables_are_read_with_their_links_as_text() -> None:
    guide = fields.parse_guide(
        "### Nugget (`nuggets/`, body field: `body`)\n\n| field | required | type | meaning |\n|---|---|---|---|\n"
        "| `minutes` | no (2) | 1–15 | reading time; see [Changing](#changing) |\n\n## Other\n| `x` | a | b | c |\n"
    )
    assert guide == {"nuggets": {"minutes": ("reading time; see Changing", "1–15")}}


# ---- form -> values ---------------------------------------------------------------------------------


def test_a_question_form_becomes_its_fields_blank_rows_dropped_and_ticks_renumbered() -> None:
    pairs = [
        ("csrf_token", "t"), ("_revision", "3"), ("id", "q1"), ("competency", "closing"), ("language", ""),
        ("difficulty", "3"), ("stem", "Line one\r\nLine two\r\n"), ("options.0", "A"), ("options.1", "  "),
        ("options.2", "C"), ("options.3", "D"), ("correct", "2"), ("correct", "1"), ("correct_mode", "one"),
        ("explanation", "Because."), ("teaching_point", " Point. "), ("nugget", ""), ("tags", "a, b  c"),
        ("translation_of", ""), ("change", "cosmetic"),
    ]  # fmt: skip
    values = forms.parse_form("questions", pairs)
    assert values == {
        "id": "q1", "competency": "closing", "difficulty": 3, "stem": "Line one\nLine two\n", "options": ["A", "C", "D"],
        "correct": 2, "explanation": "Because.", "teaching_point": "Point.", "tags": ["a", "b", "c"], "change": "cosmetic",
    }  # fmt: skip
    several = forms.parse_form("questions", [("options.0", "A"), ("options.1", "B"), ("correct", "1"), ("correct_mode", "several")])
    assert several["correct"] == [2]
    two = forms.parse_form("questions", [("options.0", "A"), ("options.1", "B"), ("options.2", "C"), ("correct", "2"), ("correct", "0")])
    assert two["correct"] == [1, 3]


def test_wrong_values_are_kept_as_typed_for_the_checks_to_point_at() -> None:
    values = forms.parse_form("nuggets", [("minutes", "ten"), ("title", "T")])
    assert values == {"minutes": "ten", "title": "T"}
    campaign = forms.parse_form("campaigns", [("desired_retention", "0.9"), ("retire_stability", "90"), ("max_interval", "1e3"), ("start", "2026-02-30")])
    assert campaign == {"desired_retention": 0.9, "retire_stability": 90.0, "max_interval": "1e3", "start": "2026-02-30"}


def test_map_rows_become_a_mapping_and_a_key_given_twice_is_refused() -> None:
    pairs = [
        ("translations.0.key", "nl"), ("translations.0.name", "Waarde"), ("translations.0.description", ""),
        ("translations.1.key", ""), ("translations.1.name", ""), ("translations.2.key", "de"), ("translations.2.name", "Wert"),
    ]  # fmt: skip
    assert forms.parse_form("competencies", pairs)["translations"] == {"nl": {"name": "Waarde"}, "de": {"name": "Wert"}}
    with pytest.raises(forms.FormRefused, match="given in two rows"):
        forms.parse_form("competencies", [("translations.0.key", "nl"), ("translations.1.key", "nl"), ("translations.1.name", "x")])
    with pytest.raises(forms.FormRefused, match="give the language"):
        forms.parse_form("competencies", [("translations.0.key", ""), ("translations.0.name", "x")])


def test_rows_shown_never_exceed_the_maximum_and_meet_the_minimum() -> None:
    options = {f.name: f for f in fields.form_fields("questions")}["options"]
    assert forms.rows_for(options, None) == ["", ""]
    assert forms.rows_for(options, ["a", "b"]) == ["a", "b", ""]
    assert forms.rows_for(options, list("abcde")) == list("abcde")


def test_a_problem_is_placed_beside_its_field() -> None:
    assert forms.field_of("$.options[2]") == ("options", "row 3")
    assert forms.field_of("$.translations.nl.name") == ("translations", "nl")
    assert forms.field_of("$.title") == ("title", "")
    assert forms.field_of("") == ("", "")


def test_defaults_and_empty_values_compare_equal_to_an_item_that_leaves_them_out() -> None:
    stored = {"id": "n", "title": "T", "competency": "c", "language": "en", "minutes": 2, "tags": [], "translation_of": None, "body": "B", "change": None}
    assert forms.normalised("nuggets", stored) == {"id": "n", "title": "T", "competency": "c", "body": "B"}


# ---- merge and diff --------------------------------------------------------------------------------


def test_a_three_way_merge_takes_one_sided_changes_and_asks_about_clashes() -> None:
    base = {"title": "T", "steps": ["a"], "body": "B", "tags": ["x"]}
    theirs = {"title": "T2", "steps": ["a", "b"], "body": "B", "tags": ["x"]}
    yours = {"title": "T3", "steps": ["a"], "body": "B2", "tags": ["x"], "language": "nl"}
    result = merge.three_way(base, theirs, yours, ["title", "language", "steps", "body", "tags"])
    outcomes = {f.name: f.outcome for f in result.fields}
    assert outcomes == {"title": "conflict", "language": "yours", "steps": "theirs", "body": "yours", "tags": "same"}
    assert [f.name for f in result.conflicts] == ["title"]
    with pytest.raises(KeyError):
        result.merged()
    assert result.merged({"title": "theirs"}) == {"title": "T2", "language": "nl", "steps": ["a", "b"], "body": "B2", "tags": ["x"]}
    both = merge.three_way({"a": 1}, {"a": 2}, {"a": 2}, ["a"])
    assert both.fields[0].outcome == "both" and both.merged() == {"a": 2}
    removed = merge.three_way({"a": 1, "b": 1}, {"a": 1}, {"a": 1, "b": 1}, ["a", "b"])
    assert removed.merged() == {"a": 1}  # they cleared b; you did not touch it


def test_the_diff_is_side_by_side_line_by_line() -> None:
    rows = merge.diff({"stem": "one\ntwo\nthree", "minutes": 2}, {"stem": "one\n2\nthree\nfour", "minutes": 2}, ["stem", "minutes"])
    stem = rows[0]
    assert stem.changed and [(r.tag, r.left, r.right) for r in stem.lines] == [
        ("equal", "one", "one"), ("replace", "two", "2"), ("equal", "three", "three"), ("insert", None, "four"),
    ]  # fmt: skip
    assert not rows[1].changed
    assert merge.lines_of(["a", "b"]) == ["a", "b"] and merge.lines_of({"nl": {"name": "x"}}) == ['nl: {"name": "x"}']


# ---- quality ---------------------------------------------------------------------------------------


def test_quality_counts_first_answers_and_flags_only_with_enough_of_them() -> None:
    firsts = [quality.FirstChoice((1,), True, 9), quality.FirstChoice((2,), False, 1)]
    figures = quality.quality(25, firsts, [1], 3, [3000, 1000, 2000, 10_000])
    assert (figures.answers, figures.learners, figures.right_first, figures.rate) == (25, 10, 9, 0.9)
    assert figures.most_chosen_wrong == quality.OptionFigure(2, 1, False)
    assert figures.median_seconds == 2.5 and figures.timed == 4 and figures.flags == []
    easy = quality.quality(20, [quality.FirstChoice((1,), True, 20)], [1], 3)
    assert easy.flags == ["too-easy"] and easy.median_seconds is None and easy.most_chosen_wrong is None
    hard = quality.quality(10, [quality.FirstChoice((1,), True, 2), quality.FirstChoice((2,), False, 3), quality.FirstChoice((3,), False, 5)], [1], 3)
    assert hard.flags == ["too-hard", "ambiguous"] and hard.most_chosen_wrong == quality.OptionFigure(3, 5, False)
    few = quality.quality(3, [quality.FirstChoice((2,), False, 3)], [1], 3)
    assert few.flags == [] and not few.enough


def test_quality_reads_stored_choices_and_several_right_options() -> None:
    assert quality.parse_choice("[3, 1]") == (1, 3) and quality.parse_choice("2") == (2,) and quality.parse_choice("nonsense") == ()
    firsts = [quality.FirstChoice((1, 3), True, 6), quality.FirstChoice((1,), False, 4)]
    figures = quality.quality(10, firsts, [1, 3], 4)
    assert [(o.number, o.picks) for o in figures.options] == [(1, 10), (2, 0), (3, 6), (4, 0)]
    assert figures.flags == []  # no wrong option beats the least chosen right one


# ---- translations ----------------------------------------------------------------------------------


def test_missing_and_stale_translations() -> None:
    items = [
        translations.Published("nugget", "wedge", "en", None, 5),
        translations.Published("nugget", "wedge-nl", "nl", "wedge", 3),
        translations.Published("nugget", "curve", "en", None, 1),
        translations.Published("question", "q", "de", None, 1),
        translations.Published("competency", "c", None, None, 1, ("nl",)),
    ]
    family = translations.family(items, "nugget", "wedge-nl")
    assert family is not None and family.original == "wedge"
    assert family.translations == [translations.Translation("wedge-nl", "nl", True)] and family.missing == ["de"]
    curve = translations.family(items, "nugget", "curve")
    assert curve is not None and curve.translations == [] and curve.missing == ["de", "nl"]
    competency = translations.family(items, "competency", "c")
    assert competency is not None and competency.language == "en" and competency.missing == ["de"]
    assert translations.family(items, "nugget", "nope") is None


# ---- the list ----------------------------------------------------------------------------------------


def stored(kind: str, item_id: str, data: dict[str, object] | None, change: str = "new") -> StoredItem:
    return StoredItem(kind, item_id, 1, 1, change, 1, None, None if data is None else msgspec.json.encode(data).decode())


def test_the_list_shows_published_withdrawn_and_drafted_items_and_filters_them() -> None:
    current = {
        ("question", "q1"): stored("question", "q1", {"id": "q1", "competency": "c", "stem": "**Ann** says: hi\nmore", "language": "en"}),
        ("question", "gone"): stored("question", "gone", None, "removed"),
        ("campaign", "camp"): stored("campaign", "camp", {"id": "camp", "title": "Camp", "questions": ["q1"], "language": "nl"}),
    }
    draft = Draft(kind="question", item_id="q2", revision=1, base_rev=None, fields={"id": "q2", "competency": "c"}, status="ready",
                  created_by="u", created_at="t", updated_by="u", updated_at="t")  # fmt: skip
    rows = listing.rows(current, [draft], {"q1": 4}, reach={"camp": 12})
    by_id = {r.item_id: r for r in rows}
    assert by_id["q1"].title == "Ann says: hi" and by_id["q1"].campaigns == ("camp",) and by_id["q1"].answers == 4
    assert by_id["gone"].statuses == ("withdrawn",) and by_id["q2"].statuses == ("ready",)
    assert by_id["camp"].reach == 12 and by_id["camp"].language == "nl"
    pick = lambda **f: [r.item_id for r in rows if listing.matches(r, listing.Filters(**f))]  # noqa: E731
    assert pick(status="ready") == ["q2"] and pick(answers="yes") == ["q1"] and pick(answers="no") == ["gone", "q2"]
    assert pick(campaign="camp") == ["q1", "camp"] or pick(campaign="camp") == ["camp", "q1"]
    assert pick(q="ann HI") == ["q1"] and pick(kind="campaign", language="nl") == ["camp"]
    assert listing.choices(rows)["campaign"] == ["camp"] and KIND_BY_NAME["question"] == "questions"
