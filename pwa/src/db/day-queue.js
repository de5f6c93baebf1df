// Today's queue as first shown (a row of the `meta` store, key "day_queue"): {day, language,
// planned, items: [{questionId, campaignId}]}. What it means and when it is replaced is decided
// in study-plan.js (keptQueue); this module only keeps it. Forgotten with the learner's records.
import * as meta from "./meta.js";

const KEY = "day_queue";

/** The pinned queue, or null. */
export function get(tx) {
  return meta.get(tx, KEY, null);
}

/** Keep `pin`, or forget the one kept when `pin` is null. */
export function put(tx, pin) {
  return pin ? meta.put(tx, KEY, pin) : meta.remove(tx, KEY);
}

export function clear(tx) {
  return meta.remove(tx, KEY);
}
