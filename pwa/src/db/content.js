// The library kept on the device: the `content` object store ("current": the snapshot in use)
// and, in `meta`, the question index computed from it and why the last download was refused.
// A snapshot is checked (content-check.js) in the transaction that would keep it, against the
// version kept in that same transaction, so a corrupt, partial or older download never
// replaces the good library, however downloads and pulls interleave.
import { checkSnapshot } from "../content-check.js";
import { questionIndex } from "../progress.js";
import * as meta from "./meta.js";

/** @typedef {import("../sync/store-interface.js").ContentSnapshot} ContentSnapshot */

/** The library in use: {key, version, etag, snapshot, saved_at}, or undefined. */
export function current(tx) {
  return tx.objectStore("content").get("current");
}

/**
 * Keep a snapshot if it is usable and newer than the one kept; else record why not.
 * @param {ContentSnapshot} content
 * @returns {Promise<{saved: boolean, version: number, problems: string[]}>} `version`: the
 *   library version the device has afterwards
 */
export async function save(tx, content) {
  const kept = await current(tx);
  const problems = checkSnapshot(content?.snapshot, { currentVersion: kept?.version ?? 0 });
  if (!problems.length && content.version !== content.snapshot.version) problems.push("the version does not match the snapshot");
  if (problems.length) {
    await meta.put(tx, "content_error", { version: content?.version ?? null, problems, at: Date.now() });
    return { saved: false, version: kept?.version ?? 0, problems };
  }
  if (kept && kept.version === content.version) return { saved: false, version: kept.version, problems: [] };
  await tx.objectStore("content").put({ key: "current", version: content.version, etag: content.etag ?? null, snapshot: content.snapshot, saved_at: Date.now() });
  await meta.put(tx, "questions", questionIndex(content.snapshot));
  await meta.remove(tx, "content_error");
  return { saved: true, version: content.version, problems: [] };
}

/** The question index of the library kept (src/progress.js, questionIndex), or null. */
export function questions(tx) {
  return meta.get(tx, "questions", null);
}

/** Why the last downloaded library was refused ({version, problems, at}), or null. */
export function refusal(tx) {
  return meta.get(tx, "content_error", null);
}
