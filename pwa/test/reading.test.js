// Tests for the reading screens' logic: refresher search (src/refresher-search.js) over the demo
// library's refreshers, the library helpers (src/library.js), the headline numbers (src/stats.js),
// and nuggets marked as done: acknowledgements recorded through the SyncClient into the IndexedDB
// store (src/store.js, on fake-indexeddb), and the upgrade that keeps what was marked before.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";

import { refresherIndex, stem } from "../src/refresher-search.js";
import { competencyName, groupByCompetency, htmlToText, inLanguage, splitByLanguage } from "../src/library.js";
import { streak, summary } from "../src/stats.js";
import { IdbStore } from "../src/store.js";
import { upgrade } from "../src/db/schema.js";
import { SyncClient } from "../src/sync/client.js";
import { today } from "../src/study-plan.js";
import { uuid7, UUID7_PATTERN } from "../src/uuid7.js";

// The demo library's competencies, nuggets and refreshers, as GET /content/snapshot serves them.
const demo = JSON.parse(readFileSync(new URL("./support/demo-reading.json", import.meta.url), "utf8"));

describe("refresher search", () => {
  const index = refresherIndex(inLanguage(demo.refreshers, "en"));
  const top = (query) => index.search(query)[0]?.id;

  test("sample queries find the refresher you would expect first", () => {
    assert.equal(top("who decides"), "how-to-find-who-else-decides");
    assert.equal(top("renewal"), "how-to-defend-an-account-at-renewal");
    assert.equal(top("lost deal"), "how-to-review-a-lost-deal-without-blame");
    assert.equal(top("intervision session"), "how-to-run-an-intervision-session-in-45-minutes");
  });

  test("prefix and fuzzy matching", () => {
    assert.equal(top("stakehold"), "how-to-find-who-else-decides"); // a prefix
    assert.equal(top("stakehoder"), "how-to-find-who-else-decides"); // a typo
    assert.equal(top("renwal"), "how-to-defend-an-account-at-renewal");
  });

  test("steps, tags and the body's text are searched, not only titles", () => {
    const byTag = index.search("cost of doing nothing").map((h) => h.id);
    assert.ok(byTag.includes("how-to-build-a-why-change-message"));
    const byStep = index.search("who pays who signs").map((h) => h.id);
    assert.equal(byStep[0], "how-to-find-who-else-decides");
    const byBody = index.search("decision-maker").map((h) => h.id); // only in the body
    assert.ok(byBody.includes("how-to-find-who-else-decides"));
  });

  test("words every refresher shares find nothing on their own", () => {
    assert.deepEqual(index.search("how do I"), []);
    assert.deepEqual(index.search("   "), []);
    assert.deepEqual(index.search("xylophone"), []);
  });

  test("results carry the refresher itself", () => {
    const [hit] = index.search("who decides");
    assert.equal(hit.refresher.id, hit.id);
    assert.ok(hit.refresher.steps.length > 0);
  });

  test("stems meet across word forms", () => {
    assert.equal(stem("decides"), stem("decision"));
    assert.equal(stem("decided"), stem("decide"));
    assert.equal(stem("who"), "who");
  });

  test("a Dutch learner searches the Dutch refreshers and the untranslated originals", () => {
    const nl = inLanguage(demo.refreshers, "nl");
    const ids = nl.map((r) => r.id);
    assert.ok(ids.includes("how-to-open-a-customer-meeting-nl"));
    assert.ok(!ids.includes("how-to-open-a-customer-meeting"));
    assert.ok(ids.includes("how-to-find-who-else-decides"));
    const hits = refresherIndex(nl).search("intervisie");
    assert.equal(hits[0]?.id, "how-to-run-an-intervision-session-in-45-minutes-nl");
  });
});

