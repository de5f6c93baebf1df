// The `meta` object store: small named values kept beside the records (the sync cursors, the
// next client_seq, the device id, the question index, counters, the learner's plan). Every function works inside
// the transaction it is given (database.js).

/** @typedef {import("../sync/store-interface.js").Cursors} Cursors */

const NO_CURSORS = Object.freeze({ content: 0, records: 0 });

/** The value kept under `key`, or `fallback`. */
export async function get(tx, key, fallback) {
  const row = await tx.objectStore("meta").get(key);
  return row === undefined ? fallback : row.value;
}

export function put(tx, key, value) {
  return tx.objectStore("meta").put({ key, value });
}

export function remove(tx, key) {
  return tx.objectStore("meta").delete(key);
}

/** The pull cursors (docs/sync.md), a copy. @returns {Promise<Cursors>} */
export async function cursors(tx) {
  return { ...(await get(tx, "cursors", NO_CURSORS)) };
}

/** @param {Cursors} value */
export function setCursors(tx, value) {
  return put(tx, "cursors", value);
}
