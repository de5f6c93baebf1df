// Tests for src/store.js (the IndexedDB store on fake-indexeddb: a facade over src/db/) and
// src/content-check.js.
//
// The first suite is the SyncStore contract (src/sync/store-interface.js), run against BOTH
// the in-memory store (support/memory-store.js) and the IndexedDB store, so the two keep the
// same semantics. The rest is what only the IndexedDB store does: one transaction per method
// (an answer and its outbox entry together or not at all), schema upgrades that keep the
// outbox, checked content, a full disk, provisional progress, persistence across reopening.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { openDB } from "idb";

import { IdbStore, StorageFullError } from "../src/store.js";
import { SCHEMA_VERSION, upgrade } from "../src/db/schema.js";
import { checkSnapshot } from "../src/content-check.js";
import { replay, settingsFor, step, NEW } from "../src/scheduler.js";
import { uuid7 } from "../src/uuid7.js";
import { snapshot, question, campaign, DEC_1 } from "./support/snapshot.js";
import { MemoryStore } from "./support/memory-store.js";

let dbs = 0;
const dbName = () => `recap-test-${process.pid}-${++dbs}`;
const openIdb = (name = dbName()) => IdbStore.open({ name });

let clock = Date.UTC(2026, 11, 1, 9, 0, 0);
/** An answer payload v1, each one a second after the last unless `at` is given. */
function payload(questionId = "who-else", { day = DEC_1, correct = true, choice = [2], at } = {}) {
  clock += 1000;
  const ms = at ?? clock;
  return {
    id: uuid7(ms),
    question_id: questionId,
    content_version: 1,
    choice,
    correct,
    answered_at: new Date(ms).toISOString(),
    local_day: day,
    duration_ms: 1200,
  };
}

/** An acknowledgement payload v1 of a nugget, each a second after the last. */
function acknowledgement(nuggetId, acknowledged = true) {
  clock += 1000;
  return { id: uuid7(clock), item_kind: "nugget", item_id: nuggetId, acknowledged, at: new Date(clock).toISOString(), local_day: DEC_1, comment: null };
}

const progressChange = (seq, questionId, state, epoch = 1) => ({ stream: "records", seq, kind: "progress", data: { question_id: questionId, ...state, epoch } });
const answerChange = (seq, answer, extra = {}) => ({ stream: "records", seq, kind: "answer", data: { ...answer, rev: 1, device_id: "other", ...extra } });
const sorted = (xs) => [...xs].sort();

// ---- the SyncStore contract, for both stores ---------------------------------------------------

