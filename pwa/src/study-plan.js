// What to study today: pure functions over the library snapshot, the learner's plan and states.
//
// The same rules as sync/plan.py (docs/scheduler.md §6), checked against the same vectors
// (tests/vectors/plan.json):
// 1. Which campaigns: those of the learner's plan (the pull's `plan`, docs/sync.md: the
//    campaigns whose audience reaches them, with their start days), in the learner's language;
//    all of the plan's when none is in it. Without a plan yet (an older server, the first open),
//    every campaign of the library in the learner's language, each from its own start.
// 2. Per campaign, the scheduler's queue(): nothing before the learner's start or on a pause
//    day; due repeats, then new questions (new first under `anchored`), within the campaign's daily cap; after its end, due
//    repeats only.
// 3. A never-answered question whose translation was answered today is not new today.
// 4. Across campaigns (id order): a question is asked once; new questions of `anchored`
//    campaigns first, then due repeats (most overdue first), then other new questions, at most the learner's total daily limit less every question
//    answered today.
import { DEFAULT_POLICY, localDay, queue } from "./scheduler.js";
import { answerKey } from "./answer-key.js";

/** Questions a day across all campaigns when the server has not said (docs/people.md). */
export const DEFAULT_DAILY_LIMIT = 3;

/** The local day number of a calendar date "YYYY-MM-DD" (days since 1970-01-01), or null. */
export function dayOfDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : null;
}

/** The learner's local day number now (docs/scheduler.md §1), in the device's time zone. */
export function today(rolloverHour = 4, now = Date.now()) {
  return localDay(now, -new Date(now).getTimezoneOffset(), rolloverHour);
}

/**
 * The pull's `plan` in the shape the device keeps, or null when it is missing or malformed
 * (an older server sends none): {daily_limit, campaigns: [{campaign_id, start_day}], practice?:
 * [{item_kind, item_id, observation_id, rubric_id, behaviour_id, observed_on, observed_day}]}.
 */
export function checkPlan(plan) {
  if (plan === null || typeof plan !== "object" || !Array.isArray(plan.campaigns)) return null;
  if (!Number.isSafeInteger(plan.daily_limit) || plan.daily_limit < 1) return null;
  const campaigns = plan.campaigns.filter((c) => typeof c?.campaign_id === "string" && Number.isSafeInteger(c.start_day));
  if (campaigns.length !== plan.campaigns.length) return null;
  const kept = { daily_limit: plan.daily_limit, campaigns: campaigns.map((c) => ({ campaign_id: c.campaign_id, start_day: c.start_day })) };
  // Practice from coaching (docs/scheduler.md §7); a malformed item is left out, not the plan.
  if (Array.isArray(plan.practice)) kept.practice = plan.practice.filter(isPracticeItem).map((p) => ({ ...p }));
  return kept;
}

const PRACTICE_TEXT = ["item_id", "observation_id", "rubric_id", "behaviour_id", "observed_on"];

function isPracticeItem(p) {
  return (
    (p?.item_kind === "question" || p?.item_kind === "refresher") &&
    PRACTICE_TEXT.every((k) => typeof p[k] === "string") &&
    Number.isSafeInteger(p.observed_day)
  );
}

/** A campaign of the snapshot for one learner: its days as day numbers, their start from the plan. */
function forLearner(c, startDay) {
  const pauseDays = (Array.isArray(c.pauses) ? c.pauses : [])
    .map((p) => [dayOfDate(p?.from), dayOfDate(p?.to)])
    .filter(([first, last]) => first != null && last != null);
  return { ...c, start_day: startDay ?? dayOfDate(c.start), end_day: dayOfDate(c.end), pause_days: pauseDays };
}

