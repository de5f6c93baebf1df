// Tests for the rep's day: today's queue kept once shown (study-plan.js keptQueue, through the
// study session and the real IndexedDB store), and the day's numbers (day-summary.js).
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { campaignsFor, keptQueue, todaysQueue } from "../src/study-plan.js";
import { comingBack, daysThisWeek, standing, weekStart, WEEKLY_GOAL } from "../src/day-summary.js";
import { StudySession } from "../src/study-session.js";
import { IdbStore } from "../src/store.js";
import { NEW, settingsFor, step } from "../src/scheduler.js";
import { snapshot, question, campaign } from "./support/snapshot.js";

const DAY = 20_800;
const answered = (day) => step(NEW, day, true, settingsFor("fsrs"));
const ids = (items) => items.map((i) => i.questionId);

/** The queue kept for `day` from `pin`, with the library `doc` and `states` as they are now. */
function kept(pin, doc, states = new Map(), { day = DAY, limit = 3, language = "en", planned = true } = {}) {
  const campaigns = campaignsFor(doc, language, null);
  const fresh = todaysQueue(doc, campaigns, states, day, limit);
  return keptQueue(pin, fresh, { snapshot: doc, campaigns, states, day, limit, language, planned });
}

describe("today's queue, once shown, stays for the day", () => {
  const library = (questions, more = {}) => snapshot(1, { questions: questions.map((id) => question(id)), campaigns: [campaign("a", questions, { daily_cap: 3, start: null, ...more })] });
  const first = kept(null, library(["q1", "q2", "q3", "q4"]));

  test("the first queue shown is pinned", () => {
    assert.deepEqual(ids(first.items), ["q1", "q2", "q3"]);
    assert.deepEqual(first.pin, { day: DAY, language: "en", planned: true, items: ["q1", "q2", "q3"].map((q) => ({ questionId: q, campaignId: "a" })) });
  });

  test("a question published mid-day does not replace the pending ones", () => {
    const states = new Map([["q1", answered(DAY)]]);
    const later = library(["new", "q1", "q2", "q3", "q4"]);
    assert.deepEqual(ids(kept(null, later, states).items), ["new", "q2"], "computed afresh, the new question comes first");
    const { items, pin } = kept(first.pin, later, states);
    assert.deepEqual(ids(items), ["q2", "q3"]);
    assert.equal(pin, first.pin, "the pin is kept as it was");
  });

  test("a withdrawn question drops out, and today's next question takes its place at the end", () => {
    const gone = snapshot(1, { questions: ["q1", "q3", "q4", "q5"].map((id) => question(id)), campaigns: [campaign("a", ["q1", "q3", "q4", "q5"], { daily_cap: 3, start: null })] });
    const once = kept(first.pin, gone);
    assert.deepEqual(ids(once.items), ["q1", "q3", "q4"]);
    assert.deepEqual(once.pin.items.map((i) => i.questionId), ["q1", "q3", "q4"], "the replacement is kept too");
    assert.deepEqual(ids(kept(once.pin, gone).items), ["q1", "q3", "q4"], "and replaces nothing more the next time");
    const outOfCampaign = snapshot(1, { questions: ["q1", "q2", "q3", "q4"].map((id) => question(id)), campaigns: [campaign("a", ["q1", "q3", "q4"], { daily_cap: 3, start: null })] });
    assert.deepEqual(ids(kept(first.pin, outOfCampaign).items), ["q1", "q3", "q4"]);
    // An answered question that is withdrawn afterwards frees no place: the day had it.
    const states = new Map([["q2", answered(DAY)]]);
    assert.deepEqual(ids(kept(first.pin, gone, states).items), ["q1", "q3"]);
  });

  test("answered today, here or elsewhere, drops out; the total limit still holds", () => {
    const doc = library(["q1", "q2", "q3", "q4"]);
    assert.deepEqual(ids(kept(first.pin, doc, new Map([["q2", answered(DAY)]])).items), ["q1", "q3"]);
    // Two questions of another campaign answered on another device today: room for one more.
    const states = new Map([["x1", answered(DAY)], ["x2", answered(DAY)]]);
    assert.deepEqual(ids(kept(first.pin, doc, states).items), ["q1"]);
  });

  test("another day, another language, or the server's first plan: the queue as computed now", () => {
    const doc = library(["new", "q1", "q2", "q3"]);
    assert.deepEqual(ids(kept(first.pin, doc, new Map(), { day: DAY + 1 }).items), ["new", "q1", "q2"]);
    assert.deepEqual(ids(kept({ ...first.pin, language: "nl" }, doc).items), ["new", "q1", "q2"]);
    assert.deepEqual(ids(kept({ ...first.pin, planned: false }, doc).items), ["new", "q1", "q2"]);
    assert.deepEqual(ids(kept({ ...first.pin, planned: false }, doc, new Map(), { planned: false }).items), ["q1", "q2", "q3"]);
  });

  test("an empty queue is not pinned: a campaign that reaches an idle learner mid-day is asked today", () => {
    const idle = kept(null, snapshot(1, { questions: [], campaigns: [campaign("a", [], { start: null })] }));
    assert.deepEqual([idle.items, idle.pin], [[], null]);
  });
});

