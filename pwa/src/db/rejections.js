// The `rejections` object store: answers the server refused for good, keyed by answer id, with
// the reason the app shows (docs/sync.md, push results). Kept until another learner signs in.

/** @typedef {import("../sync/store-interface.js").Rejection} Rejection */

/** @param {Rejection} rejection */
export function put(tx, rejection) {
  return tx.objectStore("rejections").put(structuredClone(rejection));
}

export function get(tx, answerId) {
  return tx.objectStore("rejections").get(answerId);
}

/** The rejected answers' ids, as a Set. */
export async function answerIds(tx) {
  return new Set(await tx.objectStore("rejections").getAllKeys());
}

/** @returns {Promise<Rejection[]>} */
export function all(tx) {
  return tx.objectStore("rejections").getAll();
}

export function clear(tx) {
  return tx.objectStore("rejections").clear();
}
