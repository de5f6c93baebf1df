// A kind the app receives but does not work with yet (observations and intervision sessions, until the coaching screens
// come): its pulled changes are kept as sent, in `records` (db/records.js), so nothing the
// server sent is lost when a module of its own takes over.
import * as records from "../records.js";

/** @returns {import("./index.js").Kind} */
export function keptAsPulled(kind) {
  return { kind, stores: ["records"], applyChange: (tx, change) => records.put(tx, change) };
}
