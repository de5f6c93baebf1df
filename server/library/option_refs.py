"""How an explanation may name a question's options: by the letter shown on screen (A, B, C, …).

The app labels options A, B, C, … (pwa/src/cards.js), so an explanation that says "Option 2" or
"(3)" points at something the learner cannot see. These pure functions find such references and
every letter referred to, so the checker can refuse numbers and letters past the last option.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

LETTERS = "ABCDE"  # a question has at most 5 options

# The words that introduce a reference to an option, in the languages of the library.
_WORD = r"(?:options?|opties?|answers?|antwoord(?:en)?|choices?|keuzes?)"
_JOIN = r"(?:\s*,\s*|\s+(?:and|or|en|of)\s+|\s*&\s*|\s*/\s*)"
_BY_NUMBER = re.compile(rf"\b{_WORD}\s+[1-9]\d*(?:{_JOIN}[1-9]\d*)*\b", re.IGNORECASE)
_PAREN_NUMBER = re.compile(r"\(\s*[1-9]\s*\)")
# Letters are capitals (lower case "option a" is more likely English than a reference), and no
# further than H: "the answer I gave" is English, and F to H are past any question's options.
_BY_LETTER = re.compile(rf"\b(?i:{_WORD})\s+([A-H])\b((?:{_JOIN}[A-H]\b)*)")
_PAREN_LETTER = re.compile(r"\(([A-H])\)")
_LIST_LETTER = re.compile(r"[A-H]\b")


class OptionRef(msgspec.Struct, frozen=True):
    """One problem with a reference: the text as written, where it starts, and what is wrong."""

    text: str
    offset: int
    message: str


def letter(n: int) -> str:
    """The label of option `n` (1 = first): A, B, C, …"""
    return LETTERS[n - 1]


def _as_letters(text: str) -> str:
    """`Option 2` -> `option B`, `(3)` -> `(C)`: the same reference by letter, for the message."""
    return re.sub(r"[1-9]\d*", lambda m: LETTERS[int(m.group()) - 1] if int(m.group()) <= len(LETTERS) else m.group(), text)


def option_ref_problems(text: str, option_count: int) -> Iterator[OptionRef]:
    """Every reference in `text` by number, and every letter past the last of `option_count`."""
    last = letter(option_count)
    for m in [*_BY_NUMBER.finditer(text), *_PAREN_NUMBER.finditer(text)]:
        written = " ".join(m.group().split())
        yield OptionRef(
            written,
            m.start(),
            f"`{written}` refers to an option by number, but options are shown as letters (A to {last}): "
            f"write `{_as_letters(written)}`",
        )
    for m in _BY_LETTER.finditer(text):
        letters = [m.group(1), *_LIST_LETTER.findall(m.group(2) or "")]
        yield from _missing(" ".join(m.group().split()), m.start(), letters, option_count)
    for m in _PAREN_LETTER.finditer(text):
        yield from _missing(m.group(), m.start(), [m.group(1)], option_count)


def _missing(written: str, offset: int, letters: list[str], option_count: int) -> Iterator[OptionRef]:
    last = letter(option_count)
    for name in letters:
        if name not in LETTERS[:option_count]:
            yield OptionRef(
                written,
                offset,
                f"`{written}` refers to option {name}, but there are {option_count} options (A to {last})",
            )
