// An in-memory SyncStore (the interface: src/sync/store-interface.js), for the tests only.
//
// The sync client's real-server tests and the store contract tests run over it AND over the
// app's IndexedDB store (src/store.js on fake-indexeddb), so the two keep the same semantics;
// this one shows the contract without IndexedDB in the way. The app never uses it: where
// IndexedDB is unavailable it says so (main.js) rather than keep answers only in memory.
// Each method does all its work synchronously before its promise settles, so, like one
// IndexedDB transaction, no other call can see it half done. It hands out copies, never its
// own objects.
//
// Like the app's store it records two kinds (answer, acknowledgement) and applies every kind of
// pull change the app knows (answer, progress, acknowledgement; observation, session and pitch kept as sent),
// skipping any other.
import { acknowledgedIds } from "../../src/acknowledged.js";
import { checkPlan } from "../../src/study-plan.js";

/** @typedef {import("../../src/sync/store-interface.js").SyncStore} SyncStore */
/** @typedef {import("../../src/sync/store-interface.js").AnswerPayload} AnswerPayload */
/** @typedef {import("../../src/sync/store-interface.js").OutboxEntry} OutboxEntry */
/** @typedef {import("../../src/sync/store-interface.js").Rejection} Rejection */
/** @typedef {import("../../src/sync/store-interface.js").PullPage} PullPage */

const copy = (value) => (value === undefined ? undefined : structuredClone(value));
/** The kinds recorded on the device, and their payload versions (as src/db/kinds/). */
const RECORDED = new Map([
  ["answer", [1]],
  ["acknowledgement", [1, 2, 3, 4]],
]);

/** @implements {SyncStore} */
export class MemoryStore {
  #cursors = { content: 0, records: 0 };
  #nextSeq = 1;
  /** @type {OutboxEntry[]} in increasing client_seq */
  #outbox = [];
  /** @type {Map<string, {payload: AnswerPayload|null, mine: boolean, server: object|null, onServer: boolean}>} */
  #answers = new Map();
  /** @type {Map<string, {payload: object|null, mine: boolean, server: object|null}>} acknowledgements by id */
  #acks = new Map();
  /** @type {Map<string, {kind: string, id: string, seq: number, data: object}>} kept as pulled, by kind and id */
  #records = new Map();
  /** @type {Map<string, Rejection>} by mutation id */
  #rejected = new Map();
  /** @type {Map<string, {seq: number, data: object}>} by question id */
  #progress = new Map();
  #content = null;
  #plan = null;

  // ---- the SyncStore interface --------------------------------------------------------------

  async record(kind, payloadVersion, payload, mutationId) {
    if (!RECORDED.get(kind)?.includes(payloadVersion)) throw new TypeError(`the app does not record ${kind} payload version ${payloadVersion}`);
    const held = kind === "answer" ? this.#answers : this.#acks;
    if (held.has(payload.id)) throw new Error(`${kind} ${payload.id} is recorded already`);
    held.set(payload.id, { payload: copy(payload), mine: true, server: null, onServer: false });
    return copy(this.#enqueue(kind, payloadVersion, payload, mutationId));
  }

  async recordAnswer(answer, mutationId) {
    return this.record("answer", 1, answer, mutationId);
  }

  async outboxBatch(limit) {
    return copy(this.#outbox.slice(0, Math.max(0, limit)));
  }

  async outboxSize() {
    return this.#outbox.length;
  }

  async nextSeq() {
    return this.#nextSeq;
  }

  async ackThrough(ackedThrough, rejections = []) {
    for (const r of rejections) this.#rejected.set(r.mutationId, copy(r));
    return this.#ack(ackedThrough);
  }

  async renumberOutbox(fromSeq) {
    this.#outbox.forEach((entry, i) => {
      entry.client_seq = fromSeq + i;
    });
    this.#nextSeq = fromSeq + this.#outbox.length;
  }

