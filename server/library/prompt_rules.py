"""A pitch prompt's own field rules, on its fields as read from YAML (before they are typed). Pure.

The schema (sync/content.py `PitchPrompt`) enforces the same bounds; this says them in an
editor's words ("Expected int <= 180" becomes the rule and the value found).
"""

from __future__ import annotations

from typing import Any

from sync.content import MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S

_RULE = f"the time limit is a whole number of seconds from {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S}"


def time_limit_problems(value: Any) -> list[tuple[str, str]]:
    """(where inside `$.time_limit_s`, message) when the value is not a whole number in range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [("", f"{_RULE}; `{value}` is not a number")]
    if isinstance(value, float) and not value.is_integer():
        return [("", f"{_RULE}; {value} is not whole")]
    if not MIN_TIME_LIMIT_S <= value <= MAX_TIME_LIMIT_S:
        return [("", f"{_RULE}; this one is {int(value)}")]
    return []
