"""Loading events and writing them as statements: what the command and the admin route share."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import sqlite_utils

from server.settings import Settings
from server.xapi import store
from server.xapi.statements import AnswerRow, Identity, ReadRow, answered, experienced, observed


class BadSince(ValueError):
    """--since is not a date or a time."""


def base_url(settings: Settings, fallback: str = "") -> str:
    """The server's address as statements name it: RECAP_PUBLIC_URL, else the given fallback (the
    address a request came to), else http://HOST:PORT."""
    return (settings.public_url or fallback or f"http://{settings.host}:{settings.port}").rstrip("/")


def parse_since(text: str | None) -> str:
    """A date (YYYY-MM-DD) or UTC time as the prefix statements' timestamps are compared with."""
    if not text:
        return ""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value).isoformat()
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadSince(f"--since {value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def statement(event: AnswerRow | ReadRow | Any, who: Identity) -> dict[str, Any]:
    if isinstance(event, AnswerRow):
        return answered(event, who)
    if isinstance(event, ReadRow):
        return experienced(event, who)
    return observed(event, who)


def statements(
    connect: Callable[[], AbstractContextManager[sqlite_utils.Database]],
    who: Identity,
    *,
    since: str = "",
    stored_from: str = "",
    page: int = store.PAGE,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stored at, statement) of every event stored from `stored_from` whose timestamp is at or
    after `since`, in stored order. Reads a page at a time, each with a connection from `connect`
    held only while reading it, so a long download or push never holds one."""
    after = (stored_from, "")
    while True:
        with connect() as db:
            found = store.events(db, after, page)
        if not found:
            return
        for stored, event in found:
            made = statement(event, who)
            if made["timestamp"] >= since:
                yield stored, made
        after = (found[-1][0], found[-1][1].id)


def using(db: sqlite_utils.Database) -> Callable[[], AbstractContextManager[sqlite_utils.Database]]:
    """`statements`' connection source for a caller that holds one connection throughout."""

    @contextmanager
    def same() -> Iterator[sqlite_utils.Database]:
        yield db

    return same


def identity(db: sqlite_utils.Database, settings: Settings, now: datetime.datetime, fallback_url: str = "") -> Identity:
    return Identity(base_url(settings, fallback_url), store.secret(db, now))


def json_lines(items: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    for _, made in items:
        yield json.dumps(made, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
