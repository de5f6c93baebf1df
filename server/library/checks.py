"""Rules that span fields or files: answers in range, references that resolve, languages that match."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec

from server.library.loader import Library, LoadedItem, Source, load_sources, nearest, read_folder
from server.library.option_refs import option_ref_problems
from server.library.problems import ContentError, Problem
from server.library.schema import Campaign, Item, Nugget, Pause, PitchPrompt, Question, Refresher, Rubric
from sync.enrollment import EVERYONE, BadAudience, parse_audience_entry
from sync.progress import campaign_settings

ANCHORED_FIELDS = ("budget", "end_check_days", "horizon_days", "booster_days", "spot_check_days")


def _at(loaded: LoadedItem, where: str, message: str) -> Problem:
    return Problem(loaded.path, loaded.line_of(where), message, where)


def _question_problems(loaded: LoadedItem, q: Question) -> Iterator[Problem]:
    numbers = q.correct_options
    for i, n in enumerate(numbers):
        where = "$.correct" if isinstance(q.correct, int) else f"$.correct[{i}]"
        if n > len(q.options):
            yield _at(loaded, where, f"correct option {n} is out of range: there are {len(q.options)} options (1 is the first)")
    if len(set(numbers)) != len(numbers):
        yield _at(loaded, "$.correct", "the same option is listed as correct twice")
    if len(numbers) == len(q.options):
        yield _at(loaded, "$.correct", "every option is marked correct: leave at least one wrong option")
    seen: dict[str, int] = {}
    for i, option in enumerate(q.options):
        key = " ".join(option.lower().split())
        if key in seen:
            yield _at(loaded, f"$.options[{i}]", f"option {i + 1} repeats option {seen[key] + 1}")
        seen.setdefault(key, i)
    for field in ("explanation", "teaching_point"):
        text = getattr(q, field)
        for ref in option_ref_problems(text, len(q.options)):
            where = f"$.{field}"
            yield Problem(loaded.path, _line_in_text(loaded, where, text, ref.offset), ref.message, where)


def _line_in_text(loaded: LoadedItem, where: str, text: str, offset: int) -> int:
    """The file line of `offset` in a field's text: exact in a `|` block, else the field's line."""
    line = loaded.line_of(where)
    raw = loaded.source.raw.decode("utf-8", "replace").splitlines() if loaded.source else []
    if 0 < line <= len(raw) and raw[line - 1].rstrip().endswith(("|", "|-", "|+")):
        return line + 1 + text.count("\n", 0, offset)
    return line


def _repeats(loaded: LoadedItem, path: str, values: list[str]) -> Iterator[Problem]:
    """A value given again in a list that names each thing once (at the repeat)."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield _at(loaded, f"{path}[{i}]", f"`{value}` is listed twice")
        seen.add(value)


def _reference(library: Library, loaded: LoadedItem, where: str, kind: str, ref: str, language: str | None = None) -> Iterator[Problem]:
    target = library.of(kind).get(ref)
    if target is None and (kind, ref) in library.broken:
        return
    noun = kind.rstrip("s").replace("competencie", "competency")
    if target is None:
        known = sorted(library.of(kind))
        close = nearest(ref, known)
        if close is not None:
            hint = f"; did you mean `{close}`?"
        else:
            hint = f" (known: {', '.join(known[:8])}{', …' if len(known) > 8 else ''})" if known else ""
        yield _at(loaded, where, f"unknown {noun} `{ref}`{hint}")
        return
    target_language = getattr(target.item, "language", None)
    if language is not None and target_language is not None and target_language != language:
        yield _at(loaded, where, f"{noun} `{ref}` is in `{target_language}` but this item is in `{language}`")


def _translation_problems(library: Library, kind: str, loaded: LoadedItem) -> Iterator[Problem]:
    item = loaded.item
    original_id = getattr(item, "translation_of", None)
    if original_id is None:
        return
    original = library.of(kind).get(original_id)
    if original is None:
        yield _at(loaded, "$.translation_of", f"translation of an unknown item `{original_id}`")
    elif getattr(original.item, "language", None) == getattr(item, "language", None):
        yield _at(loaded, "$.translation_of", f"`{original_id}` is in the same language: a translation must be in another one")


