// The `records` object store: records of kinds the app keeps as the server sends them, without
// a repository of their own yet (observations: the coaching screens will read them), keyed by
// [kind, id]: {kind, id, seq, data}. A change carries a record's latest state (docs/sync.md,
// pull), so the last one applied replaces what was kept.

/** Keep a pulled change of `kind`. */
export function put(tx, change) {
  return tx.objectStore("records").put({ kind: change.kind, id: change.data.id, seq: change.seq, data: structuredClone(change.data) });
}

/** The kept records of `kind` ({kind, id, seq, data}), by id. */
export function ofKind(tx, kind) {
  return tx.objectStore("records").getAll(IDBKeyRange.bound([kind, ""], [kind, "\uffff"]));
}

export function clear(tx) {
  return tx.objectStore("records").clear();
}
