// Tests for src/study-plan.js against tests/vectors/plan.json, the cases sync/plan.py wrote
// (tests/vectors/plan_cases.py): campaign audiences (as the plan the server sends), each
// campaign's cap, start, end and pauses, the total daily limit, the language switch. Then proof
// that the vector check fails when any one rule is left out, and the study session with a plan.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

import { DEFAULT_DAILY_LIMIT, campaignsFor, checkPlan, nextStudyDay, stateQuestionIds, todaysQueue, translationGroups } from "../src/study-plan.js";
import { StudySession } from "../src/study-session.js";
import { IdbStore } from "../src/store.js";
import { NEW, settingsFor, step } from "../src/scheduler.js";
import { snapshot, question, campaign } from "./support/snapshot.js";

const CASES = JSON.parse(fs.readFileSync(new URL("../../tests/vectors/plan.json", import.meta.url), "utf8"));

/** Today's queue for a vector case, as the device computes it; `change` alters the inputs first. */
function queueOf(c, change = (x) => x) {
  const input = change(structuredClone(c));
  const plan = input.plan === null ? null : checkPlan(input.plan);
  assert.ok(input.plan === null || plan, `${c.name}: a plan the device refuses`);
  const campaigns = campaignsFor(input.snapshot, input.language, plan);
  const states = new Map(Object.entries(input.states));
  const limit = input.limit ?? plan?.daily_limit ?? DEFAULT_DAILY_LIMIT;
  return todaysQueue(input.snapshot, campaigns, states, input.day, limit).map((i) => ({ question_id: i.questionId, campaign_id: i.campaignId, repeat: i.repeat }));
}

/** The names of the cases whose queue differs from the expected one. */
function mismatches(change) {
  return CASES.filter((c) => JSON.stringify(queueOf(c, change)) !== JSON.stringify(c.expected)).map((c) => c.name);
}

describe("plan vectors (tests/vectors/plan.json)", () => {
  test("the file holds named and random cases", () => {
    assert.ok(CASES.length > 400);
    assert.ok(CASES.some((c) => c.name.startsWith("audiences:")) && CASES.some((c) => c.name.startsWith("language switch:")));
  });

  test("the device's queue is the expected one in every case", () => {
    assert.deepEqual(mismatches((c) => c), []);
  });

  test("leaving out any one rule fails the check", () => {
    const named = (prefix, names) => names.filter((n) => n.startsWith(prefix));
    // The total daily limit.
    assert.ok(named("two campaigns with caps 3 and 2", mismatches((c) => ({ ...c, limit: Infinity }))).length === 1);
    assert.ok(mismatches((c) => ({ ...c, limit: Infinity })).length > 40);
    // The plan (audiences, starts): every campaign of the library instead.
    assert.equal(named("audiences:", mismatches((c) => ({ ...c, plan: null }))).length, 3);
    // Pauses, ends, the language switch.
    const strip = (field, value) => (c) => ({ ...c, snapshot: { ...c.snapshot, campaigns: c.snapshot.campaigns.map((x) => ({ ...x, [field]: value })) } });
    assert.ok(named("a pause", mismatches(strip("pauses", []))).length === 1);
    assert.ok(named("after its end", mismatches(strip("end", null))).length === 1);
    const untranslated = (c) => ({ ...c, snapshot: { ...c.snapshot, questions: c.snapshot.questions.map((q) => ({ ...q, translation_of: null })) } });
    assert.equal(named("language switch: a", mismatches(untranslated)).length, 2);
    assert.ok(mismatches(untranslated).length > 10);
  });
});

