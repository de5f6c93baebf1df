"""A rubric's own rules, on its fields as read from YAML (before they are typed): how many
behaviours, exactly the levels 1 to 4 each described, behaviour ids used once. Pure.

The schema (sync/content.py `Rubric`) enforces the same shape, but stops at the first thing wrong
and names a level as `[...]`; these rules report every problem with the behaviour and level named.
"""

from __future__ import annotations

from typing import Any

from sync.content import LEVELS

MIN_BEHAVIOURS = 3
MAX_BEHAVIOURS = 6
_LEVEL_WORDS = "1, 2, 3 and 4"


def numbered(levels: dict[Any, Any]) -> dict[Any, Any]:
    """Levels with their keys as numbers: stored JSON and editor drafts hold them as text ("1")."""
    return {int(k) if isinstance(k, str) and k.isdigit() and len(k) < 3 else k: v for k, v in levels.items()}


def _level_key(key: Any) -> int | None:
    """A level key as YAML read it: `1:` is the number 1; anything else is not a level."""
    return key if isinstance(key, int) and not isinstance(key, bool) and key in LEVELS else None


def _levels_problems(levels: Any, where: str, name: str) -> list[tuple[str, str]]:
    if levels is None:
        return []  # a missing `levels` is the schema's to report
    if not isinstance(levels, dict):
        return [(where, f"{name}: `levels` lists the four levels as `1: …` to `4: …`")]
    problems: list[tuple[str, str]] = []
    found: set[int] = set()
    for key, text in levels.items():
        level = _level_key(key)
        if level is None:
            problems.append((f"{where}.{key}", f"{name}: `{key}` is not a level: the levels are {_LEVEL_WORDS}"))
            continue
        found.add(level)
        if text is None or (isinstance(text, str) and not text.strip()):
            problems.append((f"{where}.{level}", f"{name}: level {level} has no description: say what an observer sees and hears at that level"))
    missing = [str(n) for n in LEVELS if n not in found]
    if missing:
        problems.append((where, f"{name}: level{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing: describe all four levels, {_LEVEL_WORDS}"))
    return problems


def behaviour_problems(behaviours: Any) -> list[tuple[str, str]]:
    """(where inside `$.behaviours`, message) for each problem with a rubric's behaviours."""
    if not isinstance(behaviours, list):
        return []  # not a list at all: the schema's message says so
    problems: list[tuple[str, str]] = []
    if not MIN_BEHAVIOURS <= len(behaviours) <= MAX_BEHAVIOURS:
        problems.append(("", f"a rubric has {MIN_BEHAVIOURS} to {MAX_BEHAVIOURS} behaviours; this one has {len(behaviours)}"))
    seen: dict[str, int] = {}
    for i, behaviour in enumerate(behaviours):
        if not isinstance(behaviour, dict):
            continue
        ident = behaviour.get("id")
        name = f"behaviour `{ident}`" if isinstance(ident, str) else f"behaviour {i + 1}"
        if isinstance(ident, str):
            if ident in seen:
                problems.append((f"[{i}].id", f"behaviour id `{ident}` is used twice (first by behaviour {seen[ident] + 1}): each behaviour needs its own"))
            seen.setdefault(ident, i)
        problems.extend(_levels_problems(behaviour.get("levels"), f"[{i}].levels", name))
    return problems