describe("the study session keeps the day's queue in the store", () => {
  let n = 0;
  const now = Date.UTC(2026, 11, 1, 12);
  const doc = (version, questions) =>
    snapshot(version, { questions: questions.map((id) => question(id)), campaigns: [campaign("a", questions, { daily_cap: 3, start: null })] });

  test("a newer library mid-day leaves the pending question; another learner starts afresh", async () => {
    const store = await IdbStore.open({ name: `day-${process.pid}-${++n}` });
    await store.signIn("rep@example.com");
    await store.saveContent(doc(1, ["q1", "q2", "q3", "q4"]));
    const client = { recordAnswer: (fields) => store.recordAnswer({ id: `a-${fields.question_id}`, answered_at: "2026-12-01T12:00:00.000Z", ...fields }, `m-${fields.question_id}`) };
    const session = new StudySession({ store, client, language: "en", now: () => now });
    const one = await session.load();
    assert.deepEqual([one.question.id, one.position, one.total], ["q1", 1, 3]);
    await session.answer(one, [2]);
    await store.saveContent(doc(2, ["new", "q1", "q2", "q3", "q4"]));
    const two = await session.load();
    assert.deepEqual([two.question.id, two.position, two.total, two.contentVersion], ["q2", 2, 3, 2]);
    assert.deepEqual((await store.dayQueue()).items.map((i) => i.questionId), ["q1", "q2", "q3"]);
    assert.deepEqual(two.standing, { answered: 1, right: 1, streak: 1, week: 1, weekGoal: WEEKLY_GOAL });
    await session.answer(two, [1]);
    await session.answer(await session.load(), [2]);
    const done = await session.load();
    assert.equal(done.kind, "done");
    assert.deepEqual([done.standing.answered, done.standing.right], [3, 2]);
    assert.equal(done.comingBack.reduce((sum, d) => sum + d.n, 0), 3);
    // Another learner signs in on this device (nothing left to sync): the pin goes with the records.
    await store.ackThrough(await store.nextSeq());
    assert.deepEqual(await store.signIn("someone-else@example.com"), { ok: true });
    assert.equal(await store.dayQueue(), null);
    store.close();
  });
});

describe("the day's numbers", () => {
  test("weeks start on Monday", () => {
    const monday = Date.UTC(2026, 10, 30) / 86_400_000; // Monday 30 November 2026
    for (let d = 0; d < 7; d++) assert.equal(weekStart(monday + d), monday);
    assert.equal(weekStart(monday - 1), monday - 7);
    assert.equal(new Date(weekStart(DAY) * 86_400_000).getUTCDay(), 1);
  });

  test("days studied this week, the streak, and today's right answers", () => {
    const monday = Date.UTC(2026, 10, 30) / 86_400_000;
    const thursday = monday + 3;
    const answers = [monday - 1, monday, monday, monday + 2, thursday, thursday].map((day, i) => ({ day, correct: i % 2 === 0 }));
    assert.equal(daysThisWeek(answers.map((a) => a.day), thursday), 3);
    assert.equal(daysThisWeek(answers.map((a) => a.day), monday - 1), 1);
    assert.deepEqual(standing(answers, thursday), { answered: 2, right: 1, streak: 2, week: 3, weekGoal: 5 });
    assert.deepEqual(standing([], thursday), { answered: 0, right: 0, streak: 0, week: 0, weekGoal: 5 });
  });

  test("what comes back when: the next due days, retired questions and today's left out", () => {
    const states = new Map([
      ["a", { due_day: DAY + 1, retired: false }],
      ["b", { due_day: DAY + 1, retired: false }],
      ["c", { due_day: DAY + 6, retired: false }],
      ["d", { due_day: DAY + 9, retired: true }],
      ["e", { due_day: DAY, retired: false }],
      ["f", undefined],
      ["g", { due_day: DAY + 20, retired: false }],
      ["h", { due_day: DAY + 30, retired: false }],
    ]);
    assert.deepEqual(comingBack(states, DAY), [{ day: DAY + 1, n: 2 }, { day: DAY + 6, n: 1 }, { day: DAY + 20, n: 1 }]);
  });
});