describe("library helpers", () => {
  test("a Dutch list: Dutch items, then only the originals that have no Dutch translation, apart", () => {
    const { mine, untranslated } = splitByLanguage(demo.nuggets, "nl");
    assert.ok(mine.length >= 2 && mine.every((n) => n.language === "nl"));
    assert.ok(untranslated.length > 0 && untranslated.every((n) => (n.language ?? "en") === "en"));
    const translated = new Set(mine.map((n) => n.translation_of));
    assert.ok(untranslated.every((n) => !translated.has(n.id)), "an original shown beside its translation");
    assert.equal(splitByLanguage(demo.nuggets, "en").untranslated.length, 0);
    assert.deepEqual(inLanguage(demo.nuggets, "nl"), [...mine, ...untranslated]);
  });

  test("HTML to text for searching", () => {
    assert.equal(htmlToText("<p>Say &quot;hi&quot; &amp; <em>wait</em></p>\n<ul><li>one</li></ul>"), 'Say "hi" & wait one');
  });

  test("competency names in the learner's language, groups in library order", () => {
    assert.equal(competencyName(demo, "qualification", "nl"), "Kwalificeren en het juiste moment voor een offerte");
    assert.equal(competencyName(demo, "qualification", "en"), "Qualification and timing the offer");
    assert.equal(competencyName(demo, "nope", "en"), "nope");
    const groups = groupByCompetency(demo, inLanguage(demo.nuggets, "en"), "en");
    const order = demo.competencies.map((c) => c.id);
    const ranks = groups.map((g) => order.indexOf(g.id));
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    assert.equal(groups.reduce((n, g) => n + g.items.length, 0), inLanguage(demo.nuggets, "en").length);
  });
});

describe("streak", () => {
  test("consecutive local days ending today", () => {
    assert.equal(streak([10, 11, 12, 12, 12], 12), 3);
  });
  test("ending yesterday still counts (today is not over)", () => {
    assert.equal(streak([9, 10, 11], 12), 3);
  });
  test("a gap breaks it; nothing since the day before yesterday is no streak", () => {
    assert.equal(streak([5, 6, 8, 9], 9), 2);
    assert.equal(streak([8, 9, 10], 12), 0);
    assert.equal(streak([], 12), 0);
  });
  test("answers in the future (a clock set back) do not extend it", () => {
    assert.equal(streak([11, 12, 13], 12), 2);
  });
});

describe("progress numbers", () => {
  const snapshot = {
    competencies: [{ id: "b", name: "Bee" }, { id: "a", name: "Aye", translations: { nl: { name: "Aa" } } }],
    questions: [
      { id: "q1", competency: "a", epoch: 1 },
      { id: "q2", competency: "a", epoch: 1 },
      { id: "q3", competency: "b", epoch: 3 },
      { id: "q4", competency: "a", epoch: 1 },
    ],
  };
  const answer = (id, question_id, correct, answered_at, fields = {}) => ({ id, question_id, correct, answered_at, day: 1, rev: 1, ...fields });

  test("summary: answers (repeats included), questions seen of all, retired, streak", () => {
    const answers = [answer("1", "q1", true, "x", { day: 11 }), answer("2", "q1", true, "y", { day: 12 }), answer("3", "q2", false, "z", { day: 12 })];
    const states = new Map([["q1", { retired: true, reps: 2 }], ["q2", { retired: false, reps: 1 }], ["q4", { retired: false, reps: 0 }]]);
    assert.deepEqual(summary(answers, states, 12), { answers: 3, seen: 2, total: 3, retired: 1, streak: 2 });
  });
});

