// Tests for what the progress and feedback screens say, without a browser: what the learner
// knows now and what fades in 30 days (src/forecast.js, on real scheduler states), the reading
// offered after an answer (src/library.js relatedReading), option letters (src/cards.js), the
// nav's hidden sides (src/nav-overflow.js) and plurals that agree with their noun (src/i18n.js).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { HORIZON_DAYS, WEAK_BELOW, competencyForecast, fadeDay, recallNow, recallOn } from "../src/forecast.js";
import { NEW, replay, retrievability, settingsFor, step } from "../src/scheduler.js";
import { relatedReading } from "../src/library.js";
import { hiddenSides } from "../src/nav-overflow.js";
import { CATALOGUE, translator } from "../src/i18n.js";

const demo = JSON.parse(readFileSync(new URL("./support/demo-reading.json", import.meta.url), "utf8"));
const fsrs = settingsFor("fsrs");
const TODAY = 20500;

/** Answers to one question on these days (right or wrong), as the store holds them. */
function answersTo(qid, days, correct = () => true, rev = 1) {
  return days.map((day, i) => ({ id: `${qid}-${i}`, question_id: qid, day, correct: correct(i), answered_at: `2026-01-01T00:00:0${i}Z`, rev }));
}
const stateOf = (answers, settings = fsrs) => replay(answers, settings);

describe("predicted recall and fading", () => {
  test("recall is the scheduler's forgetting curve since the last answer; none before any answer", () => {
    const state = step(NEW, TODAY - 3, true, fsrs);
    assert.equal(recallOn(NEW, TODAY), null);
    assert.equal(recallOn(undefined, TODAY), null);
    assert.equal(recallOn(state, TODAY), retrievability(3, state.stability));
    assert.equal(recallOn(state, TODAY - 3), 1);
  });

  test("what is known now: a question answered today counts as tomorrow, not as a trivial 100 %", () => {
    const missed = step(NEW, TODAY, false, fsrs);
    assert.equal(recallOn(missed, TODAY), 1);
    assert.equal(recallNow(missed, TODAY), retrievability(1, missed.stability));
    assert.ok(recallNow(missed, TODAY) < 0.85, "a question just missed is not known");
    const older = step(NEW, TODAY - 5, true, fsrs);
    assert.equal(recallNow(older, TODAY), recallOn(older, TODAY));
    assert.equal(recallNow(NEW, TODAY), null);
  });

  test("the fade day is the first day below the target, within the horizon", () => {
    const fresh = step(NEW, TODAY, true, fsrs); // stability ~2.3 days: below 0.85 within days
    const day = fadeDay(fresh, TODAY, 0.85);
    assert.ok(day > TODAY && day <= TODAY + HORIZON_DAYS, String(day));
    assert.ok(recallOn(fresh, day) < 0.85 && recallOn(fresh, day - 1) >= 0.85);
    const solid = { ...fresh, stability: 400 }; // recall after 30 days still ~0.99
    assert.equal(fadeDay(solid, TODAY, 0.85), null);
    assert.equal(fadeDay(NEW, TODAY, 0.85), null);
  });
});

