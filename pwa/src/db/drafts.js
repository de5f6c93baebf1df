// The `drafts` object store (schema step 5): forms a person has started on this device and not
// recorded yet (a coach's observation, a moderator's session stage), saved on every change so
// that closing the app mid-form loses nothing. Never synced: a draft becomes a record only when
// it is shared (IdbStore.shareDraft: the record's outbox entry and the draft's deletion in one
// transaction). Keyed by id: {id, kind, values, updated_at}.

/** Keep a draft (replacing the one with its id). */
export function put(tx, draft) {
  return tx.objectStore("drafts").put(structuredClone(draft));
}

export function get(tx, id) {
  return tx.objectStore("drafts").get(id);
}

/** The drafts of `kind`, most recently changed first. */
export async function ofKind(tx, kind) {
  const rows = await tx.objectStore("drafts").index("by_kind").getAll(kind);
  return rows.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
}

export function remove(tx, id) {
  return tx.objectStore("drafts").delete(id);
}

export function count(tx) {
  return tx.objectStore("drafts").count();
}

export function clear(tx) {
  return tx.objectStore("drafts").clear();
}
