// The `videos` object store (schema step 6): pitch recordings made on this device, keyed by the
// pitch's id. A row is written with the pitch's creation patch in one transaction
// (IdbStore.savePitch) and keeps the recording until the server holds all of it; then the blob
// is dropped to free the phone and the metadata stays, so "My pitches" still lists it.
//
// Row: {pitch_id, blob (null once uploaded), sha256, size, type, duration_ms, prompt_id,
// recorded_at, poster (a small still, or null), done (0 waiting, 1 uploaded: indexed),
// upload: {url, offset, done, tries, last_error, created_at, updated_at}} — the upload part is
// db/uploads.js's.

/** The upload state of a recording nothing has been sent of yet. */
export const FRESH_UPLOAD = Object.freeze({ url: null, offset: 0, done: false, tries: 0, last_error: null, created_at: null, updated_at: null });

/**
 * Keep a new recording. Refuses (ConstraintError, aborting the caller's transaction) a second
 * row for the same pitch: a pitch has one video for good.
 */
export function add(tx, row) {
  return tx.objectStore("videos").add({ poster: null, ...row, done: 0, upload: { ...FRESH_UPLOAD } });
}

export function get(tx, pitchId) {
  return tx.objectStore("videos").get(pitchId);
}

/** Replace a row (the caller read it in this transaction). */
export function put(tx, row) {
  return tx.objectStore("videos").put(row);
}

/** The rows still to upload, oldest recording first. */
export async function waiting(tx) {
  const rows = await tx.objectStore("videos").index("by_done").getAll(0);
  return rows.sort((a, b) => (a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : 0));
}

/** Every row, newest recording first. */
export async function all(tx) {
  const rows = await tx.objectStore("videos").getAll();
  return rows.sort((a, b) => (a.recorded_at < b.recorded_at ? 1 : a.recorded_at > b.recorded_at ? -1 : 0));
}

/** How many recordings wait to upload (work that exists nowhere else yet). */
export function countWaiting(tx) {
  return tx.objectStore("videos").index("by_done").count(0);
}

export function clear(tx) {
  return tx.objectStore("videos").clear();
}
