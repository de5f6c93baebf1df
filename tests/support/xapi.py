"""What the xAPI 1.0.3 specification requires of a statement (Part 2, §2.4), written from the
spec's rules as a checker, and a tiny learning record store for push tests.

The checker covers the properties a conformant LRS rejects a statement for: an `id` that is not
a UUID, an actor without exactly one inverse functional identifier (an `account` needs
`homePage` (an IRL) and `name`), a verb or activity `id` that is not an IRI, a `timestamp` that
is not ISO 8601 with a time zone, a `version` that is not 1.0.x, unknown top-level properties,
`result.success` that is not a boolean and `result.duration` that is not an ISO 8601 duration,
language maps with keys that are not language tags, extension keys that are not IRIs.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
IRL = re.compile(r"^https?://[^\s/]+[^\s]*$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
TOP_LEVEL = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _language_map(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{where} must be a language map"]
    return [f"{where}: {k!r} is not a language tag" for k in value if not LANGUAGE.match(k)]


def _agent(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    problems = []
    if value.get("objectType", "Agent") != "Agent":
        problems.append(f"{where}.objectType must be Agent")
    present = [k for k in IFIS if k in value]
    if len(present) != 1:
        problems.append(f"{where} must have exactly one of {', '.join(IFIS)}, has {present}")
    account = value.get("account")
    if account is not None:
        if not isinstance(account, dict) or set(account) != {"homePage", "name"}:
            problems.append(f"{where}.account must have homePage and name only")
        else:
            if not IRL.match(str(account["homePage"])):
                problems.append(f"{where}.account.homePage must be an IRL")
            if not isinstance(account["name"], str) or not account["name"]:
                problems.append(f"{where}.account.name must be a non-empty string")
    return problems


def statement_problems(statement: Any) -> list[str]:
    """Everything in one statement that the specification forbids; [] for a valid one."""
    if not isinstance(statement, dict):
        return ["a statement is a JSON object"]
    problems = [f"unknown property {k!r}" for k in statement if k not in TOP_LEVEL]
    if not UUID.match(str(statement.get("id", ""))):
        problems.append("id must be a UUID")
    problems += _agent(statement.get("actor"), "actor")
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not IRI.match(str(verb.get("id", ""))):
        problems.append("verb.id must be an IRI")
    elif "display" in verb:
        problems += _language_map(verb["display"], "verb.display")
    obj = statement.get("object")
    if not isinstance(obj, dict) or obj.get("objectType", "Activity") != "Activity" or not IRI.match(str(obj.get("id", ""))):
        problems.append("object must be an Activity whose id is an IRI")
    else:
        definition = obj.get("definition", {})
        if "type" in definition and not IRI.match(str(definition["type"])):
            problems.append("object.definition.type must be an IRI")
        if "name" in definition:
            problems += _language_map(definition["name"], "object.definition.name")
    if not TIMESTAMP.match(str(statement.get("timestamp", ""))):
        problems.append("timestamp must be ISO 8601 with a time zone")
    if not re.match(r"^1\.0(\.\d+)?$", str(statement.get("version", "1.0.0"))):
        problems.append("version must be 1.0.x")
    result = statement.get("result")
    if result is not None:
        if "success" in result and not isinstance(result["success"], bool):
            problems.append("result.success must be a boolean")
        if "duration" in result and not DURATION.match(str(result["duration"])):
            problems.append("result.duration must be an ISO 8601 duration")
    context = statement.get("context")
    if context is not None:
        if "instructor" in context:
            problems += _agent(context["instructor"], "context.instructor")
        problems += [f"context extension {k!r} is not an IRI" for k in context.get("extensions", {}) if not IRI.match(k)]
    return problems


class FakeLrs:
    """A learning record store on 127.0.0.1: keeps one statement per id (204 for a repeat with the
    same content, 409 for a different one), and fails its first requests as told: `fail_first`
    requests answer 503, then `hang_once` request saves the batch but answers too late."""

    def __init__(self, fail_first: int = 0, hang_once: float = 0.0) -> None:
        self.stored: dict[str, Any] = {}
        self.received: list[str] = []  # every id of every request, repeats included
        self.requests: list[dict[str, str]] = []  # headers of every request
        self.fail_first = fail_first
        self.hang_once = hang_once
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                lrs.requests.append({k.lower(): v for k, v in self.headers.items()})
                if self.path != "/xapi/statements":
                    self.send_response(404)
                    self.end_headers()
                    return
                if lrs.fail_first > 0:
                    lrs.fail_first -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                statements = json.loads(body)
                conflict = False
                for s in statements:
                    lrs.received.append(s["id"])
                    if s["id"] in lrs.stored:
                        conflict = conflict or lrs.stored[s["id"]] != s
                    else:
                        lrs.stored[s["id"]] = s
                if lrs.hang_once:
                    delay, lrs.hang_once = lrs.hang_once, 0.0
                    threading.Event().wait(delay)  # saved, but the answer comes after the client gave up
                self.send_response(409 if conflict else 200)
                out = json.dumps([s["id"] for s in statements]).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xapi"

    def __enter__(self) -> FakeLrs:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
