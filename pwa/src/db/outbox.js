// The outbox (DESIGN.md §3, rule 2): mutations the server has not acknowledged yet, in
// client_seq order. An entry is exactly the mutation a push sends, whatever its kind:
// {id, client_seq, kind, payload_version, payload}. The counter lives in `meta` ("next_seq"),
// so an entry and the counter move together in the caller's transaction.
//
// Entries leave only by removeThrough (an acknowledgement) or with a whole learner's records
// on sign-in as someone else; a schema step never touches this store (schema.js).
import * as meta from "./meta.js";

/** @typedef {import("../sync/store-interface.js").OutboxEntry} OutboxEntry */

/** The client_seq the next entry will get. */
export function nextSeq(tx) {
  return meta.get(tx, "next_seq", 1);
}

/**
 * Queue a mutation with the next client_seq.
 * @param {string} kind what the payload is, e.g. "answer"
 * @param {number} payloadVersion the payload's format version
 * @param {object} payload stored as given (the caller hands over its own copy)
 * @param {string} mutationId a new UUIDv7
 * @returns {Promise<OutboxEntry>}
 */
export async function enqueue(tx, kind, payloadVersion, payload, mutationId) {
  const seq = await nextSeq(tx);
  const entry = { id: mutationId, client_seq: seq, kind, payload_version: payloadVersion, payload };
  await tx.objectStore("outbox").add(entry);
  await meta.put(tx, "next_seq", seq + 1);
  return entry;
}

/** The first `limit` entries in client_seq order. */
export function batch(tx, limit) {
  return tx.objectStore("outbox").getAll(null, limit);
}

export function size(tx) {
  return tx.objectStore("outbox").count();
}

/** Delete the entries at or below `through`; returns them (so that their records can be marked). */
export async function removeThrough(tx, through) {
  const outbox = tx.objectStore("outbox");
  const range = IDBKeyRange.upperBound(through);
  const done = await outbox.getAll(range);
  if (done.length) await outbox.delete(range);
  return done;
}

/** Give every entry a consecutive client_seq from `fromSeq` (same ids, payloads and order). */
export async function renumber(tx, fromSeq) {
  const outbox = tx.objectStore("outbox");
  const entries = await outbox.getAll();
  await outbox.clear();
  for (const [i, entry] of entries.entries()) await outbox.add({ ...entry, client_seq: fromSeq + i });
  await meta.put(tx, "next_seq", fromSeq + entries.length);
}

/** The payload ids of the queued entries of `kind`, as a Set. */
export async function queuedPayloadIds(tx, kind) {
  return new Set((await tx.objectStore("outbox").getAll()).filter((e) => e.kind === kind).map((e) => e.payload.id));
}

/** For a new device (another learner signed in): client_seq starts again at 1. */
export function restartSeq(tx) {
  return meta.put(tx, "next_seq", 1);
}
