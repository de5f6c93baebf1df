// The app's local store: what the sync client and the screens ask of the device's storage.
//
// It implements the SyncStore interface (sync/store-interface.js) and the screens' needs, each
// method in ONE IndexedDB transaction, so a method happens entirely or not at all. The
// transaction comes from db/database.js (the one module that opens the database); inside it,
// the repositories in db/ do the reading and writing, one per object store or feature. Methods
// name their transaction's object stores themselves, so what each step can touch stays visible.
//
// Recording is generic: record(kind, …) writes the kind's local record (db/kinds/: an answer
// with its provisional progress, an acknowledgement, …) and its outbox entry in one transaction
// opened with durability "strict" (DESIGN.md §3, rule 2). Pulls apply every kind the same way.
import { Database, StorageFullError } from "./db/database.js";
import * as acknowledgements from "./db/acknowledgements.js";
import * as answers from "./db/answers.js";
import * as content from "./db/content.js";
import * as dayQueue from "./db/day-queue.js";
import * as drafts from "./db/drafts.js";
import * as exemplars from "./db/exemplars.js";
import * as kinds from "./db/kinds/index.js";
import * as learner from "./db/learner.js";
import * as meta from "./db/meta.js";
import * as outbox from "./db/outbox.js";
import * as progress from "./db/progress.js";
import * as reading from "./db/reading.js";
import * as records from "./db/records.js";
import * as rejections from "./db/rejections.js";
import * as settings from "./db/settings.js";
import * as uploads from "./db/uploads.js";
import * as videos from "./db/videos.js";
import { acknowledgedIds } from "./acknowledged.js";
import { editedView } from "./edited-view.js";
import { videoCache } from "./examples-cache.js";
import { videosOf } from "./exemplars.js";
import { checkLeaderboard } from "./leaderboard.js";
import { checkPlan, today } from "./study-plan.js";
import { PITCH_PAYLOAD_VERSION, creationPatch } from "./pitches/pitch.js";
import { ANSWER_PAYLOAD_VERSION } from "./sync/rules.js";
import { uuid7 } from "./uuid7.js";

export { StorageFullError };
export { DEFAULT_SETTINGS } from "./db/settings.js";

/** The payload version the device records for each edited kind. */
export const EDITED_VERSIONS = Object.freeze({ observation: 2, session: 1, pitch: PITCH_PAYLOAD_VERSION });

const ALL = ["content", "answers", "outbox", "progress", "meta", "settings", "rejections", "reading", "acknowledgements", "records", "drafts", "videos"];

export class IdbStore {
  /** @type {Database} */
  #db;
  /** The examples saved for offline (examples-cache.js), or null where there is no Cache Storage. */
  #exampleCache = null;

  /**
   * Open (and create or upgrade) the store.
   * @param {{name?: string, version?: number, onVersionChange?: () => void, exampleCache?: object|null}} [options]
   *   as Database.open; `exampleCache`: the good examples' video cache (default: Cache Storage's, examples-cache.js)
   */
  static async open({ exampleCache = videoCache(), ...options } = {}) {
    const store = new IdbStore();
    store.#exampleCache = exampleCache;
    store.#db = await Database.open(options);
    await store.#adoptReading();
    return store;
  }

  close() {
    this.#db.close();
  }

  // ---- the SyncStore interface ------------------------------------------------------------------

  async record(kind, payloadVersion, payload, mutationId) {
    const stores = kinds.storesToRecord(kind, payloadVersion);
    return this.#db.write(stores, (tx) => kinds.record(tx, kind, payloadVersion, payload, mutationId), { strict: true });
  }

  async recordAnswer(answer, mutationId) {
    return this.record("answer", ANSWER_PAYLOAD_VERSION, answer, mutationId);
  }

  async outboxBatch(limit) {
    if (!(limit > 0)) return [];
    return this.#db.read(["outbox"], (tx) => outbox.batch(tx, limit));
  }

  async outboxSize() {
    return this.#db.read(["outbox"], (tx) => outbox.size(tx));
  }

  async nextSeq() {
    return this.#db.read(["meta"], (tx) => outbox.nextSeq(tx));
  }

