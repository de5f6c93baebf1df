// Who the device's records belong to: a device is bound to one learner for good (docs/sync.md),
// so the records of the learner signed in are forgotten, and the device gets a new id, only
// when another learner signs in with nothing of the previous one left to sync.
import * as acknowledgements from "./acknowledgements.js";
import * as answers from "./answers.js";
import * as dayQueue from "./day-queue.js";
import * as drafts from "./drafts.js";
import * as meta from "./meta.js";
import * as outbox from "./outbox.js";
import * as progress from "./progress.js";
import * as reading from "./reading.js";
import * as records from "./records.js";
import * as rejections from "./rejections.js";
import * as settings from "./settings.js";
import * as videos from "./videos.js";

/**
 * How many of the learner's records are not on the server yet (queued, or answers to re-queue),
 * drafts included: a draft is work that exists nowhere else, so it too keeps another person
 * from signing in on this device until it is shared or discarded. So is a pitch video not
 * uploaded yet.
 */
export async function unsynced(tx) {
  return (await outbox.size(tx)) + (await answers.missingOwn(tx)).length + (await drafts.count(tx)) + (await videos.countWaiting(tx));
}

/** The device's id, made by `make` the first time and kept. */
export async function deviceId(tx, make) {
  const id = await meta.get(tx, "device_id", null);
  if (id) return id;
  const made = make();
  await meta.put(tx, "device_id", made);
  return made;
}

/**
 * Forget the signed-in learner's records (all on the server: the caller checked unsynced()) and
 * become a new device: a new id, client_seq from 1, the records cursor from 0, no credential,
 * no plan, no `me` and no good examples (the next learner's come with their first pull), no drafts, no pitch
 * videos (all uploaded: unsynced() counts the others), no pinned
 * day's queue. The library
 * and the settings stay.
 */
export async function forget(tx, newDeviceId) {
  for (const repository of [answers, acknowledgements, records, progress, rejections, reading, drafts, videos]) await repository.clear(tx);
  await meta.setCursors(tx, { ...(await meta.cursors(tx)), records: 0 });
  await meta.remove(tx, "plan");
  await meta.remove(tx, "me");
  await meta.remove(tx, "leaderboard");
  await meta.remove(tx, "exemplars");
  await dayQueue.clear(tx);
  await meta.put(tx, "device_id", newDeviceId);
  await outbox.restartSeq(tx);
  await progress.setDisagreements(tx, 0);
  await settings.remove(tx, "device_token");
}