/** The learner's campaigns in every language, in id order (rule 1 without the language). */
function learnerCampaigns(snapshot, plan) {
  const all = [...(snapshot?.campaigns ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (!plan) return all.map((c) => forLearner(c, null));
  const starts = new Map(plan.campaigns.map((c) => [c.campaign_id, c.start_day]));
  return all.filter((c) => starts.has(c.id)).map((c) => forLearner(c, starts.get(c.id)));
}

/**
 * The campaigns a learner studies, in id order, each with `start_day`, `end_day` and
 * `pause_days` ([[first, last], …]) as day numbers.
 * @param {object} snapshot the library
 * @param {string} language the learner's language
 * @param {object|null} [plan] from checkPlan, or null when the server has sent none
 */
export function campaignsFor(snapshot, language, plan = null) {
  const campaigns = learnerCampaigns(snapshot, plan);
  const mine = campaigns.filter((c) => (c.language ?? "en") === language);
  return mine.length ? mine : campaigns;
}

/** Every question id of these campaigns that the snapshot has, once, in campaign order. */
export function planQuestionIds(snapshot, campaigns) {
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const ids = [];
  for (const c of campaigns) for (const qid of c.questions ?? []) if (known.has(qid) && !ids.includes(qid)) ids.push(qid);
  return ids;
}

/**
 * Each question's original: the end of its `translation_of` chain (itself for an original).
 * Two questions translate each other when they have the same original.
 * @returns {Map<string, string>}
 */
export function translationGroups(questions) {
  const parent = new Map((questions ?? []).map((q) => [q.id, q.translation_of ?? null]));
  const groups = new Map();
  for (const qid of parent.keys()) {
    let root = qid;
    const seen = new Set([qid]);
    for (let up = parent.get(root); up && parent.has(up) && !seen.has(up); up = parent.get(root)) {
      root = up;
      seen.add(root);
    }
    groups.set(qid, root);
  }
  return groups;
}

/**
 * The questions whose states today's queue needs: every question of the learner's campaigns in
 * every language (the total limit counts all answered today), and their translations.
 */
export function stateQuestionIds(snapshot, plan) {
  const every = planQuestionIds(snapshot, learnerCampaigns(snapshot, plan));
  const groups = translationGroups(snapshot?.questions);
  const roots = new Set(every.map((qid) => groups.get(qid) ?? qid));
  for (const [qid, root] of groups) if (roots.has(root) && !every.includes(qid)) every.push(qid);
  return every;
}

const stateOf = (states, qid) => (states instanceof Map ? states.get(qid) : states?.[qid]);
const isRepeat = (state) => Boolean(state && state.reps > 0);
const entriesOf = (states) => (states instanceof Map ? [...states] : Object.entries(states ?? {}));
const newFirst = (c) => (c.repeat || DEFAULT_POLICY) === "anchored"; // the `anchored` repeat mode asks new questions first
const runs = (c, day) => !(c.start_day != null && day < c.start_day) && !c.pause_days.some(([first, last]) => first <= day && day <= last);

/**
 * Today's questions across campaigns, in the order to ask them.
 * @param {object} snapshot the library
 * @param {object[]} campaigns from campaignsFor
 * @param {Map<string, object>} states the learner's states by question id: every question of
 *   their campaigns in every language and their translations (stateQuestionIds), since the
 *   total limit counts every question answered today
 * @param {number} day the local day number
 * @param {number} [dailyLimit] the learner's total daily limit (the plan's)
 * @returns {Array<{questionId: string, campaignId: string, repeat: boolean, dueDay: number|null}>}
 */
export function todaysQueue(snapshot, campaigns, states, day, dailyLimit = DEFAULT_DAILY_LIMIT) {
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const groups = translationGroups(snapshot?.questions);
  const answeredToday = entriesOf(states).filter(([, st]) => st?.last_day === day).map(([qid]) => qid);
  const rootsToday = new Set(answeredToday.map((qid) => groups.get(qid) ?? qid));
  const seen = new Set();
  const picked = [];
  for (const c of campaigns) {
    if (!runs(c, day)) continue;
    // A new question whose translation was answered today waits (a learner who switched language).
    const ids = (c.questions ?? []).filter(
      (qid) => known.has(qid) && !(!isRepeat(stateOf(states, qid)) && rootsToday.has(groups.get(qid) ?? qid)),
    );
    let chosen = queue(day, ids, states, c.daily_cap ?? 3, null, newFirst(c));
    if (c.end_day != null && day > c.end_day) chosen = chosen.filter((qid) => isRepeat(stateOf(states, qid)));
    for (const qid of chosen) {
      if (seen.has(qid)) continue;
      seen.add(qid);
      const state = stateOf(states, qid);
      picked.push({ questionId: qid, campaignId: c.id, repeat: isRepeat(state), dueDay: state?.due_day ?? null });
    }
  }
  const repeats = picked.filter((p) => p.repeat).sort((a, b) => a.dueDay - b.dueDay); // stable: ties keep campaign order
  const room = Math.max(dailyLimit - answeredToday.length, 0);
  // New questions of `anchored` campaigns come before due repeats.
  const firstIds = new Set(campaigns.filter(newFirst).map((c) => c.id));
  const first = picked.filter((p) => !p.repeat && firstIds.has(p.campaignId));
  return first.concat(repeats, picked.filter((p) => !p.repeat && !firstIds.has(p.campaignId))).slice(0, room);
}

/** How many of these questions were answered (counted) on `day`. */
export function answeredOn(states, questionIds, day) {
  return questionIds.filter((qid) => stateOf(states, qid)?.last_day === day).length;
}

/**
 * The first day after `day` on which the queue is not empty, or null if nothing is planned.
 * Only these days can open the queue: the next day (new questions), a campaign's start, the
 * day after a pause, or a question's due day.
 */
export function nextStudyDay(snapshot, campaigns, states, day, dailyLimit = DEFAULT_DAILY_LIMIT) {
  const candidates = new Set([day + 1]);
  for (const c of campaigns) {
    if (c.start_day != null && c.start_day > day) candidates.add(c.start_day);
    for (const [, last] of c.pause_days) if (last + 1 > day) candidates.add(last + 1);
  }
  for (const qid of planQuestionIds(snapshot, campaigns)) {
    const state = stateOf(states, qid);
    if (state && !state.retired && state.due_day != null && state.due_day > day) candidates.add(state.due_day);
  }
  for (const d of [...candidates].sort((a, b) => a - b)) {
    if (todaysQueue(snapshot, campaigns, states, d, dailyLimit).length) return d;
  }
  return null;
}

/** True when `choice` (option numbers, 1 = first) is exactly the question's right options. */
export function isCorrect(question, choice) {
  const right = answerKey(question).options;
  const chosen = [...new Set(choice)].sort((a, b) => a - b);
  return chosen.length === right.length && chosen.every((n, i) => n === right[i]);
}

/**
 * Today's queue, once shown, stays for the day (docs/scheduler.md §6, "On the device"): the
 * device keeps the questions it first showed today (`pinned`, from the store) and asks those,
 * whatever a pull brings meanwhile (a question published mid-day waits for tomorrow). A pinned
 * question drops out when it is answered today (here or on another device), or when the total
 * daily limit leaves no room for it. One that is withdrawn (no longer in the library, or in none
 * of the learner's campaigns that named it) drops out too, and its place goes to the first
 * question of today's queue as computed now that was not kept already, at the end. A pin of
 * another day or language, or one made before the device had the server's plan, is replaced by
 * today's queue as computed now.
 *
 * Pure: the caller reads the pin and stores `pin` when it differs from what it read.
 * A practice item (with `reason`, practice.js) is kept with its reason, and is withdrawn only
 * when its question leaves the library.
 * @param {{day: number, language: string, planned: boolean, items: Array<{questionId: string, campaignId: string, reason?: object}>}|null} pinned
 * @param {Array<{questionId: string, campaignId: string, repeat: boolean, dueDay: number|null}>} fresh todaysQueue() now
 * @param {{snapshot: object, campaigns: object[], states: Map<string, object>, day: number, limit: number, language: string, planned: boolean}} now
 * @returns {{items: typeof fresh, pin: typeof pinned}}
 */
export function keptQueue(pinned, fresh, { snapshot, campaigns, states, day, limit, language, planned }) {
  const usable = pinned && pinned.day === day && pinned.language === language && (pinned.planned || !planned) && Array.isArray(pinned.items);
  // A practice item (practice.js) keeps its reason: it is shown with the question all day.
  const pinOf = (items) => ({
    day,
    language,
    planned,
    items: items.map((i) => (i.reason ? { questionId: i.questionId, campaignId: i.campaignId, reason: i.reason } : { questionId: i.questionId, campaignId: i.campaignId })),
  });
  if (!usable) {
    // Only a queue with questions is pinned: a campaign that reaches an idle learner mid-day is asked today.
    return { items: fresh, pin: fresh.length ? pinOf(fresh) : null };
  }
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  // Practice from coaching is withdrawn only with its question: its campaign may be none.
  const withdrawn = ({ questionId, campaignId, reason }) =>
    !known.has(questionId) || (!reason && !(byId.get(campaignId)?.questions ?? []).includes(questionId));
  const open = ({ questionId }) => stateOf(states, questionId)?.last_day !== day;
  const staying = pinned.items.filter((i) => !withdrawn(i));
  const freed = pinned.items.filter((i) => withdrawn(i) && open(i)).length;
  const pinnedIds = new Set(pinned.items.map((i) => i.questionId));
  const instead = fresh.filter((i) => !pinnedIds.has(i.questionId)).slice(0, freed);
  const answeredToday = entriesOf(states).filter(([, st]) => st?.last_day === day).length;
  const room = Math.max(limit - answeredToday, 0);
  const items = staying
    .concat(instead)
    .filter(open)
    .slice(0, room)
    .map(({ questionId, campaignId, reason }) => {
      const state = stateOf(states, questionId);
      const item = { questionId, campaignId, repeat: isRepeat(state), dueDay: state?.due_day ?? null };
      return reason ? { ...item, reason } : item;
    });
  const changed = staying.length !== pinned.items.length || instead.length;
  return { items, pin: changed ? pinOf(staying.concat(instead)) : pinned };
}
