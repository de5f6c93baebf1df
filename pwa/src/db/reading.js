// The `reading` object store: what the learner has read on this device (nuggets marked as
// done: {id, kind: "nugget", done_at}). Not synced.

/** Ids of the nuggets marked as done, as a Set. */
export async function nuggetsDone(tx) {
  const rows = await tx.objectStore("reading").getAll();
  return new Set(rows.filter((r) => r.kind === "nugget").map((r) => r.id));
}

/** Mark a nugget as done (or, with done = false, not done). */
export function setNuggetDone(tx, id, done, now) {
  return done ? tx.objectStore("reading").put({ id, kind: "nugget", done_at: new Date(now).toISOString() }) : tx.objectStore("reading").delete(id);
}

export function clear(tx) {
  return tx.objectStore("reading").clear();
}
