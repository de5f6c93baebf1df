// Tests for practice from coaching (practice.js, docs/scheduler.md §6 "Practice from coaching"):
// which questions the plan's `practice` adds to a rep's day, the cap of 2, the daily limit, the
// reason, and that a practice item stays for the day like the others (study-plan.js keptQueue).
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { campaignsFor, keptQueue, todaysQueue } from "../src/study-plan.js";
import { COACHING, PRACTICE_PER_DAY, checkPractice, formatObservedOn, openPractice, practiceRefreshers, withPractice } from "../src/practice.js";
import { NEW, settingsFor, step } from "../src/scheduler.js";
import { snapshot, question, campaign } from "./support/snapshot.js";
import { IdbStore } from "../src/store.js";
import { StudySession } from "../src/study-session.js";

const DAY = 20_800;
const OBSERVED = DAY - 2;
const answered = (day) => step(NEW, day, true, settingsFor("fsrs"));
const ids = (items) => items.map((i) => i.questionId);

const practiceOf = (questionIds, { observedDay = OBSERVED, observation = "obs-1", kind = "question" } = {}) =>
  questionIds.map((id) => ({
    item_kind: kind,
    item_id: id,
    observation_id: observation,
    rubric_id: "discovery-rubric",
    behaviour_id: "asks-about-goals",
    observed_on: "2026-12-01",
    observed_day: observedDay,
  }));

// The campaign has c1..c4; p1..p4 are questions of no campaign (only coaching names them).
const library = snapshot(1, {
  questions: ["c1", "c2", "c3", "c4", "p1", "p2", "p3", "p4"].map((id) => question(id)),
  campaigns: [campaign("a", ["c1", "c2", "c3", "c4"], { daily_cap: 3, start: null })],
});
const campaigns = campaignsFor(library, "en", null);

/** Today's queue with practice, as the study session builds it. */
function day(practice, { states = new Map(), limit = 3, on = DAY } = {}) {
  const fresh = todaysQueue(library, campaigns, states, on, limit);
  return withPractice(fresh, practice, { snapshot: library, campaigns, states, day: on, limit });
}

describe("practice from coaching in today's queue", () => {
  test("practice comes first, at most 2 a day, and the day's limit still holds", () => {
    const items = day(practiceOf(["p1", "p2", "p3"]), { limit: 5 });
    assert.equal(PRACTICE_PER_DAY, 2);
    assert.deepEqual(ids(items), ["p1", "p2", "c1", "c2", "c3"]);
    assert.deepEqual(ids(day(practiceOf(["p1", "p2", "p3"]), { limit: 3 })), ["p1", "p2", "c1"]);
  });

  test("each practice item carries its reason and a campaign", () => {
    const [first, , third] = day(practiceOf(["p1", "c4"]));
    assert.deepEqual(first, { questionId: "p1", campaignId: COACHING, repeat: false, dueDay: null, reason: { observed_on: "2026-12-01", observation_id: "obs-1", source: "observation" } });
    assert.equal(third.reason, undefined, "a campaign's own question has no reason");
    const fromPitch = day(practiceOf(["p1"]).map((p) => ({ ...p, source: "pitch" })))[0];
    assert.equal(fromPitch.reason.source, "pitch", "a reviewed pitch's practice says so (\"From your pitch review on …\")");
    assert.equal(day(practiceOf(["p1"]).map((p) => ({ ...p, source: "other" })))[0].reason.source, "observation");
    const c4 = day(practiceOf(["c4"]))[0];
    assert.deepEqual([c4.questionId, c4.campaignId], ["c4", "a"], "a question of a campaign is asked under it");
  });

  test("a question practised after the observation day drops out; one answered on that day or before does not", () => {
    const after = new Map([["p1", answered(OBSERVED + 1)]]);
    assert.deepEqual(ids(day(practiceOf(["p1", "p2"]), { states: after })), ["p2", "c1", "c2"]);
    const before = new Map([["p1", answered(OBSERVED)]]);
    const items = day(practiceOf(["p1", "p2"]), { states: before });
    assert.deepEqual(ids(items), ["p1", "p2", "c1"]);
    assert.equal(items[0].repeat, true, "answered before: asked again as a repeat");
  });

  test("questions the library does not have are left out", () => {
    assert.deepEqual(ids(day(practiceOf(["gone", "p1"]))), ["p1", "c1", "c2"]);
  });

  test("practice starts the day after the coaching", () => {
    assert.deepEqual(ids(day(practiceOf(["p1"], { observedDay: DAY }))), ["c1", "c2", "c3"]);
  });

  test("a question already in today's queue is moved first, not asked twice", () => {
    const items = day(practiceOf(["c2"]));
    assert.deepEqual(ids(items), ["c2", "c1", "c3"]);
    assert.equal(new Set(ids(items)).size, items.length);
    assert.ok(items[0].reason);
  });

  test("a question named by two observations is asked once, for the oldest", () => {
    const practice = [...practiceOf(["p1"], { observedDay: OBSERVED - 3, observation: "obs-0" }), ...practiceOf(["p1", "p2"])];
    const items = day(practice);
    assert.deepEqual(ids(items), ["p1", "p2", "c1"]);
    assert.equal(items[0].reason.observation_id, "obs-0");
  });

  test("practice answered today counts against the 2 a day, and every answer against the limit", () => {
    const states = new Map([["p1", answered(DAY)]]);
    assert.deepEqual(ids(day(practiceOf(["p1", "p2", "p3"]), { states, limit: 5 })), ["p2", "c1", "c2", "c3"]);
    const two = new Map([["p1", answered(DAY)], ["p2", answered(DAY)]]);
    assert.deepEqual(ids(day(practiceOf(["p1", "p2", "p3"]), { states: two, limit: 5 })), ["c1", "c2", "c3"]);
  });

  test("no practice from an older server, or malformed entries", () => {
    assert.deepEqual(ids(day(undefined)), ["c1", "c2", "c3"]);
    assert.deepEqual(checkPractice([{ item_kind: "question", item_id: 3 }, null, ...practiceOf(["p1"])]).length, 1);
  });

  test("the limit is checked exactly: a variant that ignores it is caught", () => {
    // Limit 3, one question answered today: exactly 2 to go, whatever practice wants.
    const states = new Map([["c1", answered(DAY)]]);
    const respectsLimit = (build) => build(practiceOf(["p1", "p2"]), { states, limit: 3 }).length === 2;
    assert.equal(respectsLimit(day), true);
    const ignoringLimit = (practice, { states: s, limit }) => {
      const fresh = todaysQueue(library, campaigns, s, DAY, limit);
      return withPractice(fresh, practice, { snapshot: library, campaigns, states: s, day: DAY, limit: Number.MAX_SAFE_INTEGER });
    };
    assert.equal(respectsLimit(ignoringLimit), false);
  });

  test("open practice and the refreshers of an observation", () => {
    const practice = [...practiceOf(["p1"]), ...practiceOf(["how-to"], { kind: "refresher" }), ...practiceOf(["how-to", "other"], { kind: "refresher", observation: "obs-2" })];
    assert.deepEqual(openPractice(practice, { snapshot: library, states: new Map(), day: DAY }).map((p) => p.questionId), ["p1"]);
    assert.deepEqual(practiceRefreshers(practice, "obs-1"), ["how-to"]);
    assert.deepEqual(practiceRefreshers(practice, "obs-2"), ["how-to", "other"]);
  });

  test("the reason's date: day and month in the app's language", () => {
    assert.equal(formatObservedOn("2026-03-12", "en", ["en-GB"]), "12 March");
    assert.equal(formatObservedOn("2026-03-12", "en", ["en-US", "nl"]), "March 12");
    assert.equal(formatObservedOn("2026-03-12", "nl", ["en-GB"]), "12 maart");
  });
});