describe("per competency: what the learner knows now and what fades", () => {
  const snapshot = {
    competencies: [{ id: "b", name: "Bee" }, { id: "a", name: "Aye", translations: { nl: { name: "Aa" } } }, { id: "c", name: "Cee" }],
    questions: [
      { id: "q1", competency: "a", epoch: 1 },
      { id: "q2", competency: "a", epoch: 1 },
      { id: "q3", competency: "b", epoch: 2 },
      { id: "q4", competency: "a", epoch: 1 },
      { id: "q5", competency: "c", epoch: 1 },
      { id: "q6", competency: "c", epoch: 1 },
    ],
    campaigns: [{ id: "k", questions: ["q1", "q2", "q3", "q4", "q5", "q6"], repeat: "fsrs", desired_retention: 0.9 }],
  };

  test("a competency never answered is not started: no recall, no fading, its questions counted", () => {
    const rows = competencyForecast(snapshot, ["q5", "q6"], [], new Map(), TODAY, "en");
    assert.deepEqual(rows, [{ id: "c", name: "Cee", total: 2, seen: 0, answers: 0, right: 0, recall: null, target: 0.9, below: 0, fading: 0, weak: true }]);
  });

  test("recall today over the questions seen, with its basis; what is below now and what will fade", () => {
    // q1: answered right today (fresh memory, fades within 30 days); q2: right long ago (below
    // target now); q4: never answered. q3 (other competency): answered, but to an older epoch.
    const a1 = answersTo("q1", [TODAY]);
    const a2 = answersTo("q2", [TODAY - 60, TODAY - 40], (i) => i === 1);
    const a3 = answersTo("q3", [TODAY - 1], () => true, 1);
    const states = new Map([["q1", stateOf(a1)], ["q2", stateOf(a2)], ["q3", NEW], ["q4", NEW]]);
    const rows = competencyForecast(snapshot, ["q1", "q2", "q3", "q4"], [...a1, ...a2, ...a3], states, TODAY, "nl");
    assert.deepEqual(rows.map((r) => r.id), ["b", "a"], "library order");
    const [b, a] = rows;
    assert.equal(b.seen, 0);
    assert.equal(b.answers, 0, "answers to an older epoch do not count");
    assert.equal(a.name, "Aa");
    assert.equal(a.total, 3);
    assert.equal(a.seen, 2);
    assert.equal(a.answers, 3);
    assert.equal(a.right, 2, "the latest answer of each seen question was right");
    const r1 = recallOn(states.get("q1"), TODAY + 1); // answered today: counts as tomorrow
    const r2 = recallOn(states.get("q2"), TODAY);
    assert.ok(r1 > 0.9 && r1 < 1, String(r1));
    assert.ok(r2 < 0.9, String(r2));
    assert.equal(a.recall, (r1 + r2) / 2);
    assert.equal(a.target, 0.9, "the campaign's desired retention");
    assert.equal(a.below, 1);
    assert.equal(a.fading, 1);
    assert.equal(a.weak, true, `${a.answers} answers is under ${WEAK_BELOW}`);
  });

  test("enough answers are no longer a weak estimate; a well-learnt question does not fade", () => {
    const days = [TODAY - 200, TODAY - 150, TODAY - 90, TODAY - 30, TODAY - 1];
    const a1 = answersTo("q1", days);
    const solid = { ...stateOf(a1), stability: 1000 };
    const rows = competencyForecast(snapshot, ["q1"], a1, new Map([["q1", solid]]), TODAY, "en");
    assert.equal(rows[0].answers, 5);
    assert.equal(rows[0].weak, false);
    assert.equal(rows[0].fading, 0);
    assert.equal(rows[0].below, 0);
  });

  test("the horizon is a parameter: nothing fades within 0 days", () => {
    const a1 = answersTo("q1", [TODAY]);
    const rows = competencyForecast(snapshot, ["q1"], a1, new Map([["q1", stateOf(a1)]]), TODAY, "en", { horizon: 0 });
    assert.equal(rows[0].fading, 0);
  });
});

describe("reading after an answer", () => {
  const question = (fields) => ({ id: "q", competency: "customer-conversations", language: "en", ...fields });

  test("the question's lesson and the refreshers of its competency, in its language", () => {
    const nugget = demo.nuggets.find((n) => n.language !== "nl");
    const en = relatedReading(demo, question({ nugget: nugget.id }), "en");
    assert.equal(en.nugget.id, nugget.id);
    assert.deepEqual(en.refreshers.map((r) => r.id).sort(), ["how-to-agree-a-next-step-the-customer-owns", "how-to-open-a-customer-meeting"]);
    const nl = relatedReading(demo, question({ language: "nl" }), "en");
    assert.equal(nl.nugget, null);
    const ids = nl.refreshers.map((r) => r.id);
    assert.ok(ids.includes("how-to-open-a-customer-meeting-nl") && !ids.includes("how-to-open-a-customer-meeting"), ids.join());
  });

  test("nothing to read: a lesson that is not in the library, a competency without refreshers", () => {
    const none = relatedReading(demo, question({ nugget: "gone", competency: "nothing-here" }), "en");
    assert.deepEqual(none, { nugget: null, refreshers: [] });
    assert.deepEqual(relatedReading(null, question({}), "en"), { nugget: null, refreshers: [] });
  });
});

describe("the nav's hidden sides", () => {
  test("nothing hidden when it fits; the end, both, then the start as it scrolls", () => {
    assert.deepEqual(hiddenSides(0, 300, 300), []);
    assert.deepEqual(hiddenSides(0, 500, 300), ["end"]);
    assert.deepEqual(hiddenSides(100, 500, 300), ["start", "end"]);
    assert.deepEqual(hiddenSides(200, 500, 300), ["start"]);
  });
});

describe("plurals agree with their noun", () => {
  test("1 of 12 lessons done; 1 of 1 lesson done; en and nl", () => {
    const en = translator("en");
    const nl = translator("nl");
    assert.equal(en("nuggets.doneCount", { done: 1, n: 12 }), "1 of 12 lessons done.");
    assert.equal(en("nuggets.doneCount", { done: 1, n: 1 }), "1 of 1 lesson done.");
    assert.equal(en("nuggets.doneCount", { done: 0, n: 12 }), "0 of 12 lessons done.");
    assert.equal(nl("nuggets.doneCount", { done: 1, n: 12 }), "1 van 12 lessen gelezen.");
    assert.equal(nl("nuggets.doneCount", { done: 1, n: 1 }), "1 van 1 les gelezen.");
    assert.equal(en("progress.weak", { n: 1 }), "A weak estimate: 1 answer.");
    assert.equal(nl("progress.notStarted", { n: 6 }), "Nog niet begonnen: 6 vragen komen nog.");
  });

  test("every English entry has a Dutch one of the same shape", () => {
    for (const [key, value] of Object.entries(CATALOGUE.en)) {
      assert.ok(Object.hasOwn(CATALOGUE.nl, key), key);
      assert.equal(typeof CATALOGUE.nl[key], typeof value, key);
    }
  });
});
