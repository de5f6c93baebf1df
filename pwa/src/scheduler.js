// The scheduler: what a learner's answers to one question mean for when it comes back.
//
// A pure implementation of docs/scheduler.md (the spec is authoritative): state and answer in,
// next state out. No clock, no I/O, no randomness, no dependencies. It must stay in step with
// sync/scheduler.py, which implements the same spec on the server; both are checked against
// tests/vectors/scheduler.json. Keep every arithmetic step in the same order as the Python code:
// the two languages agree to the last bit only on the same sequence of operations.
//
// States travel over the wire as JSON, so their keys are snake_case, as in Python:
// { stability, difficulty, last_day, due_day, retired, streak, reps, lapses }.

/** The policies a campaign can choose (its `repeat` field). */
export const POLICIES = Object.freeze(["fsrs", "classic", "classic-long", "turbo", "lightning", "anchored"]);
/** The repeat mode of a campaign that names none (docs/scheduler.md §8), as sync/scheduler.py DEFAULT_POLICY. */
export const DEFAULT_POLICY = "anchored";

/** FSRS-6 default parameters w0..w20, as published with py-fsrs 6.x. */
export const W = Object.freeze([
  0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
  1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
]);

// Derived constants, computed once with 40-digit decimals and written out (the same strings as
// sync/scheduler.py), so that both languages start from the same doubles.
/** -w20, the FSRS-6 forgetting-curve exponent. */
export const DECAY = Number("-0.1542");
/** 1 / DECAY. */
export const INV_DECAY = Number("-6.485084306095979247730220492866407263294");
/** 0.9^(1 / DECAY) - 1. */
export const FACTOR = Number("0.9803464944134800452233344617038006680550");
/** w4 - e^(w5 * 0) + 1: initial difficulty after a wrong answer. */
export const INIT_D_AGAIN = Number("6.4133");
/** w4 - e^(w5 * 2) + 1: initial difficulty after a right answer. */
export const INIT_D_GOOD = Number("2.118103970459015793854052975030198089071");
/** w4 - e^(w5 * 3) + 1, unclamped: the mean-reversion target of difficulty. */
export const INIT_D_EASY = Number("-4.771630703161737484306948492725210004800");
/** e^w8. */
export const EXP_W8 = Number("6.502586364563327293975649864959822638656");
/** e^(w17 * w18): a wrong answer divides stability by at least this. */
export const FORGET_CAP = Number("1.050720374623223484788182809081760405107");

/** Stability bounds, in days. */
export const S_MIN = 0.001;
export const S_MAX = 36500.0;
/** Difficulty bounds. */
export const D_MIN = 1.0;
export const D_MAX = 10.0;

/** Round to 1e-6 as floor(x * 1e6 + 0.5) / 1e6, the same in every language. */
export function round6(x) {
  return Math.floor(x * 1_000_000 + 0.5) / 1_000_000;
}

/** Round an interval to whole days: floor(x + 0.5), not banker's rounding. */
export function roundDay(x) {
  return Math.floor(x + 0.5);
}

