// What to study today: pure functions over the library snapshot and the learner's states.
//
// Per campaign, today's questions come from the scheduler's queue() (docs/scheduler.md §6: due
// repeats before new questions, the campaign's daily cap, nothing before its start). The
// campaigns shown are those in the learner's language (all of them if none is), in id order;
// a question named by two campaigns is asked once. Across campaigns, due repeats come first
// (most overdue first), then new questions, each in campaign order.
import { localDay, queue } from "./scheduler.js";
import { answerKey } from "./answer-key.js";

/** The local day number of a calendar date "YYYY-MM-DD" (days since 1970-01-01), or null. */
export function dayOfDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : null;
}

/** The learner's local day number now (docs/scheduler.md §1), in the device's time zone. */
export function today(rolloverHour = 4, now = Date.now()) {
  return localDay(now, -new Date(now).getTimezoneOffset(), rolloverHour);
}

/** The campaigns for a learner reading `language`, in id order. */
export function campaignsFor(snapshot, language) {
  const all = [...(snapshot?.campaigns ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const mine = all.filter((c) => (c.language ?? "en") === language);
  return mine.length ? mine : all;
}

/** Every question id of these campaigns that the snapshot has, once, in campaign order. */
export function planQuestionIds(snapshot, campaigns) {
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const ids = [];
  for (const c of campaigns) for (const qid of c.questions ?? []) if (known.has(qid) && !ids.includes(qid)) ids.push(qid);
  return ids;
}

const stateOf = (states, qid) => (states instanceof Map ? states.get(qid) : states?.[qid]);
const isRepeat = (state) => Boolean(state && state.reps > 0);

/**
 * Today's questions across campaigns.
 * @param {object} snapshot the library
 * @param {object[]} campaigns from campaignsFor
 * @param {Map<string, object>} states the learner's current states by question id
 * @param {number} day the local day number
 * @returns {Array<{questionId: string, campaignId: string, repeat: boolean, dueDay: number|null}>}
 */
export function todaysQueue(snapshot, campaigns, states, day) {
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const seen = new Set();
  const picked = [];
  for (const c of campaigns) {
    const ids = (c.questions ?? []).filter((qid) => known.has(qid));
    for (const qid of queue(day, ids, states, c.daily_cap ?? 3, dayOfDate(c.start))) {
      if (seen.has(qid)) continue;
      seen.add(qid);
      const state = stateOf(states, qid);
      picked.push({ questionId: qid, campaignId: c.id, repeat: isRepeat(state), dueDay: state?.due_day ?? null });
    }
  }
  const repeats = picked.filter((p) => p.repeat).sort((a, b) => a.dueDay - b.dueDay); // stable: ties keep campaign order
  return repeats.concat(picked.filter((p) => !p.repeat));
}

/** How many of these questions were answered (counted) on `day`. */
export function answeredOn(states, questionIds, day) {
  return questionIds.filter((qid) => stateOf(states, qid)?.last_day === day).length;
}

/**
 * The first day after `day` on which the queue is not empty, or null if nothing is planned.
 * Only these days can open the queue: the next day (new questions), a campaign's start, or a
 * question's due day.
 */
export function nextStudyDay(snapshot, campaigns, states, day) {
  const candidates = new Set([day + 1]);
  for (const c of campaigns) {
    const start = dayOfDate(c.start);
    if (start != null && start > day) candidates.add(start);
  }
  for (const qid of planQuestionIds(snapshot, campaigns)) {
    const state = stateOf(states, qid);
    if (state && !state.retired && state.due_day != null && state.due_day > day) candidates.add(state.due_day);
  }
  for (const d of [...candidates].sort((a, b) => a - b)) {
    if (todaysQueue(snapshot, campaigns, states, d).length) return d;
  }
  return null;
}

/** True when `choice` (option numbers, 1 = first) is exactly the question's right options. */
export function isCorrect(question, choice) {
  const right = answerKey(question).options;
  const chosen = [...new Set(choice)].sort((a, b) => a - b);
  return chosen.length === right.length && chosen.every((n, i) => n === right[i]);
}
