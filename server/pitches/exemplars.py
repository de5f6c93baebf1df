"""The good examples a person's teams may learn from (docs/coaching.md "Good examples"), as the
pull's last page lists them: pitches a coach proposed and their rep consented to, of reps who
share a team with the person, once the server holds the video. The whole list every time, so a withdrawn one disappears from
every device at its next sync."""

from __future__ import annotations

import sqlite_utils

from server.pitches import store
from sync.protocol import Exemplar


def for_person(db: sqlite_utils.Database, user_id: str) -> list[Exemplar]:
    found = store.exemplars_for(db, user_id)
    held = store.videos_held(db, sorted({p.video_sha256 for p, _ in found}))
    out = []
    for pitch, rep_name in found:
        if pitch.video_sha256 not in held:
            continue  # nothing to watch yet
        fields = pitch.values()
        out.append(
            Exemplar(
                pitch_id=pitch.id, rep_id=pitch.rep_id, rep_name=rep_name, prompt_id=pitch.prompt_id,
                recorded_on=str(fields.get("recorded_on", "")), video_sha256=pitch.video_sha256, video_size=pitch.video_size,
                video_type=pitch.video_type, duration_ms=int(fields.get("duration_ms") or 0),
            )
        )  # fmt: skip
    return out