/** `lo` if x < lo, `hi` if x > hi, else x. */
export function clamp(x, lo, hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Settings every policy has, with the `fsrs` defaults (as Python's `Settings` dataclass). */
const BASE_SETTINGS = Object.freeze({
  desired_retention: 0.85,
  retire_stability: 90.0,
  max_interval: 36500,
  wrong_days: 12,
  right_days: 24,
  retire_streak: 2,
});

/** `anchored` only (docs/scheduler.md §4.1), with their defaults; other policies ignore them. */
const ANCHORED_BASE = Object.freeze({
  end_day: null,
  budget: 4.0,
  end_check_days: 10,
  horizon_days: 90,
  booster_days: 0,
  spot_check_days: 0,
  options: 0,
});

/** anchored: the chance that a first right answer was recall, before the guess discount. */
export const FIRST_RECALL_PRIOR = 0.5;

/** Each policy's defaults on top of BASE_SETTINGS. */
export const POLICY_DEFAULTS = Object.freeze({
  fsrs: Object.freeze({}),
  classic: Object.freeze({ wrong_days: 12, right_days: 24, retire_streak: 2 }),
  "classic-long": Object.freeze({ wrong_days: 21, right_days: 42, retire_streak: 2 }),
  turbo: Object.freeze({ wrong_days: 12, right_days: 24, retire_streak: 1 }),
  lightning: Object.freeze({ wrong_days: 12, right_days: 24, retire_streak: 0 }),
  anchored: Object.freeze({}),
});

/**
 * A campaign's scheduling settings: the policy's defaults with the campaign's own values on top
 * (`null`/`undefined` means default). Same defaults and checks as Python's `settings_for`:
 * throws RangeError for an unknown policy or an out-of-range value, TypeError for an unknown
 * setting or a value that is not a number.
 * @param {string} policy one of POLICIES
 * @param {object} [overrides] any of desired_retention, retire_stability, max_interval,
 *   wrong_days, right_days, retire_streak
 * @returns {Readonly<object>} { policy, desired_retention, retire_stability, max_interval,
 *   wrong_days, right_days, retire_streak }
 */
const WHOLE_SETTINGS = new Set([
  "max_interval", "wrong_days", "right_days", "retire_streak",
  "end_day", "end_check_days", "horizon_days", "booster_days", "spot_check_days", "options",
]);

export function settingsFor(policy, overrides = {}) {
  if (!Object.hasOwn(POLICY_DEFAULTS, policy)) {
    throw new RangeError(`unknown policy '${String(policy)}': use one of ${POLICIES.join(", ")}`);
  }
  const anchored = policy === "anchored";
  const values = { ...BASE_SETTINGS, ...(anchored ? ANCHORED_BASE : {}), ...POLICY_DEFAULTS[policy] };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!Object.hasOwn(BASE_SETTINGS, key) && !Object.hasOwn(ANCHORED_BASE, key)) throw new TypeError(`unknown setting '${key}'`);
    if (value === null || value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`setting '${key}' must be a finite number`);
    }
    if (WHOLE_SETTINGS.has(key) && !Number.isInteger(value)) {
      throw new RangeError(`setting '${key}' must be a whole number of days`);
    }
    if (anchored || Object.hasOwn(BASE_SETTINGS, key)) values[key] = value;
  }
  const settings = Object.freeze({ policy, ...values });
  if (!(0.5 <= settings.desired_retention && settings.desired_retention <= 0.99)) {
    throw new RangeError("desired_retention must be between 0.5 and 0.99");
  }
  if (!(settings.retire_stability > 0)) {
    throw new RangeError("retire_stability must be more than 0 days");
  }
  if (settings.max_interval < 1 || settings.wrong_days < 1 || settings.right_days < 1 || settings.retire_streak < 0) {
    throw new RangeError("intervals must be at least 1 day and retire_streak at least 0");
  }
  if (anchored) checkAnchored(settings);
  return settings;
}

function checkAnchored(s) {
  if (!(1 <= s.budget && s.budget <= 20)) throw new RangeError("budget must be between 1 and 20 answers per question");
  if (!(0 <= s.end_check_days && s.end_check_days <= 365) || !(0 <= s.booster_days && s.booster_days <= 365)) {
    throw new RangeError("end_check_days and booster_days must be between 0 and 365");
  }
  if (s.spot_check_days !== 0 && !(7 <= s.spot_check_days && s.spot_check_days <= 3650)) {
    throw new RangeError("spot_check_days must be 0 (none) or between 7 and 3650");
  }
  if (!(s.end_check_days < s.horizon_days && s.horizon_days <= 3650)) {
    throw new RangeError("horizon_days must be more than end_check_days and at most 3650");
  }
  if (s.options < 0 || s.options === 1) throw new RangeError("options must be 0 (no guess discount) or 2 or more");
}

/**
 * Question `index`'s (0-based, campaign order) share of a campaign's answer budget: a whole
 * number, floor(budget) or one more, so that the campaign's mean is `budget`.
 */
export function questionBudget(budget, index) {
  return Math.floor(budget * (index + 1)) - Math.floor(budget * index);
}

/**
 * The state of a never-answered question. `null` stability means never answered.
 * @type {Readonly<{stability: number|null, difficulty: number|null, last_day: number|null,
 *   due_day: number|null, retired: boolean, streak: number, reps: number, lapses: number}>}
 */
export const NEW = Object.freeze({
  stability: null,
  difficulty: null,
  last_day: null,
  due_day: null,
  retired: false,
  streak: 0,
  reps: 0,
  lapses: 0,
});

/** FSRS-6 probability of recall after `elapsedDays` for a memory of this stability. */
export function retrievability(elapsedDays, stability) {
  return (1.0 + (FACTOR * elapsedDays) / stability) ** DECAY;
}

/** Next difficulty (clamped, not rounded) from difficulty `d` after a right or wrong answer. */
export function nextDifficulty(d, correct) {
  // delta = -w6 * (G - 3): 0 for Good, 2 * w6 for Again.
  const delta = correct ? 0.0 : 2.0 * W[6];
  const damped = d + ((10.0 - d) * delta) / 9.0;
  const reverted = W[7] * INIT_D_EASY + (1.0 - W[7]) * damped;
  return clamp(reverted, D_MIN, D_MAX);
}