def _campaign_problems(loaded: LoadedItem, c: Campaign) -> Iterator[Problem]:
    """Its audience, and its days: start, end and pauses in order."""
    yield from _repeats(loaded, "$.audience", c.audience)
    for i, entry in enumerate(c.audience):
        try:
            parse_audience_entry(entry)
        except BadAudience as error:
            yield _at(loaded, f"$.audience[{i}]", str(error))
    if EVERYONE in c.audience and len(c.audience) > 1:
        yield _at(loaded, "$.audience", "`all` already includes everyone: list either `all` or teams and roles")
    if c.start is not None and c.end is not None and c.end < c.start:
        yield _at(loaded, "$.end", f"the campaign ends ({c.end}) before it starts ({c.start})")
    yield from _repeat_problems(loaded, c)
    reaching: Pause | None = None  # of the pauses so far (by first day), the one that ends last
    for i, pause in sorted(enumerate(c.pauses), key=lambda p: p[1].from_):
        where = f"$.pauses[{i}]"
        if pause.to < pause.from_:
            yield _at(loaded, where, f"the pause ends ({pause.to}) before it begins ({pause.from_}): `from` is its first day, `to` its last")
            continue
        if reaching is not None and pause.from_ <= reaching.to:
            yield _at(loaded, where, f"the pause from {pause.from_} overlaps the pause from {reaching.from_} to {reaching.to}: make them one")
        if reaching is None or pause.to > reaching.to:
            reaching = pause


def _repeat_problems(loaded: LoadedItem, c: Campaign) -> Iterator[Problem]:
    """Its repeat mode's settings: `anchored`'s only with `anchored`, all of them in range together."""
    if c.repeat != "anchored":
        for name in ANCHORED_FIELDS:
            if getattr(c, name) is not None:
                yield _at(loaded, f"$.{name}", f"`{name}` is an `anchored` setting, but this campaign repeats with `{c.repeat}`")
    try:
        campaign_settings(msgspec.to_builtins(c))
    except ValueError as error:
        yield _at(loaded, "$.repeat", f"repeat settings: {error}")


def _translated_rubric_problems(loaded: LoadedItem, r: Rubric, original: Rubric) -> Iterator[Problem]:
    """A translation observes the same competency with the same behaviours: observations name
    behaviours by id, whatever the language they were rated in."""
    if r.competency != original.competency:
        yield _at(loaded, "$.competency", f"the original `{original.id}` observes `{original.competency}`: a translation observes the same competency")
    mine, theirs = [b.id for b in r.behaviours], [b.id for b in original.behaviours]
    if mine != theirs:
        missing = [i for i in theirs if i not in mine]
        extra = [i for i in mine if i not in theirs]
        detail = "; ".join(filter(None, [
            f"missing {', '.join(f'`{i}`' for i in missing)}" if missing else "",
            f"not in the original: {', '.join(f'`{i}`' for i in extra)}" if extra else "",
            "in another order" if not missing and not extra else "",
        ]))  # fmt: skip
        yield _at(loaded, "$.behaviours", f"a translation has the behaviours of `{original.id}`, with the same ids, in the same order: {detail}")


def _rubric_problems(library: Library, loaded: LoadedItem, r: Rubric) -> Iterator[Problem]:
    """Blank texts, the practice each behaviour links to, and one rubric per competency and language."""
    if not r.title.strip():
        yield _at(loaded, "$.title", "the rubric has no title")
    for i, behaviour in enumerate(r.behaviours):
        if not behaviour.text.strip():
            yield _at(loaded, f"$.behaviours[{i}].text", f"behaviour `{behaviour.id}` has no text: say what the coach looks for")
        for field, refs in (("questions", behaviour.questions), ("refreshers", behaviour.refreshers)):
            yield from _repeats(loaded, f"$.behaviours[{i}].{field}", refs)
            for j, ref in enumerate(refs):
                yield from _reference(library, loaded, f"$.behaviours[{i}].{field}[{j}]", field, ref, r.language)
    original = library.of("rubrics").get(r.translation_of or "")
    if original is not None and isinstance(original.item, Rubric):
        yield from _translated_rubric_problems(loaded, r, original.item)
    # Said on each of them: the one being edited is the one whose author sees it.
    for other in library.of("rubrics").values():
        o = other.item
        if isinstance(o, Rubric) and o.id != r.id and (o.competency, o.language) == (r.competency, r.language):
            yield _at(
                loaded, "$.competency",
                f"competency `{r.competency}` already has a rubric in `{r.language}`: `{o.id}` ({other.path}); keep one rubric per competency and language",
            )  # fmt: skip


def _rubric_family(library: Library, rubric_id: str) -> set[str]:
    """A rubric's id, its original's and every translation of that original."""
    loaded = library.of("rubrics").get(rubric_id)
    root = (getattr(loaded.item, "translation_of", None) or rubric_id) if loaded else rubric_id
    return {root} | {i for i, other in library.of("rubrics").items() if getattr(other.item, "translation_of", None) == root}


