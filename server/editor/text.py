"""Template filters of the editor's pages. Each escapes what it is given and marks up only what
it adds itself."""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

from server.editor.forms import sub_value
from server.library.option_refs import letter

_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")


def guide(text: str) -> Markup:
    """The authoring guide's wording (docs/content.md): `code` and **strong** as such."""
    html = str(escape(text))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_STRONG.sub(r"<strong>\1</strong>", html))


def singular(label: str) -> str:
    """`Options` -> `Option`: the label of one row of a list."""
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def row_label(label: str, name: str, n: int) -> str:
    """The label of row `n` (1 = first) of a list: `Option B` for options, shown as the app shows
    them (letters, as explanations name them); `Step 2` for any other list."""
    return f"{singular(label)} {letter(n) if name == 'options' else n}"


def show(value: Any) -> Markup:
    """A field's value in a merge table: text as written, a list one item per line, nothing as —."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    if isinstance(value, list):
        return Markup("<br>").join(escape(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for v in value)
    if isinstance(value, dict):
        return Markup('<span class="pre">{}</span>').format(json.dumps(value, ensure_ascii=False, indent=1))
    return Markup('<span class="pre">{}</span>').format(value)


def noun(kind: str) -> str:
    """A kind or its folder in words: `pitch_prompt` -> `pitch prompt`, `pitch-prompts` -> `pitch prompts`."""
    return str(kind).replace("_", " ").replace("-", " ")


FILTERS = {"guide": guide, "singular": singular, "show": show, "noun": noun}
GLOBALS = {"row_label": row_label, "sub_value": sub_value}
