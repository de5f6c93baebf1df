// The IndexedDB schema of the app's store, as numbered upgrade steps. database.js opens the
// database with them; the repositories beside it (outbox.js, answers.js, …) read and write the
// object stores below.
//
// Object stores:
//   content     key "current": {version, etag, snapshot, saved_at}: the library in use
//   answers     key id: every answer the device knows: its own (payload) and pulled (server)
//   outbox      key client_seq: mutations not yet acknowledged by the server
//   progress    key question_id: {server: {seq, data}|null, provisional: {state, answer_id}|null}
//   meta        key "key": cursors, next_seq, device_id, the question index, sync counters
//   settings    key "key": language, user, rollover_hour, …
//   rejections  key answerId: answers the server refused for good, with the reason
//   reading     key id: nuggets the learner marked as done on this device {id, kind, done_at}
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
];

/** The newest schema version. */
export const SCHEMA_VERSION = STEPS.length - 1;

/**
 * The `upgrade` callback for idb's openDB: runs every step above `oldVersion`, in order, up to
 * `newVersion`, in the one upgrade transaction (so an upgrade happens entirely or not at all).
 */
export function upgrade(db, oldVersion, newVersion, tx) {
  const target = newVersion ?? SCHEMA_VERSION;
  for (let version = oldVersion + 1; version <= target; version++) STEPS[version](db, tx);
}
