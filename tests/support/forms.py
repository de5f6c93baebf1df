"""Submitting a server-rendered form as a browser would, for HTTP tests of the editor's pages.

`form_fields(html, form_id)` reads a form's controls and returns what the browser would send:
every named input, textarea and select, checkboxes and radios only when checked, a textarea's
text without the line break that follows its opening tag (HTML drops it too). Submit buttons
are left out, as when a form is sent without clicking one of them.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self.action: str | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if self.inside:
                self.depth += 1
            elif self.form_id is None or a.get("id") == self.form_id:
                self.inside, self.action = True, a.get("action")
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            if self.depth:
                self.depth -= 1
            else:
                self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, parts = self._option
            self._select[1].append((value if value is not None else "".join(parts), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = next((v for v, s in options if s), options[0][0] if options else None)
            if chosen is not None:
                self.fields.append((name, chosen))
            self._select = None


def form_fields(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    """What submitting the form (`id=form_id`, else the first form) would send, in page order."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def form_action(html: str, form_id: str | None = None) -> str | None:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.action


def replaced(fields: list[tuple[str, str]], **values: str | list[str]) -> list[tuple[str, str]]:
    """The fields with some replaced (a list replaces every field of that name, in order)."""
    names = {k.replace("__", "."): v for k, v in values.items()}
    out = [(k, v) for k, v in fields if k not in names]
    for name, value in names.items():
        out += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return out