/** Next stability (unclamped, unrounded) from stability `s`, old difficulty `d`, recall `r`. */
export function nextStability(s, d, r, correct) {
  if (correct) {
    return s * (1.0 + EXP_W8 * (11.0 - d) * s ** -W[9] * (Math.exp((1.0 - r) * W[10]) - 1.0));
  }
  const longTerm = W[11] * d ** -W[12] * ((s + 1.0) ** W[13] - 1.0) * Math.exp((1.0 - r) * W[14]);
  const shortTerm = s / FORGET_CAP;
  return Math.min(longTerm, shortTerm);
}

/** Days until recall is expected to fall to the desired retention, at least 1, at most max_interval. */
export function fsrsInterval(stability, settings) {
  const raw = (stability / FACTOR) * (settings.desired_retention ** INV_DECAY - 1.0);
  return Math.min(Math.max(roundDay(raw), 1), settings.max_interval);
}

/**
 * The chance that a right answer was recall rather than a lucky guess, for predicted recall `r`
 * and a guess floor of 1/options: r / (r + (1 - r) / options); 1 without options.
 */
export function recallWeight(r, options) {
  if (options < 2) return 1.0;
  return r / (r + (1.0 - r) / options);
}

/** Stability and difficulty after a counted answer (clamped and rounded), as [s, d]. */
function memory(state, day, correct, settings) {
  const discount = settings.policy === "anchored" && correct && settings.options >= 2;
  let s;
  let d;
  if (state.stability == null || state.difficulty == null || state.last_day == null) {
    if (discount) {
      const w = recallWeight(FIRST_RECALL_PRIOR, settings.options);
      s = w * W[2] + (1.0 - w) * W[0];
      d = w * INIT_D_GOOD + (1.0 - w) * INIT_D_AGAIN;
    } else {
      s = correct ? W[2] : W[0];
      d = correct ? INIT_D_GOOD : INIT_D_AGAIN;
    }
  } else {
    const r = retrievability(day - state.last_day, state.stability);
    if (discount) {
      const w = recallWeight(r, settings.options);
      const sRight = nextStability(state.stability, state.difficulty, r, true);
      const sWrong = nextStability(state.stability, state.difficulty, r, false);
      s = w * sRight + (1.0 - w) * sWrong;
      d = w * nextDifficulty(state.difficulty, true) + (1.0 - w) * nextDifficulty(state.difficulty, false);
    } else {
      s = nextStability(state.stability, state.difficulty, r, correct);
      d = nextDifficulty(state.difficulty, correct);
    }
  }
  return [round6(clamp(s, S_MIN, S_MAX)), round6(clamp(d, D_MIN, D_MAX))];
}

/**
 * `anchored`: [due_day, retired] after the `reps`-th counted answer, on `day`; `relearn`: the
 * answer was wrong and the one before it right (docs/scheduler.md §4.1).
 */
export function anchoredNext(reps, day, correct, relearn, settings) {
  const n = Math.max(Math.floor(settings.budget), 1);
  const end = settings.end_day;
  const anchor = end == null ? null : end - settings.end_check_days;
  if (reps < n && (anchor == null || day < anchor)) {
    // Training: the remaining checks split the time to the end check, each gap twice the last.
    let gap =
      anchor == null
        ? ((settings.horizon_days - settings.end_check_days) * 2.0 ** (reps - 1)) / (2.0 ** (n - 1) - 1.0)
        : (anchor - day) / (2.0 ** (n - reps) - 1.0);
    if (!correct) gap = Math.min(gap, settings.wrong_days);
    return [day + Math.max(roundDay(gap), 1), false];
  }
  // The end check is done: only the booster and spot checks can bring it back.
  if (relearn && (settings.booster_days || settings.spot_check_days)) return [day + settings.wrong_days, false];
  if (settings.booster_days) {
    const booster = end == null ? null : end + settings.booster_days;
    if (booster != null && day < booster) return [booster, false];
    if (booster == null && reps === n) return [day + settings.end_check_days + settings.booster_days, false];
  }
  if (settings.spot_check_days) return [day + settings.spot_check_days, false];
  return [day, true];
}

/**
 * The state after an answer on local day `day`. Only the first answer on a local day counts:
 * an answer on or before the day of the last counted answer leaves the state as it is (a frozen
 * copy is returned). Never mutates `state`; always returns a new frozen object.
 * @param {object} state a state such as NEW or a previous result of step
 * @param {number} day the learner's local day number of the answer
 * @param {boolean} correct
 * @param {object} settings from settingsFor
 */