  async ackThrough(ackedThrough, rejected = []) {
    return this.#db.write(kinds.ACK_STORES, async (tx) => {
      for (const r of rejected) await rejections.put(tx, r);
      return kinds.ackThrough(tx, ackedThrough);
    });
  }

  async renumberOutbox(fromSeq) {
    return this.#db.write(["outbox", "meta"], (tx) => outbox.renumber(tx, fromSeq));
  }

  async getCursors() {
    return this.#db.read(["meta"], (tx) => meta.cursors(tx));
  }

  /** @param {import("./sync/store-interface.js").PullPage} page */
  async applyPullPage({ changes, cursors, ackedThrough, rejected = [], content: snapshot, disagreementsReported = 0, plan = null, me = null, leaderboard = undefined, exemplars: examples = undefined }) {
    const kept = await this.#db.write([...kinds.ACK_STORES, "meta", "content"], async (tx) => {
      let disagreements = Math.max(0, (await progress.disagreements(tx)) - disagreementsReported);
      // Every kind the app knows; another kind is skipped, and the cursor still moves past it.
      for (const change of changes) disagreements += await kinds.applyChange(tx, change);
      const next = { content: cursors.content, records: cursors.records };
      if (snapshot) {
        const result = await content.save(tx, snapshot);
        if (!result.saved) next.content = result.version; // a refused download never moves the cursor
      }
      await meta.setCursors(tx, next);
      await progress.setDisagreements(tx, disagreements);
      for (const r of rejected) await rejections.put(tx, r);
      await kinds.ackThrough(tx, ackedThrough);
      const checked = checkPlan(plan);
      if (checked) await meta.put(tx, "plan", checked);
      if (me && typeof me === "object" && typeof me.user_id === "string" && Array.isArray(me.teams)) await meta.put(tx, "me", structuredClone(me));
      // The last page's leaderboard replaces the kept one; null (the organisation has them off)
      // forgets it; undefined (not the last page) and a malformed one leave it.
      if (leaderboard === null) await meta.remove(tx, "leaderboard");
      else if (leaderboard !== undefined) {
        const board = checkLeaderboard(leaderboard);
        if (board) await meta.put(tx, "leaderboard", board);
      }
      return exemplars.replace(tx, examples); // the last page's complete list, as the leaderboard
    });
    if (kept) await this.#keepVideos(kept);
  }

  async knownOnServerIds() {
    return this.#db.read(["answers"], (tx) => answers.onServerIds(tx));
  }

  async beginHeal() {
    return this.#db.write(["answers", "meta"], async (tx) => {
      await meta.setCursors(tx, { ...(await meta.cursors(tx)), records: 0 });
      await answers.forgetOwnOnServer(tx);
    });
  }

  async missingOwnAnswerIds() {
    return this.#db.read(["answers", "outbox", "rejections"], async (tx) => (await answers.missingOwn(tx)).map((a) => a.id));
  }

  async requeue(answerIds, newMutationId) {
    const wanted = new Set(answerIds);
    return this.#db.write(["answers", "outbox", "rejections", "meta"], async (tx) => {
      const entries = [];
      for (const a of await answers.missingOwn(tx)) {
        if (wanted.has(a.id)) entries.push(await outbox.enqueue(tx, "answer", ANSWER_PAYLOAD_VERSION, a.payload, newMutationId()));
      }
      return entries;
    });
  }

  async rejected() {
    return this.#db.read(["rejections"], (tx) => rejections.all(tx));
  }

  /** Provisional states that differed from the server's since the last report (sent on pull). */
  async disagreements() {
    return this.#db.read(["meta"], (tx) => progress.disagreements(tx));
  }

  // ---- the library ------------------------------------------------------------------------------

  /**
   * Keep a downloaded snapshot document, and the content cursor with it, only if it passes
   * checkSnapshot and is newer than the one kept. Returns {saved, version, problems}.
   */
  async saveContent(snapshot, { etag = null } = {}) {
    return this.#db.write(["content", "meta"], async (tx) => {
      const result = await content.save(tx, { version: snapshot?.version, etag, snapshot });
      if (result.saved) await meta.setCursors(tx, { ...(await meta.cursors(tx)), content: result.version });
      return result;
    });
  }

  /** The library in use, {version, etag, snapshot}, or null. */
  async content() {
    const row = await this.#db.read(["content"], (tx) => content.current(tx));
    return row ? { version: row.version, etag: row.etag, snapshot: row.snapshot } : null;
  }

  /**
   * The learner's plan from their last pull ({daily_limit, campaigns: [{campaign_id,
   * start_day}]}, docs/sync.md "The plan"), or null before the server has sent one.
   */
  async plan() {
    return this.#db.read(["meta"], (tx) => meta.get(tx, "plan", null));
  }

  /** Today's queue as first shown ({day, language, planned, items}), or null (study-plan.js keptQueue). */
  async dayQueue() {
    return this.#db.read(["meta"], (tx) => dayQueue.get(tx));
  }

  /** Keep today's queue as shown (null: forget it). */
  async setDayQueue(pin) {
    return this.#db.write(["meta"], (tx) => dayQueue.put(tx, pin));
  }

  /** Why the last downloaded library was refused ({version, problems, at}), or null. */
  async contentError() {
    return this.#db.read(["meta"], (tx) => content.refusal(tx));
  }

  // ---- answers and progress, for the screens ----------------------------------------------------

  /** Every answer the device holds: its own (with `payload`) and pulled ones (with `server`). */
  async answers() {
    return this.#db.read(["answers"], (tx) => answers.all(tx));
  }

  /** The server's latest progress for a question, or null. */
  async progressOf(questionId) {
    return this.#db.read(["progress"], (tx) => progress.serverState(tx, questionId));
  }

  /** Current states (server progress + unsynced answers on top) of these questions, by id. */
  async states(questionIds) {
    return this.#db.read(["answers", "progress", "meta"], async (tx) => {
      const index = await content.questions(tx);
      const out = new Map();
      for (const qid of new Set(questionIds)) out.set(qid, await progress.stateOf(tx, qid, index));
      return out;
    });
  }

  // ---- acknowledgements (nuggets done) and other records -------------------------------------

  /**
   * Ids of the nuggets the learner has marked as done: each nugget's latest acknowledgement, own
   * or pulled from their other devices, in the order (at, id). Marking is recording an
   * acknowledgement (SyncClient.acknowledge).
   */
  async nuggetsDone() {
    return this.acknowledgedItems("nugget");
  }

  /** Ids of the items of `itemKind` whose latest acknowledgement (own or pulled) acknowledges them. */
  async acknowledgedItems(itemKind) {
    return this.#db.read(["acknowledgements", "rejections"], async (tx) =>
      acknowledgedIds(await acknowledgements.events(tx, itemKind, await rejections.recordIds(tx, "acknowledgement")), itemKind),
    );
  }

  /** The pulled records of a kind kept as sent (observations): [{kind, id, seq, data}]. */
  async pulledRecords(kind) {
    return this.#db.read(["records"], (tx) => records.ofKind(tx, kind));
  }

  /**
   * Edited records of `kind` ("observation", "session") as the device shows them: the pulled
   * state with its own queued patches on top ([{id, data, pending}], by id; src/edited-view.js).
   */
  async editedRecords(kind) {
    return this.#db.read(["records", "outbox"], async (tx) => editedView(kind, await records.ofKind(tx, kind), await outbox.batch(tx)));
  }

  /**
   * Every acknowledgement event of one item, own and pulled, of anyone the device hears from
   * (an observation's rep, for its coach), in the order (at, id):
   * [{id, user_id (null for an own one not pulled back yet), acknowledged, comment, at, pending}].
   */
  async acknowledgementsOf(itemKind, itemId) {
    return this.#db.read(["acknowledgements", "rejections"], async (tx) => {
      const refused = await rejections.recordIds(tx, "acknowledgement");
      return (await acknowledgements.rows(tx, itemKind, itemId))
        .filter((r) => r.server || !refused.has(r.id))
        .map((r) => {
          const e = r.server ?? r.payload;
          return { id: r.id, user_id: r.server?.user_id ?? null, acknowledged: e.acknowledged, comment: e.comment ?? null, at: e.at, pending: !r.server };
        })
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  /** The leaderboard from the last pull that had one ({as_of, window_days, top, me, teams}), or null. */
  async leaderboard() {
    return this.#db.read(["meta"], (tx) => meta.get(tx, "leaderboard", null));
  }

  /** Who the signed-in person is, from their last pull ({user_id, name, roles, teams}), or null. */
  async me() {
    return this.#db.read(["meta"], (tx) => meta.get(tx, "me", null));
  }

  // ---- pitch videos (db/videos.js, db/uploads.js; docs/app.md "Pitches") --------------------------

  /**
   * Keep a recorded pitch: its video row AND its creation patch (kind `pitch`, payload v1) in the
   * outbox, in ONE strict transaction, so the phone holds both or neither. Throws (before writing
   * anything) for a recording the server would refuse (pitches/pitch.js), and refuses a second
   * video for the same pitch. Returns {entry, video}.
   * @param {{pitch_id: string, blob: Blob, sha256: string, size: number, type: string, duration_ms: number,
   *   prompt_id: string, recorded_on: string, recorded_at: string, local_day: number, poster?: Blob|null}} r
   */
  async savePitch(r, mutationId = uuid7()) {
    const payload = creationPatch({ ...r, id: r.pitch_id, at: r.recorded_at });
    if (!(r.blob instanceof Blob) || r.blob.size !== r.size) throw new RangeError("the recording's blob does not match its size");
    const row = { pitch_id: r.pitch_id, blob: r.blob, sha256: r.sha256, size: r.size, type: r.type, duration_ms: r.duration_ms, prompt_id: r.prompt_id, recorded_at: r.recorded_at, poster: r.poster ?? null };
    const stores = [...kinds.storesToRecord("pitch", PITCH_PAYLOAD_VERSION), "videos"];
    return this.#db.write(
      stores,
      async (tx) => {
        await videos.add(tx, row);
        const entry = await kinds.record(tx, "pitch", PITCH_PAYLOAD_VERSION, payload, mutationId);
        return { entry, video: await videos.get(tx, r.pitch_id) };
      },
      { strict: true },
    );
  }

  /** The recordings still to upload, oldest first. */
  async pendingUploads() {
    return this.#db.read(["videos"], (tx) => videos.waiting(tx));
  }

  /** Every recording made on this device (blob null once uploaded), newest first. */
  async pitchVideos() {
    return this.#db.read(["videos"], (tx) => videos.all(tx));
  }

  /** One recording's row (db/videos.js), or null. */
  async pitchVideo(pitchId) {
    return this.#db.read(["videos"], async (tx) => (await videos.get(tx, pitchId)) ?? null);
  }

  /** Merge into a recording's upload state (db/uploads.js; a finished one stays). Returns the row or null. */
  async setUploadState(pitchId, patch) {
    return this.#db.write(["videos"], (tx) => uploads.setState(tx, pitchId, patch));
  }

  /** The server holds the whole video: mark it uploaded and drop the blob. Returns the row or null. */
  async uploadDone(pitchId) {
    return this.#db.write(["videos"], (tx) => uploads.finish(tx, pitchId), { strict: true });
  }

  // ---- good examples (docs/coaching.md "Good examples") ---------------------------------------

  /** The good examples of my teams from the last pull (exemplars.js checkExemplars), newest first. */
  async exemplars() {
    return this.#db.read(["meta"], (tx) => exemplars.all(tx));
  }

  /** The examples' video cache (examples-cache.js), or null: the screen saves and plays through it. */
  get exampleVideos() {
    return this.#exampleCache;
  }

  /**
   * After a kept list committed: delete the saved videos no example plays any more (a withdrawn
   * one, another person's). A failure is retried by the next list; the list itself is kept.
   */
  async #keepVideos(list) {
    try {
      await this.#exampleCache?.keepOnly(videosOf(list));
    } catch (err) {
      console.warn("saved examples not pruned", err);
    }
  }

  // ---- drafts (db/drafts.js) ------------------------------------------------------------------

  /** Keep a draft {id, kind, values, updated_at}, replacing the one with its id. */
  async saveDraft(draft) {
    return this.#db.write(["drafts"], (tx) => drafts.put(tx, draft), { strict: true });
  }

  async draft(id) {
    return this.#db.read(["drafts"], async (tx) => (await drafts.get(tx, id)) ?? null);
  }

  /** The drafts of `kind`, most recently changed first. */
  async drafts(kind) {
    return this.#db.read(["drafts"], (tx) => drafts.ofKind(tx, kind));
  }

  async deleteDraft(id) {
    return this.#db.write(["drafts"], (tx) => drafts.remove(tx, id));
  }

  /**
   * Record a draft as a `kind` patch (observation v2, session v1) and delete the draft, in ONE
   * strict transaction: closing the app between the two can neither lose nor duplicate it.
   * Returns the outbox entry.
   */
  async shareDraft(draftId, kind, payload, mutationId = uuid7()) {
    const version = EDITED_VERSIONS[kind];
    const stores = [...kinds.storesToRecord(kind, version), "drafts"];
    return this.#db.write(
      stores,
      async (tx) => {
        const entry = await kinds.record(tx, kind, version, payload, mutationId);
        await drafts.remove(tx, draftId);
        return entry;
      },
      { strict: true },
    );
  }

  /**
   * Nuggets marked as done before "done" synced (the `reading` store) become acknowledgements
   * with their outbox entries, once, when this version first opens the store (db/reading.js).
   */
  async #adoptReading(now = Date.now()) {
    if (!(await this.#db.read(["reading"], (tx) => reading.pending(tx))).length) return;
    const adopt = async (tx) => {
      const rollover = (await settings.all(tx)).rollover_hour;
      await reading.adopt(tx, { now, newId: () => uuid7(now), localDay: (ms) => today(rollover, ms) });
    };
    await this.#db.write([...reading.ADOPT_STORES, "settings"], adopt, { strict: true });
  }

  // ---- settings and identity ------------------------------------------------------------------

  async settings() {
    return this.#db.read(["settings"], (tx) => settings.all(tx));
  }

  async setSetting(key, value) {
    return this.#db.write(["settings"], (tx) => settings.put(tx, key, value));
  }

  /** The device's id: made once (a random UUID) and kept. */
  async deviceId(make = () => globalThis.crypto.randomUUID()) {
    return this.#db.write(["meta"], (tx) => learner.deviceId(tx, make));
  }

  /**
   * The device id a sign-in as `user` will use, checked before asking the server for a
   * credential bound to it: the device's own id for the same user (or the first one), a fresh
   * id (not kept yet) for another user when nothing of the previous one waits to sync.
   * Returns {ok: true, deviceId, previous} or {ok: false, unsynced, user} naming the previous user.
   */
  async signInDevice(user, newDeviceId = () => globalThis.crypto.randomUUID()) {
    const result = await this.#db.read(["settings", "outbox", "answers", "rejections", "drafts", "videos"], async (tx) => {
      const previous = await settings.get(tx, "user");
      if (!previous || previous === user) return { ok: true, deviceId: null, previous };
      const waiting = await learner.unsynced(tx);
      return waiting ? { ok: false, unsynced: waiting, user: previous } : { ok: true, deviceId: newDeviceId(), previous };
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
    const result = await this.#db.write(ALL, async (tx) => {
      const previous = await settings.get(tx, "user");
      if (previous && previous !== user) {
        const waiting = await learner.unsynced(tx);
        if (waiting) return { ok: false, unsynced: waiting, user: previous };
        await learner.forget(tx, newDeviceId());
      }
      await settings.put(tx, "user", user);
      if (deviceToken !== undefined) await settings.put(tx, "device_token", deviceToken);
      return { ok: true, forgot: Boolean(previous && previous !== user) };
    });
    if (result.forgot) await this.#keepVideos([]); // the previous person's saved examples
    return result.ok ? { ok: true } : result;
  }
}
