// Tests for the reading screens' logic: refresher search (src/refresher-search.js) over the demo
// library's refreshers, the library helpers (src/library.js), progress numbers (src/stats.js),
// and nuggets marked as done in the IndexedDB store (src/store.js, on fake-indexeddb).
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";

import { refresherIndex, stem } from "../src/refresher-search.js";
import { competencyName, groupByCompetency, htmlToText, inLanguage } from "../src/library.js";
import { competencyBars, streak, summary } from "../src/stats.js";
import { IdbStore } from "../src/store.js";
import { upgrade } from "../src/db/schema.js";

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

  test("a bar per competency: questions whose most recent answer was right", () => {
    const answers = [
      answer("1", "q1", false, "2026-12-07T09:00:00Z"),
      answer("2", "q1", true, "2026-12-08T09:00:00Z"), // the latest: right
      answer("3", "q2", true, "2026-12-07T09:00:00Z"),
      answer("4", "q2", false, "2026-12-09T09:00:00Z"), // the latest: wrong
      answer("5", "q3", true, "2026-12-07T09:00:00Z", { rev: 3 }),
    ];
    const bars = competencyBars(snapshot, ["q1", "q2", "q3", "q4"], answers, "nl");
    assert.deepEqual(bars, [
      { id: "b", name: "Bee", total: 1, right: 1, answered: 1 },
      { id: "a", name: "Aa", total: 3, right: 1, answered: 2 },
    ]);
  });

  test("answers to an older epoch of a question do not count", () => {
    const bars = competencyBars(snapshot, ["q3"], [answer("1", "q3", true, "2026-12-07T09:00:00Z", { rev: 2 })], "en");
    assert.deepEqual(bars, [{ id: "b", name: "Bee", total: 1, right: 0, answered: 0 }]);
  });

  test("only the learner's questions make bars", () => {
    assert.deepEqual(competencyBars(snapshot, ["q3", "gone"], [], "en").map((b) => b.id), ["b"]);
  });

  test("summary: answers, questions, retired, streak", () => {
    const answers = [answer("1", "q1", true, "x", { day: 11 }), answer("2", "q1", true, "y", { day: 12 }), answer("3", "q2", false, "z", { day: 12 })];
    const states = new Map([["q1", { retired: true }], ["q2", { retired: false }]]);
    assert.deepEqual(summary(answers, states, 12), { answers: 3, questions: 2, retired: 1, streak: 2 });
  });
});

describe("nuggets done (IndexedDB store)", () => {
  let n = 0;
  const name = () => `recap-reading-${process.pid}-${++n}`;

  test("marking a nugget done is kept across reopening, and can be undone", async () => {
    const db = name();
    let store = await IdbStore.open({ name: db });
    assert.deepEqual([...(await store.nuggetsDone())], []);
    await store.setNuggetDone("the-value-wedge");
    await store.setNuggetDone("trigger-moments");
    store.close();
    store = await IdbStore.open({ name: db });
    assert.deepEqual([...(await store.nuggetsDone())].sort(), ["the-value-wedge", "trigger-moments"]);
    await store.setNuggetDone("trigger-moments", false);
    assert.deepEqual([...(await store.nuggetsDone())], ["the-value-wedge"]);
    store.close();
  });

  test("the upgrade that adds the reading store keeps the outbox", async () => {
    const db = name();
    const old = await openDB(db, 2, { upgrade: (d, from, to, tx) => upgrade(d, from, to, tx) });
    await old.put("outbox", { client_seq: 1, id: "m1", kind: "answer", payload: { id: "a1" } });
    old.close();
    const store = await IdbStore.open({ name: db });
    assert.equal(await store.outboxSize(), 1);
    await store.setNuggetDone("x");
    assert.deepEqual([...(await store.nuggetsDone())], ["x"]);
    store.close();
  });

  test("signing in as someone else forgets what the previous learner read", async () => {
    const store = await IdbStore.open({ name: name() });
    await store.signIn("a@example.com");
    await store.setNuggetDone("the-value-wedge");
    assert.deepEqual((await store.signIn("b@example.com")).ok, true);
    assert.deepEqual([...(await store.nuggetsDone())], []);
    store.close();
  });
});
