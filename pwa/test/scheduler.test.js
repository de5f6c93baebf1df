// Tests for src/scheduler.js: the golden vectors shared with sync/scheduler.py
// (tests/vectors/scheduler.json), proof that the vector check can fail, and unit tests of the
// rules in docs/scheduler.md.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import {
  W,
  DECAY,
  INV_DECAY,
  FACTOR,
  INIT_D_AGAIN,
  INIT_D_GOOD,
  INIT_D_EASY,
  EXP_W8,
  FORGET_CAP,
  S_MIN,
  S_MAX,
  D_MIN,
  D_MAX,
  POLICIES,
  round6,
  roundDay,
  clamp,
  retrievability,
  nextStability,
  nextDifficulty,
  settingsFor,
  NEW,
  step,
  replayOrder,
  replay,
  isDue,
  queue,
  localDay,
  fsrsInterval,
  anchoredNext,
  questionBudget,
  recallWeight,
} from "../src/scheduler.js";

const CASES = JSON.parse(fs.readFileSync(new URL("../../tests/vectors/scheduler.json", import.meta.url), "utf8"));
const ANCHORED = CASES.filter((c) => c.policy === "anchored");
const STREAK_AND_FSRS = CASES.filter((c) => c.policy !== "anchored");

/**
 * Replays every vector case with `stepFn` and compares each state with the expected one: due_day
 * and retired exactly, stability and difficulty within 1e-6. Returns the number of answers
 * checked, the number that mismatched, and a description of the first mismatch.
 */
function checkVectors(stepFn, cases = CASES) {
  let answers = 0;
  let mismatches = 0;
  let first = null;
  cases.forEach((c, caseIndex) => {
    const settings = settingsFor(c.policy, c.settings);
    let state = NEW;
    c.answers.forEach((a, answerIndex) => {
      state = stepFn(state, a.day, a.correct, settings);
      const want = c.expected[answerIndex];
      answers += 1;
      const wrong = [];
      if (state.due_day !== want.due_day) wrong.push(`due_day ${state.due_day} != ${want.due_day}`);
      if (state.retired !== want.retired) wrong.push(`retired ${state.retired} != ${want.retired}`);
      if (!(Math.abs(state.stability - want.stability) <= 1e-6)) {
        wrong.push(`stability ${state.stability} != ${want.stability}`);
      }
      if (!(Math.abs(state.difficulty - want.difficulty) <= 1e-6)) {
        wrong.push(`difficulty ${state.difficulty} != ${want.difficulty}`);
      }
      if (wrong.length) {
        mismatches += 1;
        first ??= `case ${caseIndex} (${c.policy}), answer ${answerIndex}: ${wrong.join(", ")}`;
      }
    });
  });
  return { answers, mismatches, first };
}

/**
 * A re-implementation of step from the exported pieces, with one defect switched on at a time,
 * to show that the vector check catches it. With no defect it must pass (checked below), so any
 * failure is due to the defect alone.
 */
function variantStep({ ignoreSameDay = false, skipRound6 = false, dayRound = roundDay, sixRound = round6 } = {}) {
  const r6 = skipRound6 ? (x) => x : sixRound;
  return (state, day, correct, settings) => {
    if (!ignoreSameDay && state.last_day != null && day <= state.last_day) return state;
    let s;
    let d;
    if (state.stability == null) {
      s = correct ? W[2] : W[0];
      d = correct ? INIT_D_GOOD : INIT_D_AGAIN;
    } else {
      const r = retrievability(day - state.last_day, state.stability);
      s = nextStability(state.stability, state.difficulty, r, correct);
      d = nextDifficulty(state.difficulty, correct);
    }
    s = r6(clamp(s, S_MIN, S_MAX));
    d = r6(clamp(d, D_MIN, D_MAX));
    const streak = correct ? state.streak + 1 : 0;
    let due;
    let retired;
    if (settings.policy === "fsrs") {
      const raw = (s / FACTOR) * (settings.desired_retention ** INV_DECAY - 1.0);
      due = day + Math.min(Math.max(dayRound(raw), 1), settings.max_interval);
      retired = s >= settings.retire_stability;
    } else {
      due = day + (correct ? settings.right_days : settings.wrong_days);
      retired = streak >= settings.retire_streak;
    }
    const reps = state.reps + 1;
    const lapses = state.lapses + (correct ? 0 : 1);
    return { stability: s, difficulty: d, last_day: day, due_day: due, retired, streak, reps, lapses };
  };
}

