// Edited record kinds (docs/sync.md "Edited records: the merge rule"): observations (payload v2)
// and intervision sessions (v1). The device records patches: a patch lives in the outbox until
// acknowledged (the local view puts queued patches over the pulled state: src/edited-view.js),
// and pulled changes carry each record's merged state, kept in `records` (db/records.js).
import * as records from "../records.js";

/** @returns {import("./index.js").Kind} */
export function edited(kind, versions) {
  return {
    kind,
    versions,
    stores: ["records"],
    record: async (_tx, payload) => structuredClone(payload),
    applyChange: (tx, change) => records.put(tx, change),
  };
}