for (const [kind, make] of [
  ["MemoryStore", async () => new MemoryStore()],
  ["IdbStore", () => openIdb()],
]) {
  describe(`SyncStore contract: ${kind}`, () => {
    test("recordAnswer keeps the answer and its outbox entry, with client_seq counting up", async () => {
      const store = await make();
      assert.equal(await store.nextSeq(), 1);
      const a = payload();
      const entry = await store.recordAnswer(a, uuid7());
      assert.deepEqual(entry, { id: entry.id, client_seq: 1, kind: "answer", payload_version: 1, payload: a });
      const b = payload("next-step");
      await store.recordAnswer(b, uuid7());
      assert.equal(await store.outboxSize(), 2);
      assert.equal(await store.nextSeq(), 3);
      const own = (await store.answers()).filter((x) => x.mine);
      assert.deepEqual(sorted(own.map((x) => x.id)), sorted([a.id, b.id]));
      assert.deepEqual(await store.knownOnServerIds(), []);
    });

    test("record keeps an acknowledgement with its outbox entry; a kind or version the app does not record is refused", async () => {
      const store = await make();
      await store.recordAnswer(payload(), uuid7());
      const ack = acknowledgement("the-value-wedge");
      const mutationId = uuid7();
      const entry = await store.record("acknowledgement", 1, ack, mutationId);
      assert.deepEqual(entry, { id: mutationId, client_seq: 2, kind: "acknowledgement", payload_version: 1, payload: ack });
      assert.deepEqual([...(await store.nuggetsDone())], ["the-value-wedge"]);
      await assert.rejects(store.record("acknowledgement", 1, ack, uuid7()), /recorded already/);
      await assert.rejects(store.record("acknowledgement", 5, acknowledgement("x"), uuid7()), TypeError);
      await assert.rejects(store.record("observation", 1, { id: uuid7() }, uuid7()), TypeError);
      assert.equal(await store.outboxSize(), 2);
      assert.equal(await store.nextSeq(), 3);
      // Acknowledging it is the same as for an answer; it is never taken for an answer.
      assert.equal(await store.ackThrough(2), 2);
      assert.equal((await store.knownOnServerIds()).length, 1);
      assert.deepEqual([...(await store.nuggetsDone())], ["the-value-wedge"]);
    });

    test("applyPullPage applies acknowledgements, keeps observations and sessions as sent, skips unknown kinds and moves the cursor past them", async () => {
      const store = await make();
      const ackData = { ...acknowledgement("the-value-wedge"), user_id: "u1", device_id: "other" };
      const observation = { id: uuid7(), rev: 2, author_id: "coach", rep_id: "u1", shared: true, fields: { observed_on: "2026-12-01" }, conflicts: {}, created_at: "2026-12-01T09:00:00.000Z", updated_at: "2026-12-01T09:05:00.000Z" };
      const session = { id: uuid7(), rev: 1, moderator_id: "coach", team_id: "demo", case_owner_id: "u1", stage: 1, fields: { held_on: "2026-12-01", stage: 1 }, conflicts: {}, created_at: "2026-12-01T09:00:00.000Z", updated_at: "2026-12-01T09:00:00.000Z" };
      await store.applyPullPage({
        changes: [
          { stream: "records", seq: 7, kind: "acknowledgement", data: ackData },
          { stream: "records", seq: 8, kind: "observation", data: { ...observation, rev: 1 } },
          { stream: "records", seq: 9, kind: "badge", data: { id: "b1", shiny: true } },
          { stream: "records", seq: 10, kind: "observation", data: observation },
          { stream: "records", seq: 11, kind: "session", data: session },
        ],
        cursors: { content: 0, records: 11 },
        ackedThrough: 0,
        reset: [],
        content: null,
      });
      assert.deepEqual(await store.getCursors(), { content: 0, records: 11 });
      assert.deepEqual([...(await store.nuggetsDone())], ["the-value-wedge"]);
      assert.deepEqual(await store.pulledRecords("session"), [{ kind: "session", id: session.id, seq: 11, data: session }]);
      assert.deepEqual(await store.pulledRecords("observation"), [{ kind: "observation", id: observation.id, seq: 10, data: observation }]);
      assert.deepEqual(await store.pulledRecords("badge"), []);
      assert.deepEqual(await store.answers(), []);
    });

    test("recording the same answer id twice fails and changes nothing", async () => {
      const store = await make();
      const a = payload();
      await store.recordAnswer(a, uuid7());
      await assert.rejects(store.recordAnswer(a, uuid7()));
      assert.equal(await store.outboxSize(), 1);
      assert.equal(await store.nextSeq(), 2);
    });

    test("outboxBatch gives the first entries in client_seq order, as copies", async () => {
      const store = await make();
      for (let i = 0; i < 5; i++) await store.recordAnswer(payload(), uuid7());
      const batch = await store.outboxBatch(3);
      assert.deepEqual(batch.map((e) => e.client_seq), [1, 2, 3]);
      batch[0].payload.choice.push(9);
      assert.deepEqual((await store.outboxBatch(1))[0].payload.choice, [2]);
      assert.deepEqual(await store.outboxBatch(0), []);
    });

    test("ackThrough deletes entries at or below it; their answers are on the server unless rejected", async () => {
      const store = await make();
      const entries = [];
      for (let i = 0; i < 4; i++) entries.push(await store.recordAnswer(payload(), uuid7()));
      const rejection = { kind: "answer", recordId: entries[1].payload.id, mutationId: entries[1].id, clientSeq: 2, reason: "option 9 does not exist", questionId: "who-else" };
      assert.equal(await store.ackThrough(3, [rejection]), 3);
      assert.deepEqual((await store.outboxBatch(10)).map((e) => e.client_seq), [4]);
      assert.deepEqual(sorted(await store.knownOnServerIds()), sorted([entries[0].payload.id, entries[2].payload.id]));
      assert.deepEqual(await store.rejected(), [rejection]);
      assert.equal(await store.ackThrough(3), 0, "acking again deletes nothing");
      assert.equal(await store.nextSeq(), 5, "acks never lower the next client_seq");
    });

    test("renumberOutbox keeps ids, payloads and order, with consecutive seqs from the given one", async () => {
      const store = await make();
      for (let i = 0; i < 3; i++) await store.recordAnswer(payload(), uuid7());
      await store.ackThrough(1);
      const before = await store.outboxBatch(10);
      await store.renumberOutbox(1);
      const after = await store.outboxBatch(10);
      assert.deepEqual(after.map((e) => e.client_seq), [1, 2]);
      assert.deepEqual(after.map((e) => [e.id, e.payload]), before.map((e) => [e.id, e.payload]));
      assert.equal(await store.nextSeq(), 3);
    });

    test("applyPullPage stores records, cursors, content and acks in one step", async () => {
      const store = await make();
      const mine = payload();
      await store.recordAnswer(mine, uuid7());
      await store.recordAnswer(payload(), uuid7());
      const theirs = payload("next-step");
      const s1 = step(NEW, DEC_1, true, settingsFor("fsrs"));
      await store.applyPullPage({
        changes: [answerChange(10, mine, { device_id: "me" }), answerChange(11, theirs), progressChange(12, "who-else", s1)],
        cursors: { content: 1, records: 12 },
        ackedThrough: 1,
        reset: [],
        content: { version: 1, etag: '"v1"', snapshot: snapshot(1) },
      });
      assert.deepEqual(await store.getCursors(), { content: 1, records: 12 });
      assert.equal(await store.outboxSize(), 1);
      assert.deepEqual(sorted(await store.knownOnServerIds()), sorted([mine.id, theirs.id]));
      const own = (await store.answers()).find((a) => a.id === mine.id);
      assert.deepEqual(own.payload, mine, "an own answer keeps its payload when pulled back");
      assert.equal(own.mine, true);
      assert.equal((await store.answers()).find((a) => a.id === theirs.id).mine, false);
      assert.equal((await store.progressOf("who-else")).due_day, s1.due_day);
      assert.equal((await store.content()).version, 1);
      // An older progress change (lower seq) never replaces a newer one.
      const s0 = step(NEW, DEC_1, false, settingsFor("fsrs"));
      await store.applyPullPage({ changes: [progressChange(5, "who-else", s0)], cursors: { content: 1, records: 12 }, ackedThrough: 0, reset: [], content: null });
      assert.equal((await store.progressOf("who-else")).stability, s1.stability);
    });

    test("heal helpers: forget own answers on the server, find the missing ones, requeue them once", async () => {
      const store = await make();
      const a = payload();
      const b = payload();
      const c = payload();
      for (const x of [a, b, c]) await store.recordAnswer(x, uuid7());
      const theirs = payload("next-step");
      await store.applyPullPage({ changes: [answerChange(3, theirs)], cursors: { content: 0, records: 3 }, ackedThrough: 2, reset: [], content: null });
      await store.ackThrough(2, []);
      assert.deepEqual(sorted(await store.knownOnServerIds()), sorted([a.id, b.id, theirs.id]));
      await store.beginHeal();
      assert.deepEqual(await store.getCursors(), { content: 0, records: 0 });
      assert.deepEqual(await store.knownOnServerIds(), [theirs.id], "pulled answers of other devices stay known");
      // c is still queued, so only a and b are missing; oldest first.
      assert.deepEqual(await store.missingOwnAnswerIds(), [a.id, b.id]);
      let n = 0;
      const ids = [uuid7(), uuid7()];
      const requeued = await store.requeue([b.id, a.id, c.id], () => ids[n++]);
      assert.deepEqual(requeued.map((e) => [e.id, e.client_seq, e.payload.id]), [[ids[0], 4, a.id], [ids[1], 5, b.id]]);
      assert.deepEqual(await store.missingOwnAnswerIds(), []);
      assert.deepEqual(await store.requeue([a.id], () => uuid7()), [], "a queued answer is not queued twice");
      // A rejected answer is never missing.
      await store.ackThrough(5, [{ kind: "answer", recordId: b.id, mutationId: ids[1], clientSeq: 5, reason: "no", questionId: "who-else" }]);
      await store.beginHeal();
      assert.ok(!(await store.missingOwnAnswerIds()).includes(b.id));
    });
  });
}