  async getCursors() {
    return { ...this.#cursors };
  }

  /** @param {PullPage} page */
  async applyPullPage({ changes, cursors, ackedThrough, rejected = [], content, plan = null }) {
    for (const change of changes) {
      if (change.kind === "answer") {
        const id = change.data.id;
        const known = this.#answers.get(id) ?? { payload: null, mine: false, server: null, onServer: false };
        known.server = copy(change.data);
        known.onServer = true;
        this.#answers.set(id, known);
      } else if (change.kind === "progress") {
        const qid = change.data.question_id;
        const held = this.#progress.get(qid);
        if (!held || held.seq < change.seq) this.#progress.set(qid, { seq: change.seq, data: copy(change.data) });
      } else if (change.kind === "acknowledgement") {
        const known = this.#acks.get(change.data.id) ?? { payload: null, mine: false, server: null };
        this.#acks.set(change.data.id, { ...known, server: copy(change.data) });
      } else if (change.kind === "observation" || change.kind === "session" || change.kind === "pitch") {
        this.#records.set(`${change.kind}\n${change.data.id}`, { kind: change.kind, id: change.data.id, seq: change.seq, data: copy(change.data) });
      } // any other kind: a newer server's, skipped; the cursor moves past it below
    }
    if (content) this.#content = copy(content);
    this.#cursors = { content: cursors.content, records: cursors.records };
    for (const r of rejected) this.#rejected.set(r.mutationId, copy(r));
    this.#ack(ackedThrough);
    const checked = checkPlan(plan);
    if (checked) this.#plan = checked;
  }

  /** The learner's plan from the last pull that sent one, or null. */
  async plan() {
    return copy(this.#plan);
  }

  async knownOnServerIds() {
    return [...this.#answers].filter(([, a]) => a.onServer).map(([id]) => id);
  }

  async beginHeal() {
    this.#cursors.records = 0;
    for (const answer of this.#answers.values()) if (answer.mine) answer.onServer = false;
  }

  async missingOwnAnswerIds() {
    return this.#missing().map((a) => a.payload.id);
  }

  async requeue(answerIds, newMutationId) {
    const wanted = new Set(answerIds);
    return this.#missing()
      .filter((a) => wanted.has(a.payload.id))
      .map((a) => copy(this.#enqueue("answer", 1, a.payload, newMutationId())));
  }

  async rejected() {
    return copy([...this.#rejected.values()].sort((a, b) => (a.mutationId < b.mutationId ? -1 : 1)));
  }

  // ---- for the app's screens and the tests ------------------------------------------------------

  /** Every answer the device holds: its own (with `payload`) and pulled ones (with `server`). */
  async answers() {
    return [...this.#answers].map(([id, a]) => ({ id, ...copy(a) }));
  }

  /** The server's latest progress for a question, or null. */
  async progressOf(questionId) {
    return copy(this.#progress.get(questionId)?.data ?? null);
  }

  /** Ids of the nuggets whose latest acknowledgement (own or pulled) marks them done. */
  async nuggetsDone() {
    const rejected = this.#rejectedIds("acknowledgement");
    const events = [...this.#acks.values()].filter((a) => a.server || !rejected.has(a.payload.id)).map((a) => a.server ?? a.payload);
    return acknowledgedIds(events, "nugget");
  }

  /** The pulled records of a kind kept as sent (observations): [{kind, id, seq, data}], by id. */
  async pulledRecords(kind) {
    return copy([...this.#records.values()].filter((r) => r.kind === kind).sort((a, b) => (a.id < b.id ? -1 : 1)));
  }

  /** The stored library snapshot, or null. */
  async content() {
    return copy(this.#content);
  }

  // ---- inside -------------------------------------------------------------------------------------

  #enqueue(kind, payloadVersion, payload, mutationId) {
    const entry = { id: mutationId, client_seq: this.#nextSeq, kind, payload_version: payloadVersion, payload: copy(payload) };
    this.#nextSeq += 1;
    this.#outbox.push(entry);
    return entry;
  }

  #ack(through) {
    const done = this.#outbox.filter((e) => e.client_seq <= through);
    if (!done.length) return 0;
    const rejected = this.#rejectedIds("answer");
    for (const entry of done) {
      const answer = entry.kind === "answer" ? this.#answers.get(entry.payload.id) : null;
      if (answer && !rejected.has(entry.payload.id)) answer.onServer = true;
    }
    this.#outbox = this.#outbox.filter((e) => e.client_seq > through);
    return done.length;
  }

  /** The ids of the rejected records of `kind`. */
  #rejectedIds(kind) {
    return new Set([...this.#rejected.values()].filter((r) => r.kind === kind).map((r) => r.recordId));
  }

  /** Own answers not on the server, not queued, not rejected, oldest first. */
  #missing() {
    const queued = new Set(this.#outbox.filter((e) => e.kind === "answer").map((e) => e.payload.id));
    const rejected = this.#rejectedIds("answer");
    return [...this.#answers.values()]
      .filter((a) => a.mine && !a.onServer && !queued.has(a.payload.id) && !rejected.has(a.payload.id))
      .sort((a, b) => (a.payload.answered_at < b.payload.answered_at ? -1 : a.payload.answered_at > b.payload.answered_at ? 1 : a.payload.id < b.payload.id ? -1 : 1));
  }
}
