// The upload part of a `videos` row (db/videos.js): where the tus upload lives on the server
// (its URL, which is also tus-js-client's resume state: pitches/url-storage.js), how far it got,
// how often it was tried and why it last failed. Once `done`, a row's upload never changes
// again and its blob is dropped: a finished upload is never restarted.
import * as videos from "./videos.js";

/** The fields an upload state may be patched with (setState). */
const FIELDS = new Set(["url", "offset", "tries", "last_error", "refused", "created_at"]);

/**
 * Merge `patch` into the upload state of `pitchId`. Unknown fields are refused (TypeError);
 * a finished upload stays as it is. Returns the row as kept, or null when there is none.
 */
export async function setState(tx, pitchId, patch, now = new Date().toISOString()) {
  for (const key of Object.keys(patch ?? {})) if (!FIELDS.has(key)) throw new TypeError(`an upload has no field ${key}`);
  const row = await videos.get(tx, pitchId);
  if (!row) return null;
  if (row.upload.done) return row;
  const upload = { ...row.upload, ...patch, updated_at: now };
  if (typeof upload.offset !== "number" || upload.offset < 0 || upload.offset > row.size) upload.offset = row.upload.offset;
  const next = { ...row, upload };
  await videos.put(tx, next);
  return next;
}

/**
 * The server holds the whole recording: mark it done and drop the blob (the poster and the
 * metadata stay). Idempotent. Returns the row as kept, or null when there is none.
 */
export async function finish(tx, pitchId, now = new Date().toISOString()) {
  const row = await videos.get(tx, pitchId);
  if (!row) return null;
  if (row.upload.done) return row;
  const next = { ...row, blob: null, done: 1, upload: { ...row.upload, offset: row.size, done: true, last_error: null, updated_at: now } };
  await videos.put(tx, next);
  return next;
}
