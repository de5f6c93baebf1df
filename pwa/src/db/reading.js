// The `reading` object store: nuggets marked as done on this device before "done" was synced
// (schema steps 3–4: {id, kind: "nugget", done_at}). Nothing writes such rows any more. The
// first time this version of the app opens the store, each row becomes an acknowledgement
// ("read", at its done_at) with its outbox entry, in one transaction (store.js), and keeps the
// acknowledgement's id so that it is never turned twice; the rows stay, readable, until another
// learner signs in. Rows of nuggets marked not done again were deleted back then: nothing to do.
import { ACKNOWLEDGEMENT_PAYLOAD_VERSION } from "../sync/rules.js";
import * as kinds from "./kinds/index.js";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The rows not turned into acknowledgements yet. */
export async function pending(tx) {
  return (await tx.objectStore("reading").getAll()).filter((r) => r.kind === "nugget" && !r.acknowledgement);
}

/**
 * The acknowledgement payload v1 a row becomes: read at the time it was marked (so a later
 * "not done" on another device still wins), on the local day of that time.
 * @param {{id: string, done_at?: string}} row
 * @param {{id: string, now: number, localDay: (ms: number) => number}} made the new event's id,
 *   the time now (for a row without a usable done_at) and the local day of a time
 */
export function asAcknowledgement(row, { id, now, localDay }) {
  const at = TIMESTAMP.test(row.done_at ?? "") && Date.parse(row.done_at) <= now ? row.done_at : new Date(now).toISOString();
  return { id, item_kind: "nugget", item_id: row.id, acknowledged: true, at, local_day: localDay(Date.parse(at)), comment: null };
}

/** The object stores `adopt` touches. */
export const ADOPT_STORES = Object.freeze(["reading", ...kinds.storesToRecord("acknowledgement", ACKNOWLEDGEMENT_PAYLOAD_VERSION)]);

/**
 * Turn every pending row into an acknowledgement with its outbox entry, in the caller's
 * transaction (over ADOPT_STORES); the row keeps the acknowledgement's id.
 * @param {{now: number, localDay: (ms: number) => number, newId: () => string}} made
 */
export async function adopt(tx, { now, localDay, newId }) {
  for (const row of await pending(tx)) {
    const payload = asAcknowledgement(row, { id: newId(), now, localDay });
    await kinds.record(tx, "acknowledgement", ACKNOWLEDGEMENT_PAYLOAD_VERSION, payload, newId());
    await tx.objectStore("reading").put({ ...row, acknowledgement: payload.id });
  }
}

export function clear(tx) {
  return tx.objectStore("reading").clear();
}