describe("a practice item stays for the day", () => {
  const kept = (pin, practice, states = new Map()) => {
    const fresh = day(practice, { states });
    return keptQueue(pin, fresh, { snapshot: library, campaigns, states, day: DAY, limit: 3, language: "en", planned: true });
  };

  test("pinned with its reason, and kept though no campaign has it", () => {
    const first = kept(null, practiceOf(["p1"]));
    assert.deepEqual(first.pin.items[0], { questionId: "p1", campaignId: COACHING, reason: { observed_on: "2026-12-01", observation_id: "obs-1", source: "observation" } });
    // A pull meanwhile brings no practice (the server saw an answer on another day): the pin stays.
    const later = kept(first.pin, []);
    assert.equal(later.pin, first.pin);
    assert.deepEqual(ids(later.items), ["p1", "c1", "c2"]);
    assert.deepEqual(later.items[0].reason, { observed_on: "2026-12-01", observation_id: "obs-1", source: "observation" });
  });

  test("answered, it drops out like any question", () => {
    const first = kept(null, practiceOf(["p1"]));
    const states = new Map([["p1", answered(DAY)]]);
    assert.deepEqual(ids(kept(first.pin, practiceOf(["p1"]), states).items), ["c1", "c2"]);
  });
});

describe("the study session asks practice from the plan the store keeps", () => {
  test("first, with its reason; an answer not yet synced ends it; then done until tomorrow", async () => {
    const store = await IdbStore.open({ name: `recap-practice-test-${process.pid}` });
    await store.signIn("rep@example.com");
    await store.saveContent(library);
    const plan = { daily_limit: 2, campaigns: [{ campaign_id: "a", start_day: DAY - 10 }], practice: practiceOf(["p3"]) };
    await store.applyPullPage({ changes: [], cursors: { content: 0, records: 1 }, ackedThrough: 0, content: null, plan });
    const now = DAY * 86_400_000 + 12 * 3_600_000;
    const client = { recordAnswer: (fields) => store.recordAnswer({ id: `a-${fields.question_id}`, answered_at: "2026-12-01T12:00:00.000Z", ...fields }, `m-${fields.question_id}`) };
    const session = new StudySession({ store, client, language: "en", rolloverHour: 0, now: () => now });
    const one = await session.load();
    assert.equal(one.day, DAY);
    assert.deepEqual([one.question.id, one.position, one.total, one.item.campaignId], ["p3", 1, 2, COACHING]);
    assert.deepEqual(one.item.reason, { observed_on: "2026-12-01", observation_id: "obs-1", source: "observation" });
    assert.deepEqual((await store.dayQueue()).items[0], { questionId: "p3", campaignId: COACHING, reason: one.item.reason });
    await session.answer(one, [2]);
    const two = await session.load();
    assert.deepEqual([two.question.id, two.position, two.total, two.item.reason], ["c1", 2, 2, undefined]);
    await session.answer(two, [2]);
    const done = await session.load();
    assert.equal(done.kind, "done");
    assert.equal(done.nextDay, DAY + 1);
    store.close();
  });
});
