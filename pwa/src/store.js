// The app's local store: the ONE module that owns IndexedDB (through idb).
//
// It implements the SyncStore interface of sync-store.js with the same semantics as
// memory-store.js, each method in ONE IndexedDB transaction, so a method happens entirely or
// not at all. recordAnswer writes the answer, its outbox entry and the question's provisional
// progress in one transaction opened with durability "strict" (DESIGN.md §3, rule 2).
// On top of that it keeps what the screens need: the library (checked before it is kept),
// computed progress per question, settings, and the device's id. Schema: store-schema.js.
import { openDB } from "idb";
import { DB_NAME, SCHEMA_VERSION, upgrade } from "./store-schema.js";
import { checkSnapshot } from "./content-check.js";
import { currentState, questionIndex, sameState } from "./progress.js";

/** The device ran out of storage: the write did not happen, and nothing written before was lost. */
export class StorageFullError extends Error {
  constructor(cause) {
    super("the device's storage is full: nothing new was saved, and nothing saved before was lost", { cause });
    this.name = "StorageFullError";
  }
}

const ALL = ["content", "answers", "outbox", "progress", "meta", "settings", "rejections", "reading"];
export const DEFAULT_SETTINGS = Object.freeze({ language: null, user: null, device_token: null, rollover_hour: 4 });

const isQuota = (err) => err?.name === "QuotaExceededError" || err?.inner?.name === "QuotaExceededError";
const byAnsweredAt = (a, b) =>
  a.payload.answered_at < b.payload.answered_at ? -1 : a.payload.answered_at > b.payload.answered_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** An answer record as progress.js wants it. */
const forReplay = (a) => ({ id: a.id, day: a.day, answered_at: a.answered_at, correct: a.correct, rev: a.rev, pulled: a.server != null });

export class IdbStore {
  #db;
  #onVersionChange;

