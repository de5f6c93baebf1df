"""The browser editor over real HTTP: people signed in by emailed code on a real server, and its
pages' forms submitted as a browser would (tests/support/forms.py)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.support.forms import form_fields, replaced
from tests.support.mail import mail_files, wait_for_code
from tests.support.server import LiveServer

EDITOR = "editor@example.com"
EDITOR2 = "editor2@example.com"


def signed_in(server: LiveServer, email: str) -> httpx.Client:
    """A client with `email`'s session cookies, from a real sign-in by emailed code."""
    client = httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)
    seen = len(mail_files(server.db_path))
    asked = client.post("/auth/code", json={"email": email})
    assert asked.status_code == 200, asked.text
    code = wait_for_code(server.db_path, email, seen=seen)
    answer = client.post("/auth/verify", json={"email": email, "code": code})
    assert answer.status_code == 200, answer.text
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token in its forms"
    return found.group(1)


def item_form(client: httpx.Client, path: str) -> list[tuple[str, str]]:
    """The item page's form as the browser would send it now."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return form_fields(page.text, "item-form")


def save(client: httpx.Client, path: str, fields: list[tuple[str, str]], *, as_json: bool = False, **values: Any) -> httpx.Response:
    """Post the form with some fields replaced (`options__0="…"` names `options.0`)."""
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(path, data=_pairs(replaced(fields, **values)), headers=headers)


def _pairs(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in fields:
        out.setdefault(k, []).append(v)
    return out


def post_form(client: httpx.Client, path: str, fields: list[tuple[str, str]], **headers: str) -> httpx.Response:
    return client.post(path, data=_pairs(fields), headers=headers)


def problems_beside(page: str, field: str) -> list[str]:
    """The problems the page shows beside a field (its `p-FIELD` list)."""
    found = re.search(rf'<ul class="problems" id="p-{re.escape(field)}"[^>]*>(.*?)</ul>', page, re.S)
    assert found, f"no problem list beside {field}"
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]
