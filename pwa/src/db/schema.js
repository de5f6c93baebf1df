// The IndexedDB schema of the app's store, as numbered upgrade steps. database.js opens the
// database with them; the repositories beside it (outbox.js, answers.js, …) read and write the
// object stores below.
//
// Object stores:
//   content     key "current": {version, etag, snapshot, saved_at}: the library in use
//   answers     key id: every answer the device knows: its own (payload) and pulled (server)
//   outbox      key client_seq: mutations not yet acknowledged by the server
//   progress    key question_id: {server: {seq, data}|null, provisional: {state, answer_id}|null}
//   meta        key "key": cursors, next_seq, device_id, the question index, sync counters,
//               the learner's plan (key "plan": {daily_limit, campaigns}; no step: a row),
//               today's queue as first shown (key "day_queue", db/day-queue.js; no step: a row)
//   settings    key "key": language, user, rollover_hour, …
//   rejections  key mutationId: mutations of any kind the server refused for good, with the
//               reason {kind, recordId, mutationId, clientSeq, reason, questionId?}; by_record
//               (step 4; keyed by answerId before, when answers were the only kind)
//   reading     key id: nuggets marked as done before acknowledgements synced (steps 3–4:
//               {id, kind, done_at}); each became an acknowledgement on first use, and the row
//               keeps the acknowledgement's id (db/reading.js)
//   acknowledgements  key id: acknowledgement events, own (payload) and pulled (server); by_item
//   records     key [kind, id]: edited records (observations, sessions) as last pulled, {kind, id, seq, data}
//   drafts      key id: forms started and not recorded yet, {id, kind, values, updated_at}; by_kind
//               (step 5; db/drafts.js)
//   videos      key pitch_id: pitch recordings made on this device and their upload (step 6;
//               db/videos.js): {pitch_id, blob (null once uploaded), sha256, size, type,
//               duration_ms, prompt_id, recorded_at, upload: {url, offset, done, tries,
//               last_error}}; by_done (0 waiting, 1 uploaded) for the uploader's queue
//
// HOW TO CHANGE IT: add step N+1 and bump SCHEMA_VERSION; never edit a step that has shipped.
// A step runs once, inside the upgrade transaction, for every device still below it.
// RULE: no step ever deletes, clears or rewrites the `outbox` store (step 1 creates it; that
// is all). It holds answers the server has not acknowledged: losing it loses learners' work.
// The same goes for `answers`: a step may add indexes to it, never drop records.

export const DB_NAME = "recap";

const STEPS = [
  null, // version 0: nothing
  // 1: the sync engine's core.
  (db) => {
    db.createObjectStore("content", { keyPath: "key" });
    db.createObjectStore("answers", { keyPath: "id" });
    db.createObjectStore("outbox", { keyPath: "client_seq" });
    db.createObjectStore("meta", { keyPath: "key" });
  },
  // 2: progress, settings and rejections; answers findable by question.
  (db, tx) => {
    tx.objectStore("answers").createIndex("by_question", "question_id");
    db.createObjectStore("progress", { keyPath: "question_id" });
    db.createObjectStore("settings", { keyPath: "key" });
    db.createObjectStore("rejections", { keyPath: "answerId" });
  },
  // 3: what the learner has read (nuggets marked as done). Touches nothing else.
  (db) => {
    db.createObjectStore("reading", { keyPath: "id" });
  },
  // 4: record kinds beyond answers (docs/sync.md "Record kinds"): acknowledgements, records kept
  // as pulled (observations), and rejections of any kind, now keyed by mutation id (the rows
  // kept so far, all answers', move over in the new shape). `reading` stays as it is: its rows
  // become acknowledgements when the app first opens the store (db/reading.js), because that
  // needs the outbox, which no step touches.
  async (db, tx) => {
    db.createObjectStore("acknowledgements", { keyPath: "id" }).createIndex("by_item", ["item_kind", "item_id"]);
    db.createObjectStore("records", { keyPath: ["kind", "id"] });
    const kept = await tx.objectStore("rejections").getAll();
    db.deleteObjectStore("rejections");
    const rejections = db.createObjectStore("rejections", { keyPath: "mutationId" });
    rejections.createIndex("by_record", "recordId");
    for (const r of kept) {
      const { answerId, ...rest } = r;
      await rejections.put({ kind: "answer", recordId: answerId, ...rest, mutationId: r.mutationId ?? `answer:${answerId}` });
    }
  },
  // 5: drafts of coaching forms (observations, session stages), kept until recorded. Touches nothing else.
  (db) => {
    db.createObjectStore("drafts", { keyPath: "id" }).createIndex("by_kind", "kind");
  },
  // 6: pitch videos recorded on this device, kept until uploaded (db/videos.js). Touches nothing else.
  (db) => {
    db.createObjectStore("videos", { keyPath: "pitch_id" }).createIndex("by_done", "done");
  },
];

/** The newest schema version. */
export const SCHEMA_VERSION = STEPS.length - 1;

/**
 * The `upgrade` callback for idb's openDB: runs every step above `oldVersion`, in order, up to
 * `newVersion`, in the one upgrade transaction (so an upgrade happens entirely or not at all).
 * A step may be async, awaiting only requests of that transaction (which keeps it alive); a
 * step that fails aborts the transaction, so the database stays at its old version.
 */
export async function upgrade(db, oldVersion, newVersion, tx) {
  const target = newVersion ?? SCHEMA_VERSION;
  try {
    for (let version = oldVersion + 1; version <= target; version++) await STEPS[version](db, tx);
  } catch (err) {
    console.error("the database upgrade failed; it stays at its old version", err);
    try {
      tx.abort();
    } catch {
      // already aborted
    }
  }
}
