// Good examples on the device (docs/coaching.md "Good examples"): the pull's `exemplars` (the
// complete list for the signed-in person's teams, last page only, contract of issue 15) checked
// before it replaces the kept one, and which cached videos the new list leaves behind. Pure.

const SHA256 = /^[0-9a-f]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TYPES = new Set(["video/webm", "video/mp4"]);
/** More than this many examples in one list is no list a server of ours sends. */
export const MAX_EXEMPLARS = 1000;

const text = (v, max) => typeof v === "string" && v.length > 0 && v.length <= max;
const count = (v, max) => Number.isSafeInteger(v) && v >= 1 && v <= max;

/** One exemplar as sent, with only the fields the app uses, or null when it is malformed. */
function checkOne(e) {
  if (!e || typeof e !== "object") return null;
  if (!text(e.pitch_id, 64) || !text(e.rep_id, 200) || !text(e.prompt_id, 200) || !SHA256.test(String(e.video_sha256 ?? ""))) return null;
  if (!DATE.test(String(e.recorded_on ?? "")) || !TYPES.has(e.video_type)) return null;
  if (!count(e.video_size, 200 * 1024 * 1024) || !count(e.duration_ms, 200_000)) return null;
  return {
    pitch_id: e.pitch_id,
    rep_id: e.rep_id,
    rep_name: typeof e.rep_name === "string" && e.rep_name ? e.rep_name.slice(0, 200) : e.rep_id,
    prompt_id: e.prompt_id,
    recorded_on: e.recorded_on,
    video_sha256: e.video_sha256,
    video_size: e.video_size,
    video_type: e.video_type,
    duration_ms: e.duration_ms,
  };
}

/**
 * The list to keep from a pull's `exemplars`: the well-formed entries, once per pitch, newest
 * recording first; null (keep the old list) when it is no list at all or an absurdly long one.
 */
export function checkExemplars(list) {
  if (!Array.isArray(list) || list.length > MAX_EXEMPLARS) return null;
  const byPitch = new Map();
  for (const entry of list) {
    const e = checkOne(entry);
    if (e && !byPitch.has(e.pitch_id)) byPitch.set(e.pitch_id, e);
  }
  return [...byPitch.values()].sort((a, b) => (a.recorded_on !== b.recorded_on ? (a.recorded_on < b.recorded_on ? 1 : -1) : a.pitch_id < b.pitch_id ? -1 : 1));
}

/** The videos (SHA-256) the examples `list` plays: a cached video outside it is deleted. */
export function videosOf(list) {
  return new Set((list ?? []).map((e) => e.video_sha256));
}

/** The videos of `before` that `after` no longer plays (two pitches may share one video). */
export function videosToDrop(before, after) {
  const kept = videosOf(after);
  return [...videosOf(before)].filter((sha) => !kept.has(sha)).sort();
}
