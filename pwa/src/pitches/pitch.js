// A pitch as the rep's device makes it (docs/app.md "Pitches"; the record kind `pitch`,
// payload v1, in docs/sync.md): the creation patch, the checks a recording passes before it is
// kept, and the state "My pitches" shows. Pure: no I/O.

/** The largest video the server takes (the contract's MAX_VIDEO_BYTES: 200 MiB). */
export const MAX_VIDEO_BYTES = 200 * 1024 * 1024;
/** The longest recording a pitch may declare, in ms (the contract: 1..200,000). */
export const MAX_DURATION_MS = 200_000;
export const PITCH_PAYLOAD_VERSION = 1;

const SHA256 = /^[0-9a-f]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The container of a recorder's MIME type ("video/webm;codecs=vp8,opus" → "video/webm"), or null. */
export function videoType(mime) {
  const base = String(mime ?? "").split(";")[0].trim().toLowerCase();
  return base === "video/webm" || base === "video/mp4" ? base : null;
}

/**
 * What is wrong with a recording before it is kept, as catalogue keys ([] when nothing): the
 * server would refuse the pitch record (or the upload) otherwise, and the rep would learn it
 * only later, online.
 * @param {{prompt_id: string, sha256: string, size: number, type: string, duration_ms: number, recorded_on: string}} r
 */
export function recordingProblems(r) {
  const found = [];
  if (!r?.prompt_id || typeof r.prompt_id !== "string") found.push("pitch.noPrompt");
  if (!SHA256.test(String(r?.sha256 ?? ""))) found.push("pitch.badHash");
  if (!Number.isInteger(r?.size) || r.size < 1) found.push("pitch.empty");
  else if (r.size > MAX_VIDEO_BYTES) found.push("pitch.tooBig");
  if (!videoType(r?.type) || videoType(r.type) !== r.type) found.push("pitch.badType");
  if (!Number.isInteger(r?.duration_ms) || r.duration_ms < 1 || r.duration_ms > MAX_DURATION_MS) found.push("pitch.badDuration");
  if (!DATE.test(String(r?.recorded_on ?? ""))) found.push("pitch.badDate");
  return found;
}

/**
 * The patch that creates a pitch (base_rev 0): the rep's fields set at creation, which never
 * change afterwards. Throws a RangeError naming the problems when the recording fails
 * recordingProblems.
 */
export function creationPatch({ id, prompt_id, recorded_on, sha256, size, type, duration_ms, at, local_day }) {
  const problems = recordingProblems({ prompt_id, sha256, size, type, duration_ms, recorded_on });
  if (problems.length) throw new RangeError(`the recording cannot be kept: ${problems.join(", ")}`);
  const set = { prompt_id, recorded_on, video_sha256: sha256, video_size: size, video_type: type, duration_ms };
  return { id, base_rev: 0, set, resolve: [], at, local_day };
}

/**
 * What "My pitches" says of a pitch: "reviewed" once its coach shared a review, "uploaded" once
 * the server holds the video (this device finished it, or the pull says so), "uploading" while
 * the uploader sends it (`progress`: {sent, total}), else "waiting".
 * @param {{video?: object|null, pulled?: object|null, progress?: {sent: number, total: number}|null}} parts
 * @returns {{state: "waiting"|"uploading"|"uploaded"|"reviewed", percent: number|null}}
 */
export function pitchStatus({ video = null, pulled = null, progress = null }) {
  if (pulled?.fields?.reviewed === true) return { state: "reviewed", percent: null };
  if (video?.upload?.done || pulled?.video_uploaded === true) return { state: "uploaded", percent: null };
  if (progress && progress.total > 0) return { state: "uploading", percent: Math.min(100, Math.floor((progress.sent / progress.total) * 100)) };
  // Part of it on the server already (offline now, or another tab sending): how much, as the row last kept it.
  const size = Number(video?.size);
  const offset = Number(video?.upload?.offset);
  if (size > 0 && offset > 0 && offset < size) return { state: "waiting", percent: Math.floor((offset / size) * 100) };
  return { state: "waiting", percent: null };
}
