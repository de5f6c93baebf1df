// The `rejections` object store: mutations the server refused for good, of any kind, keyed by
// mutation id, with the reason the app shows (docs/sync.md, push results):
// {kind, recordId, mutationId, clientSeq, reason} and, for an answer, its questionId. Found by
// record through `by_record` (a re-queued answer is another mutation of the same record). Kept
// until another learner signs in.

/** @typedef {import("../sync/store-interface.js").Rejection} Rejection */

/** @param {Rejection} rejection */
export function put(tx, rejection) {
  return tx.objectStore("rejections").put(structuredClone(rejection));
}

/** True when a mutation of this record (`kind`, `recordId`) was rejected. */
export async function has(tx, kind, recordId) {
  const found = await tx.objectStore("rejections").index("by_record").getAll(recordId);
  return found.some((r) => r.kind === kind);
}

/** The ids of the rejected records of `kind`, as a Set. */
export async function recordIds(tx, kind) {
  return new Set((await all(tx)).filter((r) => r.kind === kind).map((r) => r.recordId));
}

/** Every rejection, oldest mutation first. @returns {Promise<Rejection[]>} */
export function all(tx) {
  return tx.objectStore("rejections").getAll();
}

export function clear(tx) {
  return tx.objectStore("rejections").clear();
}