describe("golden vectors (tests/vectors/scheduler.json)", () => {
  test("the file holds the expected cases", () => {
    assert.equal(CASES.length, 7000);
    assert.equal(ANCHORED.length, 1600);
    for (const c of CASES) assert.equal(c.answers.length, c.expected.length);
    assert.deepEqual(new Set(CASES.map((c) => c.policy)), new Set(POLICIES));
  });

  test("step reproduces every expected state", () => {
    const { answers, mismatches, first } = checkVectors(step);
    assert.ok(answers > 40_000, `only ${answers} answers`);
    assert.equal(mismatches, 0, `${mismatches} of ${answers} answers mismatch; first: ${first}`);
  });

  test("and bit for bit, not just within 1e-6", () => {
    CASES.forEach((c, caseIndex) => {
      const settings = settingsFor(c.policy, c.settings);
      let state = NEW;
      c.answers.forEach((a, answerIndex) => {
        state = step(state, a.day, a.correct, settings);
        const want = c.expected[answerIndex];
        if (state.stability !== want.stability || state.difficulty !== want.difficulty) {
          const got = `${state.stability}/${state.difficulty}`;
          assert.fail(`case ${caseIndex}, answer ${answerIndex}: ${got} != ${want.stability}/${want.difficulty}`);
        }
      });
    });
  });

  test("the faithful variant used below passes too (fsrs and the streak rule)", () => {
    const { mismatches, first } = checkVectors(variantStep(), STREAK_AND_FSRS);
    assert.equal(mismatches, 0, first);
  });

  for (const [name, broken] of [
    ["without the lucky-guess discount", (state, day, correct, settings) => step(state, day, correct, { ...settings, options: 0 })],
    ["putting the end check on the campaign's last day", (state, day, correct, settings) => step(state, day, correct, { ...settings, end_check_days: 0 })],
    ["ignoring the booster", (state, day, correct, settings) => step(state, day, correct, { ...settings, booster_days: 0 })],
    ["as if the campaign had no end", (state, day, correct, settings) => step(state, day, correct, { ...settings, end_day: null })],
  ]) {
    test(`the anchored vectors fail for a step ${name}`, () => {
      const { mismatches } = checkVectors(broken, ANCHORED);
      assert.ok(mismatches > 0, "the broken variant passed the vectors");
    });
  }

  for (const [name, options] of [
    ["ignoring the same-day rule", { ignoreSameDay: true }],
    ["skipping round6", { skipRound6: true }],
    ["truncating in round6 (no + 0.5)", { sixRound: (x) => Math.trunc(x * 1e6) / 1e6 }],
    ["truncating intervals instead of floor(x + 0.5)", { dayRound: Math.trunc }],
    ["rounding intervals up (Math.ceil)", { dayRound: Math.ceil }],
  ]) {
    test(`the check fails for a step ${name}`, () => {
      const { mismatches, first } = checkVectors(variantStep(options), STREAK_AND_FSRS);
      assert.ok(mismatches > 0, "the broken variant passed the vectors");
      assert.match(first, /^case \d+ \(.+\), answer \d+: /);
    });
  }

  test("the check reports the first failing case and answer", () => {
    const tampered = structuredClone(CASES.slice(0, 3));
    tampered[2].expected[0].due_day += 1;
    const { mismatches, first } = checkVectors(step, tampered);
    assert.equal(mismatches, 1);
    assert.match(first, /^case 2 \(\w[\w-]*\), answer 0: due_day \d+ != \d+$/);
  });
});

