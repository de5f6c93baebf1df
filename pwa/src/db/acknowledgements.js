// The `acknowledgements` object store: every acknowledgement event the device knows (docs/sync.md
// "Acknowledgement payload v1"), its own (`mine`, with the `payload` it pushes) and pulled ones
// (`server`: the change's data, from any of the person's devices, or for an observation its
// rep's). Events are facts, like answers: never edited, never deleted, except all of a
// learner's when another one signs in. Item states are derived (src/acknowledged.js).

/** @typedef {import("../acknowledged.js").AcknowledgementEvent} AcknowledgementEvent */

const row = (id, known, payload, server) => {
  const event = server ?? payload;
  return { id, item_kind: event.item_kind, item_id: event.item_id, mine: known, payload, server };
};

/**
 * Keep an acknowledgement made on this device. Throws if its id is known already.
 * @returns {Promise<object>} the payload as stored (a copy)
 */
export async function addOwn(tx, payload) {
  const store = tx.objectStore("acknowledgements");
  if (await store.get(payload.id)) throw new Error(`acknowledgement ${payload.id} is recorded already`);
  const copy = structuredClone(payload);
  await store.add(row(payload.id, true, copy, null));
  return copy;
}

/** Keep an `acknowledgement` change of a pull, and the device's own payload if it has one. */
export async function putPulled(tx, data) {
  const store = tx.objectStore("acknowledgements");
  const known = await store.get(data.id);
  await store.put(row(data.id, known?.mine ?? false, known?.payload ?? null, structuredClone(data)));
}

/**
 * The events about items of `itemKind`: the server's view where pulled, else the own payload;
 * own events the server rejected are left out (they never became anyone's state).
 * @param {Set<string>} rejected ids of rejected acknowledgements
 * @returns {Promise<AcknowledgementEvent[]>}
 */
export async function events(tx, itemKind, rejected) {
  const rows = await tx.objectStore("acknowledgements").getAll();
  return rows.filter((r) => r.item_kind === itemKind && (r.server || !rejected.has(r.id))).map((r) => r.server ?? r.payload);
}

/** The rows ({id, mine, payload, server}) of one item. */
export function rows(tx, itemKind, itemId) {
  return tx.objectStore("acknowledgements").index("by_item").getAll([itemKind, itemId]);
}

export function clear(tx) {
  return tx.objectStore("acknowledgements").clear();
}
