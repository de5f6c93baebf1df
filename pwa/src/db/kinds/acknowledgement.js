// The `acknowledgement` kind (docs/sync.md "Acknowledgement payload v1"): a person marks an item
// as read or acknowledged, or takes it back. The event is kept in `acknowledgements`, own or
// pulled; item states are derived from the events (src/acknowledged.js).
import * as acknowledgements from "../acknowledgements.js";

/** @type {import("./index.js").Kind} */
export default {
  kind: "acknowledgement",
  versions: [1, 2, 3, 4], // 2: a session may be the item; 3: a refresher (opened); 4: a pitch (docs/sync.md)
  stores: ["acknowledgements"],
  record: (tx, payload) => acknowledgements.addOwn(tx, payload),
  applyChange: (tx, change) => acknowledgements.putPulled(tx, change.data),
};