describe("constants and numbers", () => {
  test("derived constants match their definitions", () => {
    assert.equal(DECAY, -W[20]);
    assert.ok(Math.abs(INV_DECAY - 1 / DECAY) < 1e-12);
    assert.ok(Math.abs(FACTOR - (0.9 ** (1 / DECAY) - 1)) < 1e-12);
    assert.ok(Math.abs(INIT_D_AGAIN - (W[4] - Math.exp(W[5] * 0) + 1)) < 1e-12);
    assert.ok(Math.abs(INIT_D_GOOD - (W[4] - Math.exp(W[5] * 2) + 1)) < 1e-12);
    assert.ok(Math.abs(INIT_D_EASY - (W[4] - Math.exp(W[5] * 3) + 1)) < 1e-12);
    assert.ok(Math.abs(EXP_W8 - Math.exp(W[8])) < 1e-12);
    assert.ok(Math.abs(FORGET_CAP - Math.exp(W[17] * W[18])) < 1e-12);
    assert.equal(W.length, 21);
  });

  test("round6 and roundDay round half up, not to even", () => {
    assert.equal(round6(2.118103970459016), 2.118104);
    assert.equal(round6(0.0000025), 0.000003);
    assert.equal(round6(-0.0000025), -0.000002);
    assert.equal(roundDay(2.5), 3); // banker's rounding (Python's round) would give 2
    assert.equal(roundDay(0.5), 1);
    assert.equal(roundDay(3.5), 4);
    assert.equal(roundDay(2.4999), 2);
  });

  test("retrievability is 0.9 when elapsed time equals stability, and 1 at t = 0", () => {
    assert.ok(Math.abs(retrievability(10, 10) - 0.9) < 1e-12);
    assert.equal(retrievability(0, 5), 1);
  });

  test("the fsrs interval at 90% retention is the stability; clamped to [1, max_interval]", () => {
    assert.equal(fsrsInterval(10, settingsFor("fsrs", { desired_retention: 0.9 })), 10);
    assert.equal(fsrsInterval(0.001, settingsFor("fsrs")), 1);
    assert.equal(fsrsInterval(36500, settingsFor("fsrs", { max_interval: 30 })), 30);
  });
});

