// Tests for the study loop without a browser: src/study-plan.js (today's queue across
// campaigns, the next study day, grading), src/study-session.js over the IndexedDB store
// (fake-indexeddb) with the real SyncClient recording answers, and src/i18n.js.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { answeredOn, campaignsFor, dayOfDate, isCorrect, nextStudyDay, planQuestionIds, today, todaysQueue } from "../src/study-plan.js";
import { StudySession } from "../src/study-session.js";
import { answerKey } from "../src/answer-key.js";
import { checkSnapshot } from "../src/content-check.js";
import { IdbStore } from "../src/store.js";
import { SyncClient } from "../src/sync/client.js";
import { NEW, localDay, settingsFor, step } from "../src/scheduler.js";
import { CATALOGUE, formatDay, pickLanguage, translator } from "../src/i18n.js";
import { detailLine } from "../src/sync-bar.js";
import { UUID7_PATTERN } from "../src/uuid7.js";
import { snapshot, question, campaign, DEC_1 } from "./support/snapshot.js";

const fsrs = settingsFor("fsrs");
const answered = (correct, day) => step(NEW, day, correct, fsrs);

describe("study plan", () => {
  test("a calendar date is its local day number", () => {
    assert.equal(dayOfDate("1970-01-02"), 1);
    assert.equal(dayOfDate("2026-12-01"), DEC_1);
    assert.equal(dayOfDate("not a date"), null);
    // The device's day: 03:59 local still counts for the day before (rollover at 04:00).
    const ms = Date.UTC(2026, 11, 2, 3, 59) + new Date(Date.UTC(2026, 11, 2)).getTimezoneOffset() * 60_000;
    assert.equal(today(4, ms), localDay(ms, -new Date(ms).getTimezoneOffset(), 4));
  });

  test("campaigns in the learner's language, in id order; all of them when none is", () => {
    const doc = snapshot(1, {
      campaigns: [campaign("b-en", ["who-else"]), campaign("a-nl", ["next-step"], { language: "nl" }), campaign("a-en", ["pick-two"])],
    });
    assert.deepEqual(campaignsFor(doc, "en").map((c) => c.id), ["a-en", "b-en"]);
    assert.deepEqual(campaignsFor(doc, "nl").map((c) => c.id), ["a-nl"]);
    assert.deepEqual(campaignsFor(doc, "fr").map((c) => c.id), ["a-en", "a-nl", "b-en"]);
  });

  test("today's queue: each campaign's cap and start, asked once, due repeats first across campaigns, the total limit", () => {
    const doc = snapshot(1, {
      questions: ["q1", "q2", "q3", "q4", "q5"].map((id) => question(id)),
      campaigns: [
        campaign("a", ["q1", "q2", "q3"], { daily_cap: 2 }),
        campaign("b", ["q3", "q4", "q5"], { daily_cap: 2 }),
        campaign("later", ["q5"], { start: "2027-01-01" }),
      ],
    });
    const campaigns = campaignsFor(doc, "en");
    assert.deepEqual(planQuestionIds(doc, campaigns), ["q1", "q2", "q3", "q4", "q5"]);
    const day = DEC_1 + 10;
    // Nothing answered: each campaign offers its first two new questions, within the total limit.
    assert.deepEqual(todaysQueue(doc, campaigns, new Map(), day, 10).map((i) => i.questionId), ["q1", "q2", "q3", "q4"]);
    assert.deepEqual(todaysQueue(doc, campaigns, new Map(), day).map((i) => i.questionId), ["q1", "q2", "q3"], "3 a day by default");
    // q4 (campaign b) was missed long ago and is due: it comes first, as a repeat.
    const states = new Map([["q4", answered(false, DEC_1)]]);
    const items = todaysQueue(doc, campaigns, states, day, 10);
    assert.deepEqual(items.map((i) => [i.questionId, i.repeat]), [["q4", true], ["q1", false], ["q2", false], ["q3", false]]);
    // Before any campaign starts: nothing.
    assert.deepEqual(todaysQueue(doc, campaigns, new Map(), DEC_1 - 1), []);
    // Answered today counts against each campaign's cap, and against the total.
    const done = new Map([["q1", answered(true, day)], ["q2", answered(true, day)]]);
    assert.deepEqual(todaysQueue(doc, campaigns, done, day, 10).map((i) => i.questionId), ["q3", "q4"]);
    assert.deepEqual(todaysQueue(doc, campaigns, done, day, 3).map((i) => i.questionId), ["q3"]);
    assert.equal(answeredOn(done, planQuestionIds(doc, campaigns), day), 2);
  });

  test("the next study day: tomorrow while new questions remain, else the first due day or start", () => {
    const doc = snapshot(1, { questions: [question("q1")], campaigns: [campaign("a", ["q1"], { daily_cap: 1 })] });
    const campaigns = campaignsFor(doc, "en");
    assert.equal(nextStudyDay(doc, campaigns, new Map(), DEC_1 - 5), DEC_1, "the campaign's start");
    const s = answered(true, DEC_1);
    assert.equal(nextStudyDay(doc, campaigns, new Map([["q1", s]]), DEC_1), s.due_day);
    const retired = step(NEW, DEC_1, true, settingsFor("lightning"));
    assert.equal(nextStudyDay(doc, campaigns, new Map([["q1", retired]]), DEC_1), null, "nothing left");
    const two = snapshot(1, { questions: [question("q1"), question("q2")], campaigns: [campaign("a", ["q1", "q2"], { daily_cap: 1 })] });
    assert.equal(nextStudyDay(two, campaignsFor(two, "en"), new Map([["q1", s]]), DEC_1), DEC_1 + 1, "q2 is new tomorrow");
  });

  test("grading: exactly the right options, in any order", () => {
    assert.equal(isCorrect(question("q", { correct: 2 }), [2]), true);
    assert.equal(isCorrect(question("q", { correct: 2 }), [1]), false);
    assert.equal(isCorrect(question("q", { correct: [1, 2] }), [2, 1]), true);
    assert.equal(isCorrect(question("q", { correct: [1, 2] }), [1]), false);
    assert.equal(isCorrect(question("q", { correct: [1, 2] }), [1, 2, 3]), false);
  });

  test("the answer key: the facts a new snapshot carries, else `correct` as published before", () => {
    // Published now: correct_options and multiple, normalised by the server.
    const now = question("q", { correct: [3, 1], correct_options: [1, 3], multiple: true });
    assert.deepEqual(answerKey(now), { options: [1, 3], multiple: true });
    assert.equal(isCorrect(now, [3, 1]), true);
    // The facts win over `correct` wherever they are present.
    assert.deepEqual(answerKey(question("q", { correct: 2, correct_options: [3], multiple: false })), { options: [3], multiple: false });
    assert.equal(isCorrect(question("q", { correct: 2, correct_options: [3], multiple: false }), [3]), true);
    // Published before: a number is one answer; a list is several, even a list of one.
    assert.deepEqual(answerKey(question("q", { correct: 2 })), { options: [2], multiple: false });
    assert.deepEqual(answerKey(question("q", { correct: [2, 1] })), { options: [1, 2], multiple: true });
    assert.deepEqual(answerKey(question("q", { correct: [2] })), { options: [2], multiple: true });
    // The snapshot check reads the same key.
    assert.deepEqual(checkSnapshot(snapshot(1, { questions: [now], campaigns: [] })), []);
    assert.match(checkSnapshot(snapshot(1, { questions: [question("q", { correct_options: [4], multiple: false })], campaigns: [] })).join(), /correct option/);
  });
});