def _prompt_rubric_problems(library: Library, loaded: LoadedItem, p: PitchPrompt) -> Iterator[Problem]:
    """The rubric exists, in the prompt's language when it has a translation into it, and the
    behaviours to judge are that rubric's, each named once."""
    yield from _reference(library, loaded, "$.rubric", "rubrics", p.rubric)
    target = library.of("rubrics").get(p.rubric)
    if target is None or not isinstance(target.item, Rubric):
        return
    rubric = target.item
    if rubric.language != p.language:
        for other_id in sorted(_rubric_family(library, p.rubric)):
            other = library.of("rubrics")[other_id].item if other_id in library.of("rubrics") else None
            if isinstance(other, Rubric) and other.language == p.language:
                yield _at(loaded, "$.rubric", f"rubric `{p.rubric}` is in `{rubric.language}` but this prompt is in `{p.language}`: use its translation `{other_id}`")
                break
    known = [b.id for b in rubric.behaviours]
    for i, behaviour in enumerate(p.behaviours):
        if behaviour not in known:
            close = nearest(behaviour, known)
            hint = f"; did you mean `{close}`?" if close else f" (its behaviours: {', '.join(known)})"
            yield _at(loaded, f"$.behaviours[{i}]", f"rubric `{p.rubric}` has no behaviour `{behaviour}`{hint}")


def _pitch_prompt_problems(library: Library, loaded: LoadedItem, p: PitchPrompt) -> Iterator[Problem]:
    """Blank texts, the rubric and its behaviours, the campaign, and what a translation keeps."""
    if not p.title.strip():
        yield _at(loaded, "$.title", "the pitch prompt has no title")
    if not p.situation.strip():
        yield _at(loaded, "$.situation", "the pitch prompt has no situation: describe the client and what they said")
    if p.audience is not None and not p.audience.strip():
        yield _at(loaded, "$.audience", "`audience` is blank: say who the prompt is for, or leave the field out")
    yield from _repeats(loaded, "$.behaviours", p.behaviours)
    yield from _prompt_rubric_problems(library, loaded, p)
    if p.campaign is not None:
        yield from _reference(library, loaded, "$.campaign", "campaigns", p.campaign, p.language)
    original = library.of("pitch-prompts").get(p.translation_of or "")
    if original is not None and isinstance(original.item, PitchPrompt):
        o = original.item
        if p.rubric not in _rubric_family(library, o.rubric):
            yield _at(loaded, "$.rubric", f"the original `{o.id}` is judged with `{o.rubric}`: a translation uses that rubric or a translation of it")
        if p.behaviours != o.behaviours:
            yield _at(loaded, "$.behaviours", f"a translation judges the behaviours of `{o.id}`, in the same order: {', '.join(o.behaviours)}")


def _item_problems(library: Library, kind: str, loaded: LoadedItem) -> Iterator[Problem]:
    item: Item = loaded.item
    competency = getattr(item, "competency", None)
    if competency is not None:
        yield from _reference(library, loaded, "$.competency", "competencies", competency)
    yield from _translation_problems(library, kind, loaded)
    if isinstance(item, Question):
        yield from _question_problems(loaded, item)
        if item.nugget is not None:
            yield from _reference(library, loaded, "$.nugget", "nuggets", item.nugget, item.language)
    elif isinstance(item, Refresher):
        if not item.title.rstrip().endswith("?"):
            yield _at(loaded, "$.title", "a refresher's title is a question (\"How do I …?\"): end it with ?")
    elif isinstance(item, Campaign):
        for field, refs in (("questions", item.questions), ("nuggets", item.nuggets)):
            yield from _repeats(loaded, f"$.{field}", refs)
            for i, ref in enumerate(refs):
                yield from _reference(library, loaded, f"$.{field}[{i}]", field, ref, item.language)
        yield from _campaign_problems(loaded, item)
    elif isinstance(item, Rubric):
        yield from _rubric_problems(library, loaded, item)
    elif isinstance(item, PitchPrompt):
        yield from _pitch_prompt_problems(library, loaded, item)
    elif isinstance(item, Nugget) and not item.body.strip():
        yield _at(loaded, "$.body", "the nugget has no text")


def cross_problems(library: Library) -> list[Problem]:
    """Every problem that needs more than one field or more than one file to see."""
    problems: list[Problem] = []
    for kind, items in library.items.items():
        for loaded in items.values():
            problems.extend(_item_problems(library, kind, loaded))
    return problems


def check_library(root: Path) -> Library:
    """Load and fully validate a library folder; raise ContentError with every problem found."""
    sources, problems = read_folder(root)
    return check_sources(sources, problems)


def check_sources(sources: list[Source], problems: list[Problem] | None = None) -> Library:
    """Load and fully validate a library given as its files; raise ContentError with every problem."""
    library, found = load_sources(sources)
    found = [*(problems or []), *found, *cross_problems(library)]
    if found:
        raise ContentError(found)
    return library