describe("settingsFor", () => {
  test("policy defaults, overrides on top, null meaning default", () => {
    assert.deepEqual(settingsFor("fsrs"), {
      policy: "fsrs",
      desired_retention: 0.85,
      retire_stability: 90,
      max_interval: 36500,
      wrong_days: 12,
      right_days: 24,
      retire_streak: 2,
    });
    assert.equal(settingsFor("classic-long").wrong_days, 21);
    assert.equal(settingsFor("classic-long").right_days, 42);
    assert.equal(settingsFor("turbo").retire_streak, 1);
    assert.equal(settingsFor("lightning").retire_streak, 0);
    assert.equal(settingsFor("classic", { right_days: 30, wrong_days: null }).right_days, 30);
    assert.equal(settingsFor("classic", { right_days: 30, wrong_days: null }).wrong_days, 12);
    assert.ok(Object.isFrozen(settingsFor("fsrs")));
  });

  test("rejects unknown policies", () => {
    assert.throws(() => settingsFor("spaced"), {
      name: "RangeError",
      message: "unknown policy 'spaced': use one of fsrs, classic, classic-long, turbo, lightning, anchored",
    });
    assert.throws(() => settingsFor(undefined), RangeError);
    assert.throws(() => settingsFor("toString"), RangeError);
  });

  test("rejects bad values", () => {
    const retention = /desired_retention must be between 0.5 and 0.99/;
    const intervals = /intervals must be at least 1 day and retire_streak at least 0/;
    assert.throws(() => settingsFor("fsrs", { desired_retention: 0.49 }), retention);
    assert.throws(() => settingsFor("fsrs", { desired_retention: 0.995 }), retention);
    assert.throws(() => settingsFor("fsrs", { desired_retention: NaN }), /must be a finite number/);
    assert.throws(() => settingsFor("fsrs", { max_interval: Infinity }), /must be a finite number/);
    assert.throws(() => settingsFor("classic", { wrong_days: 2.5 }), /must be a whole number of days/);
    assert.throws(() => settingsFor("fsrs", { retire_stability: -5 }), /retire_stability must be more than 0 days/);
    assert.throws(() => settingsFor("classic", { wrong_days: true }), TypeError);
    assert.throws(() => settingsFor("fsrs", { max_interval: 0 }), intervals);
    assert.throws(() => settingsFor("classic", { wrong_days: 0 }), intervals);
    assert.throws(() => settingsFor("classic", { right_days: -3 }), intervals);
    assert.throws(() => settingsFor("turbo", { retire_streak: -1 }), intervals);
    assert.throws(() => settingsFor("classic", { wrong_days: "12" }), TypeError);
    assert.throws(() => settingsFor("classic", { wrongDays: 12 }), TypeError);
    assert.throws(() => settingsFor("classic", { policy: "fsrs" }), TypeError);
    // The bounds themselves are allowed.
    assert.equal(settingsFor("fsrs", { desired_retention: 0.5 }).desired_retention, 0.5);
    assert.equal(settingsFor("fsrs", { desired_retention: 0.99, max_interval: 1 }).max_interval, 1);
    assert.equal(settingsFor("classic", { retire_streak: 0, wrong_days: 1, right_days: 1 }).retire_streak, 0);
  });
});

