// Practice from coaching: the questions a coach's feedback adds to a rep's day
// (docs/scheduler.md §6 "Practice from coaching"). Pure functions over the pull's
// `plan.practice` (docs/sync.md "The plan"), the library and the rep's states on this device.
//
// The server lists a question while the rep has not practised it as far as it knows; the device
// checks again against its own states, so an answer not yet synced already counts.

/** At most this many practice questions a day, on top of nothing: they share the daily limit. */
export const PRACTICE_PER_DAY = 2;

/** The campaign id a practice question is asked under when none of the rep's campaigns has it. */
export const COACHING = "coaching";

const stateOf = (states, qid) => (states instanceof Map ? states.get(qid) : states?.[qid]);
const entriesOf = (states) => (states instanceof Map ? [...states] : Object.entries(states ?? {}));
const isRepeat = (state) => Boolean(state && state.reps > 0);

/**
 * The plan's `practice` entries that are well formed, in the server's order (oldest observation
 * first); [] when missing (an older server) or not a list.
 * @returns {Array<{item_kind: string, item_id: string, observation_id: string, observed_on: string, observed_day: number}>}
 */
export function checkPractice(practice) {
  if (!Array.isArray(practice)) return [];
  return practice.filter(
    (p) =>
      (p?.item_kind === "question" || p?.item_kind === "refresher") &&
      typeof p.item_id === "string" &&
      typeof p.observation_id === "string" &&
      typeof p.observed_on === "string" &&
      Number.isSafeInteger(p.observed_day),
  );
}

/** Where a practice item comes from: a reviewed pitch ("pitch") or an observation (the default, older servers). */
export const sourceOf = (p) => (p?.source === "pitch" ? "pitch" : "observation");

/** True when the rep answered `questionId` (a counted answer) on a day after `observedDay`. */
export function practised(states, questionId, observedDay) {
  const last = stateOf(states, questionId)?.last_day;
  return Number.isSafeInteger(last) && last > observedDay;
}

/** Every question id practice names (their states are needed to build the day). */
export function practiceQuestionIds(practice) {
  return [...new Set(checkPractice(practice).filter((p) => p.item_kind === "question").map((p) => p.item_id))];
}

/**
 * The practice questions still open on `day`, once each, in the server's order: in the library,
 * observed before `day` (practice starts the day after the coaching) and not practised since.
 * A question named by two observations is open while one of them is not practised; it carries
 * the oldest such observation.
 * @returns {Array<{questionId: string, observedOn: string, observedDay: number, observationId: string, source: "observation"|"pitch"}>}
 */
export function openPractice(practice, { snapshot, states, day }) {
  const known = new Set((snapshot?.questions ?? []).map((q) => q.id));
  const seen = new Set();
  const open = [];
  for (const p of checkPractice(practice)) {
    if (p.item_kind !== "question" || seen.has(p.item_id) || !known.has(p.item_id)) continue;
    if (p.observed_day >= day || practised(states, p.item_id, p.observed_day)) continue;
    seen.add(p.item_id);
    open.push({ questionId: p.item_id, observedOn: p.observed_on, observedDay: p.observed_day, observationId: p.observation_id, source: sourceOf(p) });
  }
  return open;
}

/**
 * Today's queue with the practice from coaching put first (it is the coach's priority):
 * at most PRACTICE_PER_DAY practice questions a day (less those practised today already),
 * a practice question already in `queue` moved to the front rather than asked twice, and the
 * whole cut to the daily limit less every question answered today. Each practice item carries
 * `reason: {observed_on, observation_id, source}` (source "pitch": a pitch review's); its campaign is the first of `campaigns` that has
 * the question, else COACHING (answers carry no campaign: it only names the card's campaign).
 * @param {Array<{questionId: string, campaignId: string, repeat: boolean, dueDay: number|null}>} queue todaysQueue()
 * @param {unknown} practice the plan's `practice`
 * @param {{snapshot: object, campaigns?: object[], states: Map<string, object>, day: number, limit: number}} now
 *   states: every state the queue was built from, and the practice questions'
 */
export function withPractice(queue, practice, { snapshot, campaigns = [], states, day, limit }) {
  const entries = checkPractice(practice).filter((p) => p.item_kind === "question" && p.observed_day < day);
  const doneToday = new Set(entries.filter((p) => stateOf(states, p.item_id)?.last_day === day).map((p) => p.item_id));
  const take = Math.max(PRACTICE_PER_DAY - doneToday.size, 0);
  const campaignOf = (qid) => campaigns.find((c) => (c.questions ?? []).includes(qid))?.id ?? COACHING;
  const picks = openPractice(practice, { snapshot, states, day })
    .slice(0, take)
    .map(({ questionId, observedOn, observationId, source }) => {
      const state = stateOf(states, questionId);
      return {
        questionId,
        campaignId: campaignOf(questionId),
        repeat: isRepeat(state),
        dueDay: state?.due_day ?? null,
        reason: { observed_on: observedOn, observation_id: observationId, source },
      };
    });
  const picked = new Set(picks.map((p) => p.questionId));
  const answeredToday = entriesOf(states).filter(([, st]) => st?.last_day === day).length;
  const room = Math.max(limit - answeredToday, 0);
  return picks.concat(queue.filter((i) => !picked.has(i.questionId))).slice(0, room);
}

/** The refreshers practice names for one observation, once each, in the server's order. */
export function practiceRefreshers(practice, observationId) {
  const ids = checkPractice(practice)
    .filter((p) => p.item_kind === "refresher" && p.observation_id === observationId)
    .map((p) => p.item_id);
  return [...new Set(ids)];
}

/**
 * "12 March" (en-GB), "March 12" (en-US), "12 maart" (nl): a practice item's coaching date, day
 * and month, in the browser's own variant of the app's language when it has one (as formatDay).
 */
export function formatObservedOn(iso, language, preferred = globalThis.navigator?.languages ?? []) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
  if (!m) return String(iso ?? "");
  const locale = (preferred ?? []).find((tag) => String(tag).toLowerCase().split("-")[0] === language) ?? language;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", timeZone: "UTC" }).format(date);
}