// ---- the IndexedDB store only -------------------------------------------------------------------

/** Make the next IndexedDB `add`/`put` on `storeName` fail as a full disk does. */
function failNextWrite(storeName) {
  const proto = globalThis.IDBObjectStore.prototype;
  const original = { add: proto.add, put: proto.put };
  const restore = () => Object.assign(proto, original);
  for (const method of ["add", "put"]) {
    proto[method] = function (...args) {
      if (this.name !== storeName) return original[method].apply(this, args);
      restore();
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  }
  return restore;
}

/** The IndexedDB transactions `work` opens: [{stores, mode, options}]. */
async function transactionsOf(work) {
  const seen = [];
  const original = globalThis.IDBDatabase.prototype.transaction;
  globalThis.IDBDatabase.prototype.transaction = function (stores, mode, options) {
    seen.push({ stores: [].concat(stores), mode, options });
    return original.call(this, stores, mode, options);
  };
  try {
    await work();
  } finally {
    globalThis.IDBDatabase.prototype.transaction = original;
  }
  return seen;
}

describe("IdbStore", () => {
  test("recordAnswer is one strict transaction: answer and outbox entry together or not at all", async () => {
    const store = await openIdb();
    const seen = await transactionsOf(() => store.recordAnswer(payload(), uuid7()));
    assert.equal(seen.length, 1, "one transaction");
    assert.equal(seen[0].mode, "readwrite");
    assert.deepEqual(seen[0].options, { durability: "strict" });
    assert.ok(seen[0].stores.includes("answers") && seen[0].stores.includes("outbox"));

    // The outbox write fails (storage full): the answer is not kept either, nothing before is lost.
    const before = await store.answers();
    const restore = failNextWrite("outbox");
    try {
      await assert.rejects(store.recordAnswer(payload(), uuid7()), (err) => err instanceof StorageFullError && /storage is full/.test(err.message));
    } finally {
      restore();
    }
    assert.deepEqual(await store.answers(), before);
    assert.equal(await store.outboxSize(), 1);
    assert.equal(await store.nextSeq(), 2);
    // And the next answer works once there is room again.
    await store.recordAnswer(payload(), uuid7());
    assert.equal(await store.outboxSize(), 2);
  });

  test("recording an acknowledgement is one strict transaction too; a full disk keeps neither half", async () => {
    const store = await openIdb();
    const seen = await transactionsOf(() => store.record("acknowledgement", 1, acknowledgement("a"), uuid7()));
    assert.equal(seen.length, 1, "one transaction");
    assert.deepEqual(seen[0].options, { durability: "strict" });
    assert.deepEqual(sorted(seen[0].stores), ["acknowledgements", "meta", "outbox"]);
    const restore = failNextWrite("outbox");
    try {
      await assert.rejects(store.record("acknowledgement", 1, acknowledgement("b"), uuid7()), StorageFullError);
    } finally {
      restore();
    }
    assert.deepEqual([...(await store.nuggetsDone())], ["a"]);
    assert.equal(await store.outboxSize(), 1);
  });

  test("a full disk during a pull keeps the page out entirely; the outbox stays", async () => {
    const store = await openIdb();
    await store.recordAnswer(payload(), uuid7());
    const restore = failNextWrite("progress");
    try {
      await assert.rejects(
        store.applyPullPage({ changes: [progressChange(2, "who-else", step(NEW, DEC_1, true, settingsFor("fsrs")))], cursors: { content: 0, records: 2 }, ackedThrough: 1, reset: [], content: null }),
        StorageFullError,
      );
    } finally {
      restore();
    }
    assert.deepEqual(await store.getCursors(), { content: 0, records: 0 });
    assert.equal(await store.outboxSize(), 1);
  });

  test("everything survives closing and reopening", async () => {
    const name = dbName();
    let store = await openIdb(name);
    await store.saveContent(snapshot(1));
    const a = payload();
    await store.recordAnswer(a, uuid7());
    await store.setSetting("user", "rep@example.com");
    const device = await store.deviceId();
    store.close();
    store = await openIdb(name);
    assert.equal((await store.outboxBatch(5))[0].payload.id, a.id);
    assert.equal(await store.nextSeq(), 2);
    assert.equal((await store.content()).version, 1);
    assert.equal((await store.settings()).user, "rep@example.com");
    assert.equal(await store.deviceId(), device);
    assert.equal((await store.states(["who-else"])).get("who-else").reps, 1);
  });

  test("a schema upgrade keeps the outbox, the answers and the next client_seq", async () => {
    const name = dbName();
    // An app of schema version 1 recorded two answers and never synced them.
    const old = await openDB(name, 1, { upgrade });
    const answers = [payload(), payload("next-step")];
    const tx = old.transaction(["answers", "outbox", "meta"], "readwrite");
    for (const [i, a] of answers.entries()) {
      await tx.objectStore("answers").put({ id: a.id, question_id: a.question_id, mine: true, payload: a, server: null, onServer: false, rev: 1, day: a.local_day, answered_at: a.answered_at, correct: a.correct });
      await tx.objectStore("outbox").put({ id: uuid7(), client_seq: i + 7, kind: "answer", payload_version: 1, payload: a });
    }
    await tx.objectStore("meta").put({ key: "next_seq", value: 9 });
    await tx.done;
    old.close();

    const store = await openIdb(name);
    assert.ok(SCHEMA_VERSION > 1);
    assert.deepEqual((await store.outboxBatch(10)).map((e) => [e.client_seq, e.payload]), [[7, answers[0]], [8, answers[1]]]);
    assert.equal(await store.nextSeq(), 9);
    assert.equal((await store.states(["next-step"])).get("next-step").reps, 1, "the new index finds old answers");
    await store.recordAnswer(payload(), uuid7());
    assert.equal((await store.outboxBatch(10)).at(-1).client_seq, 9);
  });

  test("content: a checked, newer snapshot replaces the old one; corrupt, partial or older ones never do", async () => {
    const store = await openIdb();
    assert.equal(await store.content(), null);
    assert.deepEqual(await store.saveContent(snapshot(2), { etag: '"e2"' }), { saved: true, version: 2, problems: [] });
    assert.deepEqual(await store.getCursors(), { content: 2, records: 0 });
    const bad = [
      null,
      { ...snapshot(3), version: "3" },
      { ...snapshot(3), questions: undefined },
      snapshot(3, { questions: [question("who-else", { correct: 4 })], campaigns: [] }),
      snapshot(3, { questions: [question("who-else", { options: ["only one"] })], campaigns: [] }),
      snapshot(3, { questions: [question("who-else", { stem_html: "" })], campaigns: [] }),
      snapshot(3, { questions: [question("who-else"), question("who-else")], campaigns: [] }),
      snapshot(3, { campaigns: [campaign("c", ["not-there"])] }),
      snapshot(3, { campaigns: [campaign("c", ["who-else"], { repeat: "sometimes" })] }),
      snapshot(1),
    ];
    for (const doc of bad) {
      const result = await store.saveContent(doc);
      assert.equal(result.saved, false, JSON.stringify(doc)?.slice(0, 80));
      assert.ok(result.problems.length);
    }
    assert.match((await store.contentError()).problems[0], /older/);
    assert.equal((await store.content()).version, 2);
    assert.equal((await store.content()).etag, '"e2"');
    assert.deepEqual(await store.getCursors(), { content: 2, records: 0 });
    assert.equal((await store.saveContent(snapshot(2))).saved, false, "the same version again is a no-op");
  });

  test("a corrupt snapshot in a pull page: the records apply, the content cursor stays", async () => {
    const store = await openIdb();
    await store.saveContent(snapshot(1));
    const theirs = payload();
    await store.applyPullPage({
      changes: [answerChange(1, theirs)],
      cursors: { content: 2, records: 1 },
      ackedThrough: 0,
      reset: [],
      content: { version: 2, etag: null, snapshot: { version: 2, questions: [] } },
    });
    assert.deepEqual(await store.getCursors(), { content: 1, records: 1 });
    assert.equal((await store.content()).version, 1);
    assert.deepEqual(await store.knownOnServerIds(), [theirs.id]);
    assert.match((await store.contentError()).problems.join(" "), /no .* list/);
  });

  test("a version that drops a question keeps that question's answers", async () => {
    const store = await openIdb();
    await store.saveContent(snapshot(1));
    const a = payload("pick-two", { choice: [1, 2] });
    await store.recordAnswer(a, uuid7());
    const v2 = snapshot(2, { questions: [question("who-else")], campaigns: [campaign("basics", ["who-else"])] });
    assert.equal((await store.saveContent(v2)).saved, true);
    assert.deepEqual((await store.answers()).map((x) => x.id), [a.id]);
    assert.equal(await store.outboxSize(), 1);
    assert.equal((await store.states(["pick-two"])).get("pick-two").reps, 1);
  });

  test("progress: provisional after an answer, the server's on pull, unsynced answers on top", async () => {
    const store = await openIdb();
    const classic = snapshot(1, { campaigns: [campaign("basics", ["who-else", "next-step", "pick-two"], { repeat: "classic" })] });
    await store.saveContent(classic);
    const settings = settingsFor("classic");
    const first = payload("who-else", { correct: false, choice: [1] });
    await store.recordAnswer(first, uuid7());
    let state = (await store.states(["who-else"])).get("who-else");
    assert.equal(state.due_day, DEC_1 + 12, "classic: a wrong answer comes back in 12 days");

    // The server replayed it (same result) and another device's answer on a later day.
    const server1 = step(NEW, DEC_1, false, settings);
    const other = payload("who-else", { day: DEC_1 + 12, correct: true });
    const server2 = step(server1, DEC_1 + 12, true, settings);
    // Meanwhile this device answered again, offline, on day +13.
    const mine2 = payload("who-else", { day: DEC_1 + 13, correct: true });
    await store.recordAnswer(mine2, uuid7());
    await store.applyPullPage({
      changes: [answerChange(1, first, { device_id: "me" }), progressChange(2, "who-else", server1), answerChange(3, other), progressChange(4, "who-else", server2)],
      cursors: { content: 1, records: 4 },
      ackedThrough: 1,
      reset: [],
      content: null,
    });
    state = (await store.states(["who-else"])).get("who-else");
    assert.deepEqual(state, step(server2, DEC_1 + 13, true, settings), "server state, then the unsynced answer on top");
    assert.equal(state.retired, true, "two right in a row retire it under classic");
    assert.equal(await store.disagreements(), 0);
  });

  test("a provisional state that differs from the server's is counted once, then reported", async () => {
    const store = await openIdb();
    await store.saveContent(snapshot(1));
    const a = payload("who-else", { correct: true });
    await store.recordAnswer(a, uuid7());
    // The server overruled `correct` (its content said otherwise), so its replay differs.
    const server = step(NEW, DEC_1, false, settingsFor("fsrs"));
    const page = { changes: [answerChange(1, a, { correct: false }), progressChange(2, "who-else", server)], cursors: { content: 1, records: 2 }, ackedThrough: 1, reset: [], content: null };
    await store.applyPullPage(page);
    assert.equal(await store.disagreements(), 1);
    assert.deepEqual((await store.states(["who-else"])).get("who-else"), replay([{ id: a.id, day: DEC_1, answered_at: a.answered_at, correct: false }], settingsFor("fsrs")));
    await store.applyPullPage({ changes: [], cursors: { content: 1, records: 2 }, ackedThrough: 1, reset: [], content: null, disagreementsReported: 1 });
    assert.equal(await store.disagreements(), 0);
  });

  test("answers to an older epoch do not count once a question restarts", async () => {
    const store = await openIdb();
    await store.saveContent(snapshot(1));
    await store.recordAnswer(payload("who-else"), uuid7());
    const v2 = snapshot(2, { questions: [question("who-else", { rev: 2, epoch: 2 }), question("next-step"), question("pick-two", { correct: [1, 2] })] });
    await store.saveContent(v2);
    assert.equal((await store.states(["who-else"])).get("who-else").reps, 0);
  });

  test("signing in as someone else: refused while their answers wait, else a fresh device", async () => {
    const store = await openIdb();
    assert.deepEqual(await store.signIn("a@example.com"), { ok: true });
    const device = await store.deviceId();
    await store.recordAnswer(payload(), uuid7());
    assert.deepEqual(await store.signIn("b@example.com"), { ok: false, unsynced: 1, user: "a@example.com" });
    assert.equal((await store.settings()).user, "a@example.com");
    assert.deepEqual(await store.signIn("a@example.com"), { ok: true }, "the same user again is fine");
    await store.ackThrough(1);
    assert.deepEqual(await store.signIn("b@example.com", () => "new-device"), { ok: true });
    assert.equal(await store.deviceId(), "new-device");
    assert.notEqual(device, "new-device");
    assert.deepEqual(await store.answers(), []);
    assert.equal(await store.nextSeq(), 1);
    assert.equal((await store.settings()).user, "b@example.com");
  });
});

describe("checkSnapshot", () => {
  test("accepts the fixture library and refuses what the app could not use", () => {
    assert.deepEqual(checkSnapshot(snapshot(1)), []);
    assert.deepEqual(checkSnapshot(snapshot(3), { currentVersion: 3 }), []);
    assert.match(checkSnapshot(snapshot(2), { currentVersion: 3 })[0], /older/);
    assert.match(checkSnapshot([])[0], /not a JSON object/);
    assert.match(checkSnapshot({ ...snapshot(1), campaigns: null }).join(), /no campaigns list/);
    assert.match(checkSnapshot(snapshot(1, { questions: [question("q", { epoch: 2 })], campaigns: [] })).join(), /epoch/);
    assert.match(checkSnapshot(snapshot(1, { questions: [question("q", { correct: [1, 1] })], campaigns: [] })).join(), /correct/);
    assert.match(checkSnapshot(snapshot(1, { campaigns: [campaign("c", ["who-else"], { daily_cap: 0 })] })).join(), /daily_cap/);
    // A campaign's end and pauses are dates; a snapshot published before them has neither.
    const days = { end: "2027-01-31", pauses: [{ from: "2026-12-24", to: "2027-01-01" }] };
    assert.deepEqual(checkSnapshot(snapshot(1, { campaigns: [campaign("c", ["who-else"], days)] })), []);
    assert.match(checkSnapshot(snapshot(1, { campaigns: [campaign("c", ["who-else"], { end: "soon" })] })).join(), /end that is not a date/);
    assert.match(checkSnapshot(snapshot(1, { campaigns: [campaign("c", ["who-else"], { pauses: [{ from: "2026-12-24" }] })] })).join(), /pauses/);
    assert.match(checkSnapshot(snapshot(1, { campaigns: [campaign("c", ["who-else"], { pauses: "xmas" })] })).join(), /pauses/);
  });

  test("accepts a library with rubrics (and one published before rubrics), refuses a broken rubric", () => {
    const levels = { 1: "Pitches first", 2: "Asks one question", 3: "Asks before presenting", 4: "Builds on their goals" };
    const behaviour = (id, extra = {}) => ({ id, text: `Behaviour ${id}`, levels, questions: ["who-else"], refreshers: [], ...extra });
    const rubric = (extra = {}) => ({ id: "discovery", competency: "needs-analysis", language: "en", title: "Discovery", rev: 1, behaviours: [behaviour("a"), behaviour("b"), behaviour("c")], ...extra });
    assert.deepEqual(checkSnapshot({ ...snapshot(1), rubrics: [rubric()] }), []);
    const { rubrics: _none, ...older } = { ...snapshot(1) };
    assert.deepEqual(checkSnapshot(older), []);
    assert.match(checkSnapshot({ ...snapshot(1), rubrics: "none" }).join(), /rubrics are not a list/);
    assert.match(checkSnapshot({ ...snapshot(1), rubrics: [rubric({ behaviours: [] })] }).join(), /rubric discovery has no behaviours/);
    const three = { 1: "a", 2: "b", 3: "c" };
    assert.match(checkSnapshot({ ...snapshot(1), rubrics: [rubric({ behaviours: [behaviour("a", { levels: three })] })] }).join(), /behaviour a does not describe levels 1 to 4/);
    assert.match(checkSnapshot({ ...snapshot(1), rubrics: [rubric({ behaviours: [behaviour("a", { levels: { ...levels, 4: "" } })] })] }).join(), /levels 1 to 4/);
    assert.match(checkSnapshot({ ...snapshot(1), rubrics: [rubric({ behaviours: [behaviour("a", { questions: [3] })] })] }).join(), /questions that are not ids/);
  });
});

// ---- the learner's plan (docs/sync.md "The plan"), kept by both stores ----------------------------

for (const [kind, make] of [
  ["MemoryStore", async () => new MemoryStore()],
  ["IdbStore", () => openIdb()],
]) {
  test(`${kind}: a pull's plan is kept; a page without one, or a malformed one, leaves it`, async () => {
    const store = await make();
    const page = (plan) => ({ changes: [], cursors: { content: 0, records: 0 }, ackedThrough: 0, reset: [], content: null, plan });
    assert.equal(await store.plan(), null, "no plan before the first pull");
    const plan = { daily_limit: 4, campaigns: [{ campaign_id: "basics", start_day: DEC_1 }] };
    await store.applyPullPage(page({ ...plan, extra: "ignored" }));
    assert.deepEqual(await store.plan(), plan);
    await store.applyPullPage(page(null)); // an older server
    await store.applyPullPage(page({ daily_limit: 0, campaigns: [] }));
    await store.applyPullPage(page({ daily_limit: 3, campaigns: [{ campaign_id: 7, start_day: DEC_1 }] }));
    assert.deepEqual(await store.plan(), plan);
    const none = { daily_limit: 3, campaigns: [] }; // in no campaign's audience any more
    await store.applyPullPage(page(none));
    assert.deepEqual(await store.plan(), none);
  });
}

test("IdbStore: another learner signing in forgets the previous learner's plan", async () => {
  const store = await openIdb();
  assert.deepEqual(await store.signIn("ann@example.com"), { ok: true });
  const plan = { daily_limit: 5, campaigns: [{ campaign_id: "basics", start_day: DEC_1 }] };
  await store.applyPullPage({ changes: [], cursors: { content: 0, records: 0 }, ackedThrough: 0, reset: [], content: null, plan });
  assert.deepEqual(await store.signIn("ann@example.com"), { ok: true });
  assert.deepEqual(await store.plan(), plan, "the same learner keeps it");
  assert.deepEqual(await store.signIn("bo@example.com"), { ok: true });
  assert.equal(await store.plan(), null);
});