describe("study plan helpers", () => {
  test("a plan is kept only when well formed", () => {
    const plan = { daily_limit: 3, campaigns: [{ campaign_id: "a", start_day: 20_000 }] };
    assert.deepEqual(checkPlan({ ...plan, more: 1 }), plan);
    for (const bad of [null, undefined, "x", {}, { daily_limit: 3 }, { daily_limit: 0, campaigns: [] }, { daily_limit: 2.5, campaigns: [] },
      { daily_limit: 3, campaigns: [{ campaign_id: "a" }] }, { daily_limit: 3, campaigns: [{ campaign_id: "a", start_day: "1" }] }]) {
      assert.equal(checkPlan(bad), null, JSON.stringify(bad));
    }
  });

  test("translations group by their original, and the states asked for include them", () => {
    const qs = [question("x"), question("x-nl", { translation_of: "x" }), question("x-de", { translation_of: "x" }), question("y")];
    assert.deepEqual([...translationGroups(qs)], [["x", "x"], ["x-nl", "x"], ["x-de", "x"], ["y", "y"]]);
    const doc = snapshot(1, { questions: qs, campaigns: [campaign("nl", ["x-nl"], { language: "nl" }), campaign("other", ["y"])] });
    const plan = { daily_limit: 3, campaigns: [{ campaign_id: "nl", start_day: 1 }] };
    assert.deepEqual(stateQuestionIds(doc, plan), ["x-nl", "x", "x-de"]);
  });

  test("the next study day is the day after a pause", () => {
    const doc = snapshot(1, {
      questions: [question("q1"), question("q2")],
      campaigns: [campaign("a", ["q1", "q2"], { daily_cap: 1, start: null, pauses: [{ from: "2026-12-02", to: "2026-12-05" }] })],
    });
    const day = Date.UTC(2026, 11, 1) / 86_400_000;
    const campaigns = campaignsFor(doc, "en", null);
    const states = new Map([["q1", step(NEW, day, true, settingsFor("fsrs"))]]);
    assert.equal(nextStudyDay(doc, campaigns, states, day), day + 5);
  });
});

describe("study session with the plan the server sent", () => {
  let n = 0;
  const day = (ms) => Math.floor(ms / 86_400_000);

  async function sessionFor(plan, language = "en") {
    const store = await IdbStore.open({ name: `plan-${process.pid}-${++n}` });
    const now = Date.UTC(2026, 11, 1, 12);
    const questions = ["a1", "a2", "a3", "m1", "m2", "a1-nl"].map((id) => question(id, id.endsWith("-nl") ? { translation_of: "a1", language: "nl" } : {}));
    const doc = snapshot(1, {
      questions,
      campaigns: [
        campaign("all-reps", ["a1", "a2", "a3"], { daily_cap: 3, start: null }),
        campaign("managers", ["m1", "m2"], { daily_cap: 2, start: null }),
        campaign("all-reps-nl", ["a1-nl"], { language: "nl", start: null }),
      ],
    });
    await store.saveContent(doc);
    if (plan) await store.applyPullPage({ changes: [], cursors: { content: 1, records: 0 }, ackedThrough: 0, reset: [], content: null, plan });
    const answers = [];
    const client = { recordAnswer: async (fields) => answers.push(fields) };
    return { store, session: new StudySession({ store, client, language, now: () => now }), today: day(now - 4 * 3_600_000) };
  }

  test("only the learner's campaigns, under their total limit", async () => {
    const { session, today } = await sessionFor({ daily_limit: 4, campaigns: [{ campaign_id: "all-reps", start_day: 0 }, { campaign_id: "managers", start_day: 0 }] });
    const view = await session.load();
    assert.deepEqual([view.kind, view.question.id, view.position, view.total, view.day], ["question", "a1", 1, 4, today]);
  });

  test("a rep outside the managers' audience never sees their questions", async () => {
    const { session } = await sessionFor({ daily_limit: 3, campaigns: [{ campaign_id: "all-reps", start_day: 0 }] });
    assert.deepEqual([(await session.load()).question.id, (await session.load()).total], ["a1", 3]);
  });

  test("a start day in the plan that is still to come: nothing yet, and when", async () => {
    const { session, today } = await sessionFor({ daily_limit: 3, campaigns: [{ campaign_id: "all-reps", start_day: 0 }, { campaign_id: "managers", start_day: 0 }].map((c) => ({ ...c, start_day: 99_999 })) });
    const view = await session.load();
    assert.deepEqual([view.kind, view.nextDay], ["done", 99_999]);
    assert.ok(today < 99_999);
  });

  test("in no campaign's audience: nothing to study", async () => {
    const { session } = await sessionFor({ daily_limit: 3, campaigns: [] });
    assert.equal((await session.load()).kind, "no-campaigns");
  });

  test("before any plan (an older server): every campaign in the language, three a day", async () => {
    const { session } = await sessionFor(null);
    const view = await session.load();
    assert.deepEqual([view.question.id, view.total], ["a1", DEFAULT_DAILY_LIMIT]);
  });
});
