"""The authored library's file formats: the Structs live in sync/content.py (shared with the
snapshot document the devices read); this module is where the library code imports them from."""

from __future__ import annotations

from sync.content import (
    KINDS,
    LEVELS,
    Behaviour,
    Campaign,
    ChangeKind,
    Competency,
    Item,
    Nugget,
    Pause,
    PitchPrompt,
    Question,
    Refresher,
    RepeatMode,
    Rubric,
)

__all__ = ["KINDS", "LEVELS", "Behaviour", "Campaign", "ChangeKind", "Competency", "Item", "Nugget", "Pause", "PitchPrompt", "Question", "Refresher", "RepeatMode", "Rubric"]