  /**
   * Open (and create or upgrade) the store.
   * @param {{name?: string, version?: number, onVersionChange?: () => void}} [options] `version`
   *   is for tests of the upgrade path; `onVersionChange` is called when a newer app in another
   *   tab needs the database (this connection then closes).
   */
  static async open({ name = DB_NAME, version = SCHEMA_VERSION, onVersionChange } = {}) {
    const store = new IdbStore();
    store.#onVersionChange = onVersionChange;
    store.#db = await openDB(name, version, {
      upgrade,
      blocking: () => {
        store.#db?.close();
        store.#onVersionChange?.();
      },
    });
    return store;
  }

  close() {
    this.#db.close();
  }

  /** Run `work(tx)` in one transaction; commit only if it succeeds. Quota errors become StorageFullError. */
  async #run(stores, mode, work, options = undefined) {
    const tx = this.#db.transaction(stores, mode, options);
    tx.done.catch(() => {}); // its failure is reported below, not as an unhandled rejection
    try {
      const result = await work(tx);
      await tx.done;
      return result;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      if (isQuota(err) || isQuota(tx.error)) throw new StorageFullError(err);
      throw err;
    }
  }

  async #meta(tx, key, fallback) {
    const row = await tx.objectStore("meta").get(key);
    return row === undefined ? fallback : row.value;
  }

  #putMeta(tx, key, value) {
    return tx.objectStore("meta").put({ key, value });
  }

  async #enqueue(tx, payload, mutationId) {
    const seq = await this.#meta(tx, "next_seq", 1);
    const entry = { id: mutationId, client_seq: seq, kind: "answer", payload_version: 1, payload };
    await tx.objectStore("outbox").add(entry);
    await this.#putMeta(tx, "next_seq", seq + 1);
    return entry;
  }

  async #ack(tx, through) {
    const outbox = tx.objectStore("outbox");
    const range = IDBKeyRange.upperBound(through);
    const done = await outbox.getAll(range);
    for (const entry of done) {
      const answer = await tx.objectStore("answers").get(entry.payload.id);
      const rejected = await tx.objectStore("rejections").get(entry.payload.id);
      if (answer && !rejected && !answer.onServer) await tx.objectStore("answers").put({ ...answer, onServer: true });
    }
    if (done.length) await outbox.delete(range);
    return done.length;
  }

  async #missing(tx) {
    const queued = new Set((await tx.objectStore("outbox").getAll()).map((e) => e.payload.id));
    const rejected = new Set(await tx.objectStore("rejections").getAllKeys());
    return (await tx.objectStore("answers").getAll())
      .filter((a) => a.mine && !a.onServer && !queued.has(a.id) && !rejected.has(a.id))
      .sort(byAnsweredAt);
  }

  /** Keep a checked snapshot and its question index; false (and nothing written) if it is not usable. */
  async #putContent(tx, content) {
    const current = await tx.objectStore("content").get("current");
    const problems = checkSnapshot(content?.snapshot, { currentVersion: current?.version ?? 0 });
    if (!problems.length && content.version !== content.snapshot.version) problems.push("the version does not match the snapshot");
    if (problems.length) {
      await this.#putMeta(tx, "content_error", { version: content?.version ?? null, problems, at: Date.now() });
      return { saved: false, version: current?.version ?? 0, problems };
    }
    if (current && current.version === content.version) return { saved: false, version: current.version, problems: [] };
    await tx.objectStore("content").put({ key: "current", version: content.version, etag: content.etag ?? null, snapshot: content.snapshot, saved_at: Date.now() });
    await this.#putMeta(tx, "questions", questionIndex(content.snapshot));
    await tx.objectStore("meta").delete("content_error");
    return { saved: true, version: content.version, problems: [] };
  }

  async #stateIn(tx, questionId, index) {
    const answers = await tx.objectStore("answers").index("by_question").getAll(questionId);
    const progress = await tx.objectStore("progress").get(questionId);
    return currentState(index?.questions?.[questionId], answers.map(forReplay), progress?.server?.data ?? null);
  }

  // ---- the SyncStore interface ------------------------------------------------------------------

  async recordAnswer(answer, mutationId) {
    return this.#run(
      ["answers", "outbox", "meta", "progress"],
      "readwrite",
      async (tx) => {
        const answers = tx.objectStore("answers");
        if (await answers.get(answer.id)) throw new Error(`answer ${answer.id} is recorded already`);
        const index = await this.#meta(tx, "questions", null);
        const payload = structuredClone(answer);
        await answers.add({
          id: answer.id,
          question_id: answer.question_id,
          mine: true,
          payload,
          server: null,
          onServer: false,
          rev: index?.questions?.[answer.question_id]?.rev ?? null,
          day: answer.local_day,
          answered_at: answer.answered_at,
          correct: answer.correct,
        });
        const entry = await this.#enqueue(tx, payload, mutationId);
        // Provisional progress, for "Back in 12 days" now and the disagreement count later.
        const state = await this.#stateIn(tx, answer.question_id, index);
        const held = (await tx.objectStore("progress").get(answer.question_id)) ?? { question_id: answer.question_id, server: null };
        await tx.objectStore("progress").put({ ...held, provisional: { state, answer_id: answer.id } });
        return entry;
      },
      { durability: "strict" },
    );
  }

  async outboxBatch(limit) {
    if (!(limit > 0)) return [];
    return this.#run(["outbox"], "readonly", (tx) => tx.objectStore("outbox").getAll(null, limit));
  }

  async outboxSize() {
    return this.#run(["outbox"], "readonly", (tx) => tx.objectStore("outbox").count());
  }

  async nextSeq() {
    return this.#run(["meta"], "readonly", (tx) => this.#meta(tx, "next_seq", 1));
  }

  async ackThrough(ackedThrough, rejections = []) {
    return this.#run(["outbox", "answers", "rejections"], "readwrite", async (tx) => {
      for (const r of rejections) await tx.objectStore("rejections").put(structuredClone(r));
      return this.#ack(tx, ackedThrough);
    });
  }

  async renumberOutbox(fromSeq) {
    return this.#run(["outbox", "meta"], "readwrite", async (tx) => {
      const outbox = tx.objectStore("outbox");
      const entries = await outbox.getAll();
      await outbox.clear();
      for (const [i, entry] of entries.entries()) await outbox.add({ ...entry, client_seq: fromSeq + i });
      await this.#putMeta(tx, "next_seq", fromSeq + entries.length);
    });
  }

  async getCursors() {
    return this.#run(["meta"], "readonly", async (tx) => ({ ...(await this.#meta(tx, "cursors", { content: 0, records: 0 })) }));
  }

  /** @param {import("./sync-store.js").PullPage & {disagreementsReported?: number}} page */
  async applyPullPage({ changes, cursors, ackedThrough, content, disagreementsReported = 0 }) {
    return this.#run(["answers", "progress", "meta", "outbox", "rejections", "content"], "readwrite", async (tx) => {
      const answers = tx.objectStore("answers");
      const progress = tx.objectStore("progress");
      let disagreements = Math.max(0, (await this.#meta(tx, "disagreements", 0)) - disagreementsReported);
      for (const change of changes) {
        const data = change.data;
        if (change.kind === "answer") {
          const known = await answers.get(data.id);
          await answers.put({
            id: data.id,
            question_id: data.question_id,
            mine: known?.mine ?? false,
            payload: known?.payload ?? null,
            server: structuredClone(data),
            onServer: true,
            rev: data.rev ?? known?.rev ?? null,
            day: data.local_day,
            answered_at: data.answered_at,
            correct: data.correct,
          });
        } else if (change.kind === "progress") {
          const held = (await progress.get(data.question_id)) ?? { question_id: data.question_id, server: null, provisional: null };
          if (held.server && held.server.seq >= change.seq) continue;
          let provisional = held.provisional ?? null;
          if (provisional && (await answers.get(provisional.answer_id))?.server) {
            // The server has now replayed the answer the device computed this state after.
            if (!sameState(provisional.state, data)) disagreements += 1;
            provisional = null;
          }
          await progress.put({ question_id: data.question_id, server: { seq: change.seq, data: structuredClone(data) }, provisional });
        }
      }
      const next = { content: cursors.content, records: cursors.records };
      if (content) {
        const result = await this.#putContent(tx, content);
        if (!result.saved) next.content = result.version; // a refused download never moves the cursor
      }
      await this.#putMeta(tx, "cursors", next);
      await this.#putMeta(tx, "disagreements", disagreements);
      await this.#ack(tx, ackedThrough);
    });
  }

  async knownOnServerIds() {
    return this.#run(["answers"], "readonly", async (tx) => (await tx.objectStore("answers").getAll()).filter((a) => a.onServer).map((a) => a.id));
  }

  async beginHeal() {
    return this.#run(["answers", "meta"], "readwrite", async (tx) => {
      const cursors = await this.#meta(tx, "cursors", { content: 0, records: 0 });
      await this.#putMeta(tx, "cursors", { ...cursors, records: 0 });
      for (const a of await tx.objectStore("answers").getAll()) {
        if (a.mine && a.onServer) await tx.objectStore("answers").put({ ...a, onServer: false });
      }
    });
  }

  async missingOwnAnswerIds() {
    return this.#run(["answers", "outbox", "rejections"], "readonly", async (tx) => (await this.#missing(tx)).map((a) => a.id));
  }

  async requeue(answerIds, newMutationId) {
    const wanted = new Set(answerIds);
    return this.#run(["answers", "outbox", "rejections", "meta"], "readwrite", async (tx) => {
      const entries = [];
      for (const a of await this.#missing(tx)) if (wanted.has(a.id)) entries.push(await this.#enqueue(tx, a.payload, newMutationId()));
      return entries;
    });
  }

  async rejected() {
    return this.#run(["rejections"], "readonly", (tx) => tx.objectStore("rejections").getAll());
  }

  /** Provisional states that differed from the server's since the last report (sent on pull). */
  async disagreements() {
    return this.#run(["meta"], "readonly", (tx) => this.#meta(tx, "disagreements", 0));
  }

  // ---- the library ------------------------------------------------------------------------------

  /**
   * Keep a downloaded snapshot document, and the content cursor with it, only if it passes
   * checkSnapshot and is newer than the one kept. Returns {saved, version, problems}.
   */
  async saveContent(snapshot, { etag = null } = {}) {
    return this.#run(["content", "meta"], "readwrite", async (tx) => {
      const result = await this.#putContent(tx, { version: snapshot?.version, etag, snapshot });
      if (result.saved) {
        const cursors = await this.#meta(tx, "cursors", { content: 0, records: 0 });
        await this.#putMeta(tx, "cursors", { ...cursors, content: result.version });
      }
      return result;
    });
  }

  /** The library in use, {version, etag, snapshot}, or null. */
  async content() {
    const row = await this.#run(["content"], "readonly", (tx) => tx.objectStore("content").get("current"));
    return row ? { version: row.version, etag: row.etag, snapshot: row.snapshot } : null;
  }

  /** Why the last downloaded library was refused ({version, problems, at}), or null. */
  async contentError() {
    return this.#run(["meta"], "readonly", (tx) => this.#meta(tx, "content_error", null));
  }

  // ---- answers and progress, for the screens ----------------------------------------------------

  /** Every answer the device holds: its own (with `payload`) and pulled ones (with `server`). */
  async answers() {
    return this.#run(["answers"], "readonly", (tx) => tx.objectStore("answers").getAll());
  }

  /** The server's latest progress for a question, or null. */
  async progressOf(questionId) {
    return this.#run(["progress"], "readonly", async (tx) => (await tx.objectStore("progress").get(questionId))?.server?.data ?? null);
  }

  /** Current states (server progress + unsynced answers on top) of these questions, by id. */
  async states(questionIds) {
    return this.#run(["answers", "progress", "meta"], "readonly", async (tx) => {
      const index = await this.#meta(tx, "questions", null);
      const out = new Map();
      for (const qid of new Set(questionIds)) out.set(qid, await this.#stateIn(tx, qid, index));
      return out;
    });
  }

  // ---- reading (nuggets done) ------------------------------------------------------------------

  /** Ids of the nuggets marked as done on this device, as a Set. */
  async nuggetsDone() {
    const rows = await this.#run(["reading"], "readonly", (tx) => tx.objectStore("reading").getAll());
    return new Set(rows.filter((r) => r.kind === "nugget").map((r) => r.id));
  }

  /** Mark a nugget as done (or, with done = false, not done). */
  async setNuggetDone(id, done = true, now = Date.now()) {
    return this.#run(["reading"], "readwrite", (tx) =>
      done ? tx.objectStore("reading").put({ id, kind: "nugget", done_at: new Date(now).toISOString() }) : tx.objectStore("reading").delete(id),
    );
  }

  // ---- settings and identity ------------------------------------------------------------------

  async settings() {
    const rows = await this.#run(["settings"], "readonly", (tx) => tx.objectStore("settings").getAll());
    return { ...DEFAULT_SETTINGS, ...Object.fromEntries(rows.map((r) => [r.key, r.value])) };
  }

  async setSetting(key, value) {
    return this.#run(["settings"], "readwrite", (tx) => tx.objectStore("settings").put({ key, value }));
  }

  /** The device's id: made once (a random UUID) and kept. */
  async deviceId(make = () => globalThis.crypto.randomUUID()) {
    return this.#run(["meta"], "readwrite", async (tx) => {
      const id = await this.#meta(tx, "device_id", null);
      if (id) return id;
      const made = make();
      await this.#putMeta(tx, "device_id", made);
      return made;
    });
  }

  /**
   * The device id a sign-in as `user` will use, checked before asking the server for a
   * credential bound to it: the device's own id for the same user (or the first one), a fresh
   * id (not kept yet) for another user when nothing of the previous one waits to sync.
   * Returns {ok: true, deviceId, previous} or {ok: false, unsynced, user} naming the previous user.
   */
  async signInDevice(user, newDeviceId = () => globalThis.crypto.randomUUID()) {
    const result = await this.#run(["settings", "outbox", "answers", "rejections"], "readonly", async (tx) => {
      const previous = (await tx.objectStore("settings").get("user"))?.value ?? null;
      if (!previous || previous === user) return { ok: true, deviceId: null, previous };
      const unsynced = (await tx.objectStore("outbox").count()) + (await this.#missing(tx)).length;
      return unsynced ? { ok: false, unsynced, user: previous } : { ok: true, deviceId: newDeviceId(), previous };
    });
    if (result.ok && !result.deviceId) result.deviceId = await this.deviceId();
    return result;
  }

  /**
   * Sign in as `user`. Another user than the stored one is allowed only when nothing of the
   * previous user is waiting to sync: then their records (all on the server) are forgotten and
   * the device gets a new id, since a device is bound to one user for good (docs/sync.md).
   * `deviceToken` is the credential the server issued for this device (docs/auth.md); it
   * replaces the one kept, in the same transaction.
   * Returns {ok: true} or {ok: false, unsynced, user} naming the previous user.
   */
  async signIn(user, newDeviceId = () => globalThis.crypto.randomUUID(), { deviceToken } = {}) {
    return this.#run(ALL, "readwrite", async (tx) => {
      const previous = (await tx.objectStore("settings").get("user"))?.value ?? null;
      if (previous && previous !== user) {
        const unsynced = (await tx.objectStore("outbox").count()) + (await this.#missing(tx)).length;
        if (unsynced) return { ok: false, unsynced, user: previous };
        for (const name of ["answers", "progress", "rejections", "reading"]) await tx.objectStore(name).clear();
        const cursors = await this.#meta(tx, "cursors", { content: 0, records: 0 });
        await this.#putMeta(tx, "cursors", { ...cursors, records: 0 });
        await this.#putMeta(tx, "device_id", newDeviceId());
        await this.#putMeta(tx, "next_seq", 1);
        await this.#putMeta(tx, "disagreements", 0);
        await tx.objectStore("settings").delete("device_token");
      }
      await tx.objectStore("settings").put({ key: "user", value: user });
      if (deviceToken !== undefined) await tx.objectStore("settings").put({ key: "device_token", value: deviceToken });
      return { ok: true };
    });
  }
}