export function step(state, day, correct, settings) {
  if (state.last_day != null && day <= state.last_day) {
    return Object.isFrozen(state) ? state : Object.freeze({ ...state });
  }
  const [s, d] = memory(state, day, correct, settings);
  const streak = correct ? state.streak + 1 : 0;
  const reps = state.reps + 1;
  let due;
  let retired;
  if (settings.policy === "fsrs") {
    due = day + fsrsInterval(s, settings);
    retired = s >= settings.retire_stability;
  } else if (settings.policy === "anchored") {
    [due, retired] = anchoredNext(reps, day, correct, !correct && state.streak > 0, settings);
  } else {
    due = day + (correct ? settings.right_days : settings.wrong_days);
    retired = streak >= settings.retire_streak;
  }
  return Object.freeze({
    stability: s,
    difficulty: d,
    last_day: day,
    due_day: due,
    retired,
    streak,
    reps,
    lapses: state.lapses + (correct ? 0 : 1),
  });
}

/**
 * The spec's replay order: (local day, answered-at, id), as a new array (the input is not
 * sorted in place). Strings compare by plain `<`/`>` (UTF-16 code units, the same as Python's
 * code-point order for the ASCII ISO-8601 times and UUIDs used here), never localeCompare.
 * @param {Iterable<{id: string, day: number, answered_at: string, correct: boolean}>} answers
 */
export function replayOrder(answers) {
  return Array.from(answers).sort((a, b) => {
    if (a.day !== b.day) return a.day < b.day ? -1 : 1;
    if (a.answered_at !== b.answered_at) return a.answered_at < b.answered_at ? -1 : 1;
    if (a.id !== b.id) return a.id < b.id ? -1 : 1;
    return 0;
  });
}

/** A learner's state on a question, from all their answers to it in any order. */
export function replay(answers, settings) {
  let state = NEW;
  for (const answer of replayOrder(answers)) {
    state = step(state, answer.day, answer.correct, settings);
  }
  return state;
}

/** True when an answered question should be asked again on local day `today`. */
export function isDue(state, today) {
  return (
    state.due_day != null &&
    !state.retired &&
    state.due_day <= today &&
    (state.last_day == null || state.last_day < today)
  );
}

/**
 * Today's questions of one campaign: due repeats (most overdue first, ties in campaign order),
 * then never-answered ones in campaign order, at most `dailyCap` less those already answered
 * today; nothing before `startDay`.
 * @param {number} today local day number
 * @param {string[]} questionIds the campaign's questions, in campaign order
 * @param {Map<string, object>|Object<string, object>} states the learner's states by question id
 * @param {number} dailyCap
 * @param {number|null} [startDay] the campaign's start day, if any
 * @param {boolean} [newFirst] new questions before due repeats (the `anchored` policy)
 * @returns {string[]}
 */
export function queue(today, questionIds, states, dailyCap, startDay = null, newFirst = false) {
  if (startDay != null && today < startDay) return [];
  const get =
    states instanceof Map
      ? (qid) => states.get(qid) ?? undefined
      : (qid) => (states != null && Object.hasOwn(states, qid) ? (states[qid] ?? undefined) : undefined);
  const order = new Map();
  questionIds.forEach((qid, i) => order.set(qid, i));
  let answeredToday = 0;
  for (const qid of questionIds) {
    const st = get(qid);
    if (st && st.last_day === today) answeredToday += 1;
  }
  const room = Math.max(dailyCap - answeredToday, 0);
  const due = questionIds
    .filter((qid) => {
      const st = get(qid);
      return st && isDue(st, today);
    })
    .sort((a, b) => {
      const da = get(a).due_day;
      const db = get(b).due_day;
      if (da !== db) return da < db ? -1 : 1;
      return order.get(a) - order.get(b);
    });
  const fresh = questionIds.filter((qid) => {
    const st = get(qid);
    return st === undefined || st.reps === 0;
  });
  return (newFirst ? fresh.concat(due) : due.concat(fresh)).slice(0, room);
}

/**
 * The learner's local day number (days since 1970-01-01 local), a day starting at the rollover
 * hour so that a late-night session counts for the evening before:
 * floor((epochMs + utcOffsetMinutes * 60000 - rolloverHour * 3600000) / 86400000).
 * @param {number} epochMs milliseconds since the Unix epoch (UTC)
 * @param {number} utcOffsetMinutes local time minus UTC, in minutes (e.g. +60 for CET, -300 for EST)
 * @param {number} [rolloverHour] the local hour at which a day starts
 */
export function localDay(epochMs, utcOffsetMinutes, rolloverHour = 4) {
  const shiftedMs = epochMs + utcOffsetMinutes * 60_000 - rolloverHour * 3_600_000;
  // Floor division without a rounded quotient: exact for every safe integer.
  const rem = ((shiftedMs % 86_400_000) + 86_400_000) % 86_400_000;
  return (shiftedMs - rem) / 86_400_000;
}
