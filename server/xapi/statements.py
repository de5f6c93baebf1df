"""Turning recorded events into xAPI 1.0.3 statements. Pure: rows and the server's identity in,
statements (plain dicts, ready for JSON) out.

- Each statement's `id` is the event's own UUID, so sending it twice is harmless: a learning
  record store keeps one statement per id.
- The actor is pseudonymous: an `account` whose `homePage` is this server's base URL and whose
  `name` is an HMAC-SHA256 of the user id under the server's xAPI secret. It is stable (the same
  person is the same actor in every export) and reveals neither name nor address; without the
  secret it cannot be linked back.
- Activities are IRIs under the server's base URL: `<base>/xapi/activities/questions/<id>`,
  `…/nuggets/<id>`, `…/observations/<id>`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

VERSION = "1.0.3"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
LESSON = "http://adlnet.gov/expapi/activities/lesson"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
OBSERVED_PATH = "/xapi/verbs/observed"  # under the base URL: no ADL verb says "was observed on the job"


@dataclass(frozen=True)
class Identity:
    """Who is exporting: the server's base URL (no trailing slash) and its xAPI secret."""

    base_url: str
    secret: bytes

    def agent(self, user_id: str) -> dict[str, Any]:
        name = hmac.new(self.secret, user_id.encode(), hashlib.sha256).hexdigest()
        return {"objectType": "Agent", "account": {"homePage": self.base_url, "name": name}}

    def activity(self, kind: str, item_id: str, type_iri: str, name: str) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": f"{self.base_url}/xapi/activities/{kind}/{quote(item_id, safe='')}",
            "definition": {"type": type_iri, "name": {"en": name}},
        }


@dataclass(frozen=True)
class AnswerRow:
    id: str
    user_id: str
    question_id: str
    correct: bool
    answered_at: str  # ISO 8601 UTC, e.g. 2026-10-01T08:00:00.000Z
    duration_ms: int | None
    content_version: int


@dataclass(frozen=True)
class ReadRow:
    id: str  # the acknowledgement's UUID
    user_id: str
    nugget_id: str
    at: str


@dataclass(frozen=True)
class ObservationRow:
    id: str
    rep_id: str
    author_id: str
    created_at: str


def iso_duration(ms: int) -> str:
    """Milliseconds as an ISO 8601 duration with 0.01 s precision, e.g. 4230 -> PT4.23S."""
    hundredths = (ms + 5) // 10  # half up, as everywhere in Recap
    seconds, rest = divmod(hundredths, 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or rest or text == "PT":
        text += f"{seconds}.{rest:02d}S".replace(".00S", "S")
    return text


def _statement(statement_id: str, actor: dict[str, Any], verb: str, display: str, obj: dict[str, Any], timestamp: str) -> dict[str, Any]:
    return {
        "id": statement_id,
        "actor": actor,
        "verb": {"id": verb, "display": {"en": display}},
        "object": obj,
        "timestamp": timestamp,
        "version": VERSION,
    }


def answered(row: AnswerRow, who: Identity) -> dict[str, Any]:
    """A rep answered a question: `result.success` is the server's verdict."""
    statement = _statement(
        row.id, who.agent(row.user_id), ANSWERED, "answered",
        who.activity("questions", row.question_id, INTERACTION, f"Question {row.question_id}"), row.answered_at,
    )  # fmt: skip
    result: dict[str, Any] = {"success": bool(row.correct)}
    if row.duration_ms is not None and row.duration_ms >= 0:
        result["duration"] = iso_duration(row.duration_ms)
    statement["result"] = result
    statement["context"] = {
        "platform": "Recap",
        "extensions": {f"{who.base_url}/xapi/extensions/content-version": row.content_version},
    }
    return statement


def experienced(row: ReadRow, who: Identity) -> dict[str, Any]:
    """A rep read a nugget (marked it read in the app)."""
    statement = _statement(
        row.id, who.agent(row.user_id), EXPERIENCED, "experienced",
        who.activity("nuggets", row.nugget_id, LESSON, f"Nugget {row.nugget_id}"), row.at,
    )  # fmt: skip
    statement["context"] = {"platform": "Recap"}
    return statement


def observed(row: ObservationRow, who: Identity) -> dict[str, Any]:
    """A coach observed a rep on the job (an observation shared with the rep). The actor is the
    rep; the coach is the context's instructor."""
    statement = _statement(
        row.id, who.agent(row.rep_id), who.base_url + OBSERVED_PATH, "was observed on the job",
        who.activity("observations", row.id, ASSESSMENT, "Observation on the job"), row.created_at,
    )  # fmt: skip
    statement["context"] = {"platform": "Recap", "instructor": who.agent(row.author_id)}
    return statement