describe("nuggets done: acknowledgements (IndexedDB store)", () => {
  let n = 0;
  const name = () => `recap-reading-${process.pid}-${++n}`;
  const DAY = 20423;
  /** A SyncClient over `store` whose clock is `clock.now` (no network is used). */
  const clientOf = (store, clock = { now: Date.UTC(2026, 11, 1, 9) }) =>
    new SyncClient({ baseUrl: "http://127.0.0.1:9/", store, deviceId: "d", getAuthHeader: async () => null, now: () => (clock.now += 1000) });
  const mark = (client, id, acknowledged = true) => client.acknowledge({ item_kind: "nugget", item_id: id, acknowledged, local_day: DAY });
  const pulled = (seq, data) => ({ stream: "records", seq, kind: "acknowledgement", data: { user_id: "u1", item_kind: "nugget", acknowledged: true, local_day: DAY, comment: null, device_id: "other", ...data } });

  test("marking a nugget done records an acknowledgement with its outbox entry, kept across reopening; undo is a new event", async () => {
    const db = name();
    let store = await IdbStore.open({ name: db });
    const client = clientOf(store);
    assert.deepEqual([...(await store.nuggetsDone())], []);
    const done = await mark(client, "the-value-wedge");
    await mark(client, "trigger-moments");
    assert.match(done.id, UUID7_PATTERN);
    assert.deepEqual({ ...done, id: null }, { id: null, item_kind: "nugget", item_id: "the-value-wedge", acknowledged: true, at: "2026-12-01T09:00:01.000Z", local_day: DAY, comment: null });
    store.close();
    store = await IdbStore.open({ name: db });
    assert.deepEqual([...(await store.nuggetsDone())].sort(), ["the-value-wedge", "trigger-moments"]);
    await mark(clientOf(store, { now: Date.UTC(2026, 11, 1, 10) }), "trigger-moments", false);
    assert.deepEqual([...(await store.nuggetsDone())], ["the-value-wedge"]);
    const outbox = await store.outboxBatch(10);
    assert.deepEqual(outbox.map((e) => [e.client_seq, e.kind, e.payload_version, e.payload.item_id, e.payload.acknowledged]), [
      [1, "acknowledgement", 1, "the-value-wedge", true],
      [2, "acknowledgement", 1, "trigger-moments", true],
      [3, "acknowledgement", 1, "trigger-moments", false],
    ]);
    store.close();
  });

  test("the state is each nugget's latest event by (at, id): own unsynced ones and pulled ones from other devices", async () => {
    const store = await IdbStore.open({ name: name() });
    const client = clientOf(store); // its events are at 09:00:01, 09:00:02, …
    const mine = await mark(client, "a");
    await mark(client, "b");
    await store.applyPullPage({
      changes: [
        pulled(1, { id: uuid7(), item_id: "a", acknowledged: false, at: "2026-12-01T08:00:00.000Z" }), // earlier: a stays done
        pulled(2, { id: uuid7(), item_id: "b", acknowledged: false, at: "2026-12-01T10:00:00.000Z" }), // later: b is undone
        pulled(3, { id: uuid7(), item_id: "c", at: "2026-12-01T07:00:00.000Z" }), // only elsewhere: c is done
      ],
      cursors: { content: 0, records: 3 },
      ackedThrough: 0,
      reset: [],
      content: null,
    });
    assert.deepEqual([...(await store.nuggetsDone())].sort(), ["a", "c"]);
    // An own event pulled back carries the server's effective time, which now decides.
    await store.applyPullPage({ changes: [pulled(4, { ...mine, at: "2026-12-01T07:30:00.000Z", device_id: "d" })], cursors: { content: 0, records: 4 }, ackedThrough: 1, reset: [], content: null });
    assert.deepEqual([...(await store.nuggetsDone())].sort(), ["c"]);
    // A tie on `at` falls to the higher id.
    const at = "2026-12-01T11:00:00.000Z";
    await store.applyPullPage({ changes: [pulled(5, { id: "0193a0c4-5e0f-7d11-8a2b-000000000002", item_id: "c", acknowledged: false, at }), pulled(6, { id: "0193a0c4-5e0f-7d11-8a2b-000000000001", item_id: "c", at })], cursors: { content: 0, records: 6 }, ackedThrough: 1, reset: [], content: null });
    assert.deepEqual([...(await store.nuggetsDone())], []);
    store.close();
  });

  test("an acknowledgement the server rejected counts for nothing, and blocks nothing", async () => {
    const store = await IdbStore.open({ name: name() });
    const client = clientOf(store);
    const gone = await mark(client, "no-longer-published");
    await mark(client, "kept");
    const [first] = await store.outboxBatch(1);
    await store.ackThrough(2, [{ kind: "acknowledgement", recordId: gone.id, mutationId: first.id, clientSeq: 1, reason: "there is no nugget 'no-longer-published' to acknowledge" }]);
    assert.equal(await store.outboxSize(), 0);
    assert.deepEqual([...(await store.nuggetsDone())], ["kept"]);
    assert.deepEqual((await store.rejected()).map((r) => [r.kind, r.recordId]), [["acknowledgement", gone.id]]);
    store.close();
  });

  test("an app of schema 3 upgrades: nuggets marked done stay done, as acknowledgements in the outbox, once", async () => {
    const db = name();
    // The previous app (schema 3): two nuggets done, an answer waiting to sync, a rejected answer.
    const old = await openDB(db, 3, { upgrade });
    const doneAt = "2026-11-20T08:30:00.000Z";
    await old.put("reading", { id: "the-value-wedge", kind: "nugget", done_at: doneAt });
    await old.put("reading", { id: "trigger-moments", kind: "nugget", done_at: "2026-11-21T19:00:00.000Z" });
    await old.put("outbox", { client_seq: 4, id: "m4", kind: "answer", payload_version: 1, payload: { id: "a4" } });
    await old.put("meta", { key: "next_seq", value: 5 });
    await old.put("rejections", { answerId: "a1", questionId: "who-else", mutationId: "m1", clientSeq: 1, reason: "option 9 does not exist" });
    old.close();

    let store = await IdbStore.open({ name: db });
    assert.deepEqual([...(await store.nuggetsDone())].sort(), ["the-value-wedge", "trigger-moments"]);
    const entries = await store.outboxBatch(10);
    assert.deepEqual(entries.map((e) => [e.client_seq, e.kind]), [[4, "answer"], [5, "acknowledgement"], [6, "acknowledgement"]]);
    const wedge = entries.find((e) => e.payload.item_id === "the-value-wedge");
    assert.equal(wedge.payload_version, 1);
    assert.match(wedge.payload.id, UUID7_PATTERN);
    assert.match(wedge.id, UUID7_PATTERN);
    assert.deepEqual({ ...wedge.payload, id: null, local_day: null }, { id: null, item_kind: "nugget", item_id: "the-value-wedge", acknowledged: true, at: doneAt, local_day: null, comment: null });
    assert.equal(wedge.payload.local_day, today(4, Date.parse(doneAt)), "the local day it was marked on");
    // The old rejection reads in the new shape.
    assert.deepEqual(await store.rejected(), [{ kind: "answer", recordId: "a1", questionId: "who-else", mutationId: "m1", clientSeq: 1, reason: "option 9 does not exist" }]);
    store.close();

    // Opening again turns nothing twice; the old rows are still there, each naming its event.
    store = await IdbStore.open({ name: db });
    assert.equal(await store.outboxSize(), 3);
    store.close();
    const raw = await openDB(db);
    assert.deepEqual((await raw.getAll("reading")).map((r) => [r.id, r.acknowledgement]), entries.slice(1).map((e) => [e.payload.item_id, e.payload.id]).sort());
    raw.close();
  });

  test("signing in as someone else forgets what the previous learner read, once it is synced", async () => {
    const store = await IdbStore.open({ name: name() });
    await store.signIn("a@example.com");
    await mark(clientOf(store), "the-value-wedge");
    assert.deepEqual(await store.signIn("b@example.com"), { ok: false, unsynced: 1, user: "a@example.com" });
    await store.ackThrough(1);
    assert.deepEqual((await store.signIn("b@example.com")).ok, true);
    assert.deepEqual([...(await store.nuggetsDone())], []);
    store.close();
  });
});
