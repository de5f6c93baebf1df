"""Helpers of the editor's HTTP tests (tests/editor/): create, publish and look up items on the
real server of tests/editor/conftest.py."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from tests.support.editor import item_form, post_form, save
from tests.support.forms import form_action, form_fields
from tests.support.server import LiveServer

Q = "/editor/items/questions"


def rows(server: LiveServer, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.db_path) as db:
        return db.execute(sql, params).fetchall()


def latest_version(server: LiveServer) -> int:
    return int(rows(server, "SELECT max(version) FROM library_versions")[0][0])


def new_question(client: httpx.Client, item_id: str, **extra: str | list[str]) -> httpx.Response:
    """Create a question draft through the new-question form."""
    fields = item_form(client, "/editor/new/questions")
    values: dict[str, str | list[str]] = {
        "id": item_id, "competency": "needs-analysis",
        "stem": 'Priya, a buyer, says: "We have no budget this year." What do you ask?',
        "options__0": "Ask what would have to be true for this to get budget.", "options__1": "Offer a discount.",
        "options__2": "Send the proposal anyway.", "correct": "0", "correct_mode": "one",
        "explanation": "Budget follows priorities: find the priority.", "teaching_point": "Budget follows priority.",
        **extra,
    }  # fmt: skip
    return save(client, "/editor/new/questions", fields, **values)


def publish_draft(client: httpx.Client, path: str) -> httpx.Response:
    page = client.get(path + "/publish")
    assert page.status_code == 200, page.text
    return post_form(client, form_action(page.text) or "", form_fields(page.text))


def csrf_of_cookie(client: httpx.Client) -> str:
    return client.cookies.get("recap_csrf") or ""


