// The record kinds the app knows, mirroring the server's registry (sync/kinds/, docs/sync.md
// "Record kinds"): per kind, what the device keeps locally beside an outbox entry, what a
// pulled change of it does, and what an acknowledged entry of it means. The store (src/store.js)
// asks here, so recording, pulling and acknowledging stay one generic transaction each.
//
// A kind is a plain object (see Kind below) in a module of its own beside this one. Adding a
// kind is that one module and its line in KINDS.
import * as outbox from "../outbox.js";
import answer from "./answer.js";
import acknowledgement from "./acknowledgement.js";
import progress from "./progress.js";
import { edited } from "./edited.js";

/**
 * @typedef {object} Kind
 * @property {string} kind the name in mutations and changes
 * @property {string[]} stores the object stores its functions touch
 * @property {number[]} [versions] the payload versions the device records; absent: the device
 *   never records this kind (it only pulls it)
 * @property {(tx: any, payload: object) => Promise<object>} [record] keep an own record made on
 *   the device, in the transaction that queues its outbox entry; returns the payload as stored
 * @property {(tx: any, change: object) => Promise<number|void>} [applyChange] apply a pulled
 *   change; returns how many provisional states it found wrong (progress only)
 * @property {(tx: any, recordIds: string[]) => Promise<void>} [acked] the server acknowledged
 *   outbox entries of this kind, carrying these records
 */

/** @type {Kind[]} */
const KINDS = [answer, acknowledgement, progress, edited("observation", [2]), edited("session", [1]), edited("pitch", [1])];
const BY_NAME = new Map(KINDS.map((k) => [k.kind, k]));

/** Every object store a kind touches: the transactions that apply or acknowledge any kind name them. */
export const KIND_STORES = Object.freeze([...new Set(KINDS.flatMap((k) => k.stores))]);

/**
 * The kind that records payloads of `kind` at `version` on the device. Throws for any other:
 * a record the device cannot keep must never reach the outbox.
 * @returns {Kind}
 */
function recorder(kind, version) {
  const found = BY_NAME.get(kind);
  if (!found?.record) throw new TypeError(`the app does not record ${kind} records`);
  if (!found.versions.includes(version)) throw new TypeError(`the app does not record ${kind} payload version ${version}`);
  return found;
}

/** The object stores recording a `kind` record touches (its own, the outbox, its counter). Throws as `record`. */
export function storesToRecord(kind, version) {
  return ["outbox", "meta", ...recorder(kind, version).stores];
}

/**
 * Keep an own record of `kind` and queue its outbox entry with the next client_seq, in the
 * caller's transaction (storesToRecord names its stores). Throws, before writing anything, for
 * a kind or payload version the device does not record.
 * @returns {Promise<import("../../sync/store-interface.js").OutboxEntry>}
 */
export async function record(tx, kind, version, payload, mutationId) {
  const stored = await recorder(kind, version).record(tx, payload);
  return outbox.enqueue(tx, kind, version, stored, mutationId);
}

/**
 * Apply one pulled `records` change. A kind the app does not know (a newer server's) is
 * ignored: the caller still moves its cursor past it (docs/sync.md, pull).
 * @returns {Promise<number>} provisional states found wrong (progress changes)
 */
export async function applyChange(tx, change) {
  const wrong = await BY_NAME.get(change.kind)?.applyChange?.(tx, change);
  return typeof wrong === "number" ? wrong : 0;
}

/** The object stores `ackThrough` touches: the outbox, the rejections, every kind's. */
export const ACK_STORES = Object.freeze([...new Set(["outbox", "rejections", ...KIND_STORES])]);

/**
 * The server acknowledged the outbox through `through`: delete those entries, whatever their
 * kind, and tell each one's kind (an answer is then on the server, unless it was rejected).
 * @returns {Promise<number>} how many entries were deleted
 */
export async function ackThrough(tx, through) {
  const done = await outbox.removeThrough(tx, through);
  for (const kind of new Set(done.map((e) => e.kind))) {
    await BY_NAME.get(kind)?.acked?.(tx, done.filter((e) => e.kind === kind).map((e) => e.payload.id));
  }
  return done.length;
}