describe("study session over the IndexedDB store", () => {
  let n = 0;
  async function setUp(name = `study-${process.pid}-${++n}`, now = Date.UTC(2026, 11, 1, 12)) {
    const store = await IdbStore.open({ name });
    const clock = { now };
    const client = new SyncClient({
      baseUrl: "http://127.0.0.1:9/",
      store,
      deviceId: "dev-1",
      getAuthHeader: async () => null,
      now: () => clock.now,
      fetch: () => assert.fail("recording an answer needs no network"),
    });
    const session = new StudySession({ store, client, language: "en", now: () => clock.now });
    return { store, client, session, clock, name };
  }

  test("no library yet, then today's questions, answered and recorded, then done until tomorrow", async () => {
    const { store, session, clock, name } = await setUp();
    assert.equal((await session.load()).kind, "no-library");
    await store.saveContent(snapshot(1));
    const day = session.today();
    let view = await session.load();
    assert.equal(view.kind, "question");
    assert.deepEqual([view.question.id, view.position, view.total, view.item.repeat], ["who-else", 1, 2, false]);

    const result = await session.answer(view, [2], 8000);
    assert.equal(result.correct, true);
    assert.equal(result.backInDays, answered(true, day).due_day - day);
    assert.match(result.answer.id, UUID7_PATTERN);
    assert.match(result.answer.answered_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.deepEqual(
      { ...result.answer, id: null, answered_at: null },
      { id: null, question_id: "who-else", content_version: 1, choice: [2], correct: true, answered_at: null, local_day: day, duration_ms: 8000 },
    );
    const [entry] = await store.outboxBatch(5);
    assert.deepEqual(entry.payload, result.answer);

    view = await session.load();
    assert.deepEqual([view.question.id, view.position, view.total], ["next-step", 2, 2]);
    const wrong = await session.answer(view, [1]);
    assert.equal(wrong.correct, false);
    assert.equal(wrong.backInDays, 1, "a miss comes back tomorrow under fsrs");

    view = await session.load();
    assert.deepEqual([view.kind, view.answeredToday, view.nextDay], ["done", 2, day + 1]);
    assert.equal(await store.outboxSize(), 2);

    // Reopened (the app was closed): the same answers, the same queue.
    store.close();
    const again = await setUp(name, clock.now);
    assert.equal(await again.store.outboxSize(), 2);
    assert.equal((await again.session.load()).kind, "done");
    // Tomorrow: the miss is back as a repeat, before the last new question.
    again.clock.now += 86_400_000;
    view = await again.session.load();
    assert.deepEqual([view.question.id, view.item.repeat, view.position, view.total], ["next-step", true, 1, 2]);
  });

  test("a multi-answer question is graded on the whole set", async () => {
    const { store, session } = await setUp();
    await store.saveContent(snapshot(1, { campaigns: [campaign("basics", ["pick-two"])] }));
    const view = await session.load();
    assert.equal(view.question.id, "pick-two");
    const result = await session.answer(view, [2, 1]);
    assert.equal(result.correct, true);
    assert.deepEqual(result.answer.choice, [1, 2]);
  });
});

describe("i18n", () => {
  test("English and Dutch have the same keys, and every plural has one and other", () => {
    assert.deepEqual(Object.keys(CATALOGUE.nl).sort(), Object.keys(CATALOGUE.en).sort());
    for (const table of Object.values(CATALOGUE)) {
      for (const value of Object.values(table)) if (typeof value === "object") assert.ok(value.one && value.other);
    }
  });

  test("the sync bar says what the server refused, by kind, in both languages", () => {
    const status = (rejection) => ({ state: "idle", rejected: [rejection] });
    const answer = { kind: "answer", recordId: "a1", mutationId: "m1", clientSeq: 1, reason: "option 4 does not exist", questionId: "who-else" };
    const ack = { kind: "acknowledgement", recordId: "k1", mutationId: "m2", clientSeq: 2, reason: "there is no nugget 'x' to acknowledge" };
    const title = { questionTitle: (id) => (id === "who-else" ? "Who else decides?" : id) };
    const en = translator("en");
    assert.equal(detailLine(status(answer), en, title), "The server did not accept an answer to “Who else decides?”: option 4 does not exist");
    assert.equal(detailLine(status(ack), en, title), "The server did not accept something you marked as done: there is no nugget 'x' to acknowledge");
    assert.equal(detailLine(status({ ...ack, kind: "observation" }), en, title), "The server did not accept a change: there is no nugget 'x' to acknowledge");
    assert.match(detailLine(status(ack), translator("nl"), title), /^De server heeft iets dat je als gelezen markeerde niet geaccepteerd: /);
  });

  test("the language: the setting, else the browser's, else English", () => {
    assert.equal(pickLanguage("nl", ["en-US"]), "nl");
    assert.equal(pickLanguage(null, ["nl-BE", "en"]), "nl");
    assert.equal(pickLanguage(null, ["fr-FR", "en-GB"]), "en");
    assert.equal(pickLanguage("xx", ["de"]), "en");
  });

  test("the sync count and return times read as the tests and users expect", () => {
    const en = translator("en");
    const nl = translator("nl");
    assert.equal(en("sync.unsynced", { n: 3 }), "3 not synced");
    assert.equal(en("sync.unsynced", { n: 1 }), "1 not synced");
    assert.equal(en("sync.allSynced"), "All synced");
    assert.equal(en("study.backIn", { n: 12 }), "Back in 12 days");
    assert.equal(en("study.backIn", { n: 1 }), "Back tomorrow");
    assert.equal(nl("sync.unsynced", { n: 3 }), "3 niet gesynchroniseerd");
    assert.equal(nl("study.backIn", { n: 12 }), "Komt over 12 dagen terug");
    assert.equal(en("no.such.key"), "no.such.key");
    assert.equal(formatDay(DEC_1, "en", ["en-GB"]), "Tuesday 1 December");
    assert.equal(formatDay(DEC_1, "en", ["nl-NL", "en-US"]), "Tuesday, December 1");
    assert.equal(formatDay(DEC_1, "nl", []), "dinsdag 1 december");
  });
});