describe("step", () => {
  const fsrs = settingsFor("fsrs");
  const classic = settingsFor("classic");

  test("first answer, right", () => {
    assert.deepEqual(step(NEW, 20000, true, classic), {
      stability: 2.3065,
      difficulty: 2.118104,
      last_day: 20000,
      due_day: 20024,
      retired: false,
      streak: 1,
      reps: 1,
      lapses: 0,
    });
    const s = step(NEW, 20000, true, fsrs);
    assert.equal(s.due_day, 20000 + fsrsInterval(2.3065, fsrs));
    assert.equal(s.retired, false);
  });

  test("first answer, wrong", () => {
    assert.deepEqual(step(NEW, 20000, false, classic), {
      stability: 0.212,
      difficulty: 6.4133,
      last_day: 20000,
      due_day: 20012,
      retired: false,
      streak: 0,
      reps: 1,
      lapses: 1,
    });
  });

  test("a second answer on the same day (or an earlier one) changes nothing", () => {
    for (const settings of [fsrs, classic, settingsFor("turbo")]) {
      const first = step(NEW, 20000, false, settings);
      assert.deepEqual(step(first, 20000, true, settings), first);
      assert.deepEqual(step(first, 19999, true, settings), first);
      const second = step(first, 20003, true, settings);
      assert.deepEqual(step(second, 20003, false, settings), second);
    }
  });

  test("never mutates its input and returns frozen states", () => {
    const before = { ...NEW };
    const a = step(before, 20000, true, fsrs);
    assert.deepEqual(before, NEW);
    assert.ok(Object.isFrozen(a));
    const plain = { ...a };
    const b = step(plain, 20010, false, fsrs);
    assert.deepEqual(plain, a);
    assert.notEqual(b, plain);
    const same = step(plain, 20010 - 10, true, fsrs);
    assert.notEqual(same, plain);
    assert.deepEqual(same, plain);
    assert.ok(Object.isFrozen(same));
  });

  test("states survive a JSON round trip (snake_case keys, null for never)", () => {
    const a = step(NEW, 20000, true, fsrs);
    const wire = JSON.parse(JSON.stringify(a));
    assert.deepEqual(step(wire, 20005, false, fsrs), step(a, 20005, false, fsrs));
    assert.deepEqual(step(JSON.parse(JSON.stringify(NEW)), 20000, true, fsrs), a);
  });

  test("a later answer follows the FSRS-6 formulas", () => {
    const a = step(NEW, 20000, true, fsrs);
    const b = step(a, 20003, true, fsrs);
    const r = retrievability(3, a.stability);
    assert.equal(b.stability, round6(nextStability(a.stability, a.difficulty, r, true)));
    assert.equal(b.difficulty, round6(nextDifficulty(a.difficulty, true)));
    assert.ok(b.stability > a.stability);
    const c = step(b, 20030, false, fsrs);
    assert.ok(c.stability <= b.stability / FORGET_CAP);
    assert.ok(c.difficulty > b.difficulty);
    assert.deepEqual([c.streak, c.reps, c.lapses], [0, 3, 1]);
  });

  test("classic retires after 2 right in a row; a wrong answer resets the streak and un-retires", () => {
    let s = step(NEW, 100, true, classic);
    assert.deepEqual([s.streak, s.retired, s.due_day], [1, false, 124]);
    s = step(s, 124, false, classic);
    assert.deepEqual([s.streak, s.retired, s.due_day], [0, false, 136]);
    s = step(s, 136, true, classic);
    assert.deepEqual([s.streak, s.retired], [1, false]);
    s = step(s, 160, true, classic);
    assert.deepEqual([s.streak, s.retired, s.due_day], [2, true, 184]);
    s = step(s, 200, false, classic); // arrives anyway, from another device
    assert.deepEqual([s.streak, s.retired, s.due_day], [0, false, 212]);
  });

  test("classic-long uses 21 and 42 days", () => {
    const long = settingsFor("classic-long");
    assert.equal(step(NEW, 100, false, long).due_day, 121);
    assert.equal(step(NEW, 100, true, long).due_day, 142);
  });

  test("turbo retires after one right answer; wrong answers repeat", () => {
    const turbo = settingsFor("turbo");
    const wrong = step(NEW, 100, false, turbo);
    assert.deepEqual([wrong.retired, wrong.due_day], [false, 112]);
    assert.equal(step(NEW, 100, true, turbo).retired, true);
    assert.equal(step(wrong, 112, true, turbo).retired, true);
  });

  test("lightning retires after any answer", () => {
    const lightning = settingsFor("lightning");
    assert.equal(step(NEW, 100, false, lightning).retired, true);
    assert.equal(step(NEW, 100, true, lightning).retired, true);
    assert.equal(step(step(NEW, 100, true, lightning), 101, false, lightning).retired, true);
  });

  test("fsrs retires once stability reaches retire_stability", () => {
    const low = settingsFor("fsrs", { retire_stability: 2.3065 });
    assert.equal(step(NEW, 100, true, low).retired, true);
    assert.equal(step(NEW, 100, false, low).retired, false);
  });

  test("stability and difficulty stay within their bounds", () => {
    let s = NEW;
    for (let day = 0; day < 60; day += 1) s = step(s, day, false, fsrs);
    assert.equal(s.stability, S_MIN);
    assert.ok(s.difficulty > 9.9 && s.difficulty <= D_MAX); // mean reversion keeps it just under 10
    s = NEW;
    for (let day = 0; day < 40 * 4000; day += 4000) s = step(s, day, true, fsrs);
    assert.equal(s.stability, S_MAX);
    assert.ok(s.difficulty >= D_MIN);
  });
});

