// The `progress` change (docs/sync.md, pull): the server's replayed state of a question, adopted
// unless a newer one is kept. Never recorded on the device: progress is derived.
import * as progress from "../progress.js";

/** @type {import("./index.js").Kind} */
export default {
  kind: "progress",
  stores: ["progress", "answers"],
  applyChange: (tx, change) => progress.adoptServer(tx, change),
};
