"""Which translations an item has, which languages it lacks, and which translations are stale. Pure.

Nuggets, questions, refreshers and campaigns link a translation to its original with
`translation_of`. A translation is **stale** when its original was published again (any change)
in a later library version than the translation's own latest revision: someone changed the
original after the translation was made. A language is **missing** when the library has items
in it but this item's family (the original and its translations) has none. Competencies keep
their translations inside the item (`translations`); for them only missing languages can be
told, since a change to the original and to a translation is one change of one file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import msgspec


class Published(msgspec.Struct, frozen=True):
    """What the rules need of a published item: its language, what it translates, and the library
    version of its latest revision."""

    kind: str
    item_id: str
    language: str | None
    translation_of: str | None
    version: int
    translated: tuple[str, ...] = ()  # competencies: the languages in `translations`


class Translation(msgspec.Struct, frozen=True):
    item_id: str
    language: str
    stale: bool  # the original changed after this translation's latest revision


class Family(msgspec.Struct, frozen=True):
    original: str  # the original's id
    language: str  # the original's language
    translations: list[Translation]
    missing: list[str]  # languages the library uses that nobody in the family is written in

    @property
    def stale(self) -> list[Translation]:
        return [t for t in self.translations if t.stale]


def languages(items: Iterable[Published]) -> list[str]:
    """Every language the library's items are written in, the most used first."""
    counts = Counter(i.language for i in items if i.language)
    return [lang for lang, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def family(items: Iterable[Published], kind: str, item_id: str) -> Family | None:
    """The translations of an item of `kind` (or of its original, if it is a translation)."""
    items = list(items)
    used = languages(items)
    mine = {i.item_id: i for i in items if i.kind == kind}
    item = mine.get(item_id)
    if item is None:
        return None
    if item.language is None:  # a competency: its own text is in the library's main language
        main = used[0] if used else "en"
        have = {main, *item.translated}
        return Family(item_id, main, [Translation(lang, lang, False) for lang in item.translated], [x for x in used if x not in have])
    original = mine.get(item.translation_of or "", item)
    members = [i for i in mine.values() if i.translation_of == original.item_id and i.item_id != original.item_id]
    translations = [
        Translation(m.item_id, m.language or "", original.version > m.version) for m in sorted(members, key=lambda m: (m.language or "", m.item_id))
    ]
    have = {original.language or "", *(t.language for t in translations)}
    return Family(original.item_id, original.language or "", translations, [x for x in used if x not in have])


# A translation's references that have their own translations: (kind folder, field) -> the kind it names.
TRANSLATED_REFERENCES = {("pitch-prompts", "rubric"): "rubric", ("pitch-prompts", "campaign"): "campaign"}


def translated_references(folder: str, values: dict[str, object], language: str, items: Iterable[Published]) -> dict[str, object]:
    """The values of a new translation into `language`, each reference that has a translation into
    that language naming the translation instead (a Dutch prompt: the Dutch campaign and rubric)."""
    items = list(items)
    out = dict(values)
    for (kind_folder, field), kind in TRANSLATED_REFERENCES.items():
        ref = values.get(field)
        if kind_folder != folder or not isinstance(ref, str):
            continue
        match = next((i.item_id for i in items if i.kind == kind and i.translation_of == ref and i.language == language), None)
        if match is not None:
            out[field] = match
    return out