describe("replay", () => {
  /** A tiny deterministic PRNG (mulberry32), so the shuffles are reproducible. */
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function shuffle(list, random) {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  const answers = [
    { id: "018f-0003", day: 20000, answered_at: "2024-10-04T09:00:03.000Z", correct: false },
    { id: "018f-0001", day: 20000, answered_at: "2024-10-04T09:00:01.000Z", correct: true },
    { id: "018f-0002", day: 20000, answered_at: "2024-10-04T09:00:01.000Z", correct: false },
    { id: "018f-0010", day: 20004, answered_at: "2024-10-08T18:00:00.000Z", correct: false },
    { id: "018f-0011", day: 20004, answered_at: "2024-10-08T18:30:00.000Z", correct: true },
    { id: "018f-0020", day: 20030, answered_at: "2024-11-03T07:00:00.000Z", correct: true },
    { id: "018f-0030", day: 20029, answered_at: "2024-11-03T01:00:00.000Z", correct: true },
  ];

  test("replayOrder sorts by day, then answered-at, then id, without touching the input", () => {
    const input = [...answers];
    assert.deepEqual(
      replayOrder(input).map((a) => a.id),
      ["018f-0001", "018f-0002", "018f-0003", "018f-0010", "018f-0011", "018f-0030", "018f-0020"],
    );
    assert.deepEqual(input, answers);
  });

  test("replayOrder compares strings by code unit, not by locale", () => {
    const order = replayOrder([
      { id: "b", day: 1, answered_at: "x", correct: true },
      { id: "B", day: 1, answered_at: "x", correct: true },
      { id: "a", day: 1, answered_at: "x", correct: true },
    ]);
    assert.deepEqual(order.map((a) => a.id), ["B", "a", "b"]); // localeCompare would give a, b, B
  });

  test("replay equals stepping through the answers in replay order", () => {
    const settings = settingsFor("fsrs");
    let state = NEW;
    for (const a of replayOrder(answers)) state = step(state, a.day, a.correct, settings);
    const replayed = replay(answers, settings);
    assert.deepEqual(replayed, state);
    // Only the first answer of each day counts: 0001 (right), 0010 (wrong), 0030, 0020.
    assert.deepEqual([replayed.reps, replayed.lapses, replayed.streak, replayed.last_day], [4, 1, 2, 20030]);
    assert.deepEqual(replay([], settings), NEW);
  });

  test("replay is order-independent", () => {
    const random = rng(7);
    for (const policy of POLICIES) {
      const settings = settingsFor(policy);
      const expected = replay(answers, settings);
      for (let i = 0; i < 50; i += 1) assert.deepEqual(replay(shuffle(answers, random), settings), expected);
    }
  });

  test("replay of a vector case's answers, shuffled, gives its last expected state", () => {
    const random = rng(11);
    CASES.slice(0, 300).forEach((c, caseIndex) => {
      const settings = settingsFor(c.policy, c.settings);
      const at = "2024-01-01T00:00:00.000Z"; // one instant: ids (in recorded order) break the ties
      const recorded = c.answers.map((a, i) => ({ ...a, id: String(i).padStart(4, "0"), answered_at: at }));
      const got = replay(shuffle(recorded, random), settings);
      const want = c.expected.at(-1);
      assert.deepEqual(
        { stability: got.stability, difficulty: got.difficulty, due_day: got.due_day, retired: got.retired },
        want,
        `case ${caseIndex}`,
      );
    });
  });
});

describe("isDue and queue", () => {
  const settings = settingsFor("classic");
  const answered = (day, correct) => step(NEW, day, correct, settings); // due day + 12 or + 24
  const ids = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"];

  test("isDue", () => {
    const s = answered(100, false); // due 112
    assert.equal(isDue(NEW, 200), false);
    assert.equal(isDue(s, 111), false);
    assert.equal(isDue(s, 112), true);
    assert.equal(isDue(s, 150), true);
    assert.equal(isDue({ ...s, retired: true }, 150), false);
    assert.equal(isDue({ ...s, last_day: 150 }, 150), false);
  });

  test("due repeats first, most overdue first, ties in campaign order; then new in campaign order", () => {
    const states = {
      q2: answered(90, true), // due 114
      q3: answered(100, false), // due 112
      q5: answered(88, true), // due 112
      q6: answered(110, true), // due 134: not due
    };
    assert.deepEqual(queue(120, ids, states, 10), ["q3", "q5", "q2", "q1", "q4", "q7"]);
    assert.deepEqual(queue(120, ids, new Map(Object.entries(states)), 10), ["q3", "q5", "q2", "q1", "q4", "q7"]);
    assert.deepEqual(queue(120, ids, states, 4), ["q3", "q5", "q2", "q1"]);
  });

  test("the cap counts questions already answered today", () => {
    const states = { q1: answered(120, true), q2: answered(120, false), q3: answered(100, false) };
    assert.deepEqual(queue(120, ids, states, 5), ["q3", "q4", "q5"]);
    assert.deepEqual(queue(120, ids, states, 2), []);
    assert.deepEqual(queue(120, ids, states, 0), []);
  });

  test("nothing before the start day", () => {
    assert.deepEqual(queue(99, ids, {}, 3, 100), []);
    assert.deepEqual(queue(100, ids, {}, 3, 100), ["q1", "q2", "q3"]);
    assert.deepEqual(queue(100, ids, {}, 3, null), ["q1", "q2", "q3"]);
  });

  test("retired questions are never queued, even when overdue", () => {
    let q1 = answered(10, true);
    q1 = step(q1, 40, true, settings); // retired, due 64
    assert.equal(q1.retired, true);
    assert.deepEqual(queue(500, ["q1", "q2"], { q1 }, 10), ["q2"]);
  });

  test("a state with no answers counts as new", () => {
    assert.deepEqual(queue(5, ["q1", "q2"], { q1: NEW }, 10), ["q1", "q2"]);
  });
});

describe("localDay", () => {
  const ms = (iso) => Date.parse(iso); // test-only: the module itself never reads a clock

  test("the day starts at the rollover hour (04:00 by default)", () => {
    const day = localDay(ms("2024-10-04T12:00:00Z"), 0);
    assert.equal(day, Math.floor(ms("2024-10-04T00:00:00Z") / 86_400_000));
    assert.equal(localDay(ms("2024-10-05T01:30:00Z"), 0), day); // 01:30 counts for the evening before
    assert.equal(localDay(ms("2024-10-05T03:59:59.999Z"), 0), day);
    assert.equal(localDay(ms("2024-10-05T04:00:00Z"), 0), day + 1);
    assert.equal(localDay(ms("2024-10-05T01:30:00Z"), 0, 0), day + 1);
    assert.equal(localDay(ms("2024-10-05T05:30:00Z"), 0, 6), day);
  });

  test("positive offsets (east of UTC)", () => {
    const day = localDay(ms("2024-10-04T12:00:00Z"), 0);
    // 01:30 in UTC+2 on the 5th is 23:30 UTC on the 4th: still the 4th locally.
    assert.equal(localDay(ms("2024-10-04T23:30:00Z"), 120), day);
    // 04:30 in UTC+5:30 on the 5th is 23:00 UTC on the 4th: the 5th locally.
    assert.equal(localDay(ms("2024-10-04T23:00:00Z"), 330), day + 1);
    // 14:00 in UTC+14 on the 5th is 00:00 UTC on the 5th.
    assert.equal(localDay(ms("2024-10-05T00:00:00Z"), 840), day + 1);
  });

  test("negative offsets (west of UTC)", () => {
    const day = localDay(ms("2024-10-04T12:00:00Z"), 0);
    // 01:30 in UTC-5 on the 5th is 06:30 UTC on the 5th: counts for the 4th.
    assert.equal(localDay(ms("2024-10-05T06:30:00Z"), -300), day);
    // 04:00 in UTC-5 on the 5th is 09:00 UTC.
    assert.equal(localDay(ms("2024-10-05T09:00:00Z"), -300), day + 1);
    // 22:00 in UTC-9:30 on the 4th is 07:30 UTC on the 5th.
    assert.equal(localDay(ms("2024-10-05T07:30:00Z"), -570), day);
  });

  test("floors before 1970 and at the epoch", () => {
    assert.equal(localDay(0, 0, 0), 0);
    assert.equal(localDay(0, 0), -1);
    assert.equal(localDay(-1, 0, 0), -1);
    assert.equal(localDay(-86_400_000, 0, 0), -1);
    assert.equal(localDay(-86_400_001, 0, 0), -2);
    assert.equal(localDay(4 * 3_600_000, 0), 0);
  });
});

describe("anchored", () => {
  const settings = settingsFor("anchored", { end_day: 200, options: 4 });

  test("defaults, and anchored settings only for anchored", () => {
    assert.equal(settings.budget, 4);
    assert.equal(settings.end_check_days, 10);
    assert.equal(settings.booster_days, 0);
    assert.equal(settings.spot_check_days, 0);
    assert.equal(settingsFor("classic", { budget: 6 }).budget, undefined);
    assert.throws(() => settingsFor("anchored", { budget: 0.5 }), /budget must be between 1 and 20/);
    assert.throws(() => settingsFor("anchored", { spot_check_days: 3 }), /spot_check_days must be 0/);
    assert.throws(() => settingsFor("anchored", { options: 1 }), /options must be 0/);
    assert.throws(() => settingsFor("anchored", { end_check_days: 90 }), /horizon_days must be more than end_check_days/);
  });

  test("the checks double their gaps and the last lands on the end check day, then it retires", () => {
    let state = NEW;
    const due = [];
    for (let day = 100; !state.retired; day = state.due_day) {
      state = step(state, day, true, settings);
      due.push(state.due_day);
    }
    // 190 = 200 - 10: gaps of 90/7, then (190 - 113)/3, then what is left.
    assert.deepEqual(due, [113, 139, 190, 190]);
    assert.equal(state.reps, 4);
  });

  test("a wrong answer brings the next check within wrong_days, and the budget stays the same", () => {
    const s = settingsFor("anchored", { end_day: 200, wrong_days: 3 });
    const after = step(NEW, 100, false, s);
    assert.equal(after.due_day, 103);
    assert.deepEqual(anchoredNext(4, 190, true, false, s), [190, true]);
  });

  test("booster and spot checks bring an ended question back", () => {
    const s = settingsFor("anchored", { end_day: 200, booster_days: 75, spot_check_days: 60 });
    assert.deepEqual(anchoredNext(4, 190, true, false, s), [275, false]);
    assert.deepEqual(anchoredNext(5, 275, true, false, s), [335, false]);
    assert.deepEqual(anchoredNext(5, 275, false, true, s), [287, false]);
  });

  test("a lucky guess is discounted: a right answer on a 4-option question moves memory less", () => {
    const plain = step(NEW, 100, true, settingsFor("anchored", { end_day: 200 }));
    const discounted = step(NEW, 100, true, settings);
    assert.ok(discounted.stability < plain.stability);
    assert.equal(recallWeight(0.5, 4), 0.8);
    assert.equal(recallWeight(0.5, 0), 1);
  });

  test("a campaign's budget is spread over its questions in whole answers", () => {
    const shares = Array.from({ length: 10 }, (_, i) => questionBudget(3.5, i));
    assert.deepEqual(shares, [3, 4, 3, 4, 3, 4, 3, 4, 3, 4]);
  });

  test("the queue puts new questions first when asked to", () => {
    const states = { a: { ...NEW, reps: 1, last_day: 1, due_day: 2 } };
    assert.deepEqual(queue(5, ["a", "b"], states, 1), ["a"]);
    assert.deepEqual(queue(5, ["a", "b"], states, 1, null, true), ["b"]);
  });
});
