// What the learner knows now and what will fade, per competency, for the progress screen: pure
// functions over the learner's current states (the scheduler's memory of each question,
// progress.js), their answers and the library. Predicted recall is the scheduler's own forgetting
// curve (scheduler.js `retrievability`, read only); it is a model estimate, and with few answers
// a weak one (DESIGN.md §5), so every figure carries the counts it rests on.
import { retrievability } from "./scheduler.js";
import { DEFAULT_SETTINGS, settingsByQuestion } from "./progress.js";
import { competencyName } from "./library.js";

/** How far ahead "will fade" looks, in days. */
export const HORIZON_DAYS = 30;
/** Under this many answers a competency's estimate is called weak. */
export const WEAK_BELOW = 5;

/** Predicted recall of a question on local day `day` from its state; null if never answered. */
export function recallOn(state, day) {
  if (!state || state.stability == null || state.last_day == null) return null;
  return retrievability(Math.max(0, day - state.last_day), state.stability);
}

/**
 * What the learner knows of a question now: predicted recall today, except that a question
 * answered today counts as tomorrow, since right after its answer and explanation every question,
 * even one just missed, would count as 100 %. null if never answered.
 */
export function recallNow(state, today) {
  if (state?.last_day == null) return null;
  return recallOn(state, Math.max(today, state.last_day + 1));
}

/**
 * The first day after `today`, within `horizon` days, on which predicted recall is below
 * `target`; null if it stays at or above it (or the question was never answered).
 */
export function fadeDay(state, today, target, horizon = HORIZON_DAYS) {
  if (recallOn(state, today) == null) return null;
  for (let day = today + 1; day <= today + horizon; day += 1) if (recallOn(state, day) < target) return day;
  return null;
}

/** Only the answers that count for a question's current progress (its current epoch). */
const counts = (answer, question) => answer.rev == null || answer.rev >= (question?.epoch ?? 1);

/** The most common of these numbers (the first one on a tie), or null. */
function mostCommon(values) {
  const seen = new Map();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  let best = null;
  for (const [v, n] of seen) if (best == null || n > seen.get(best)) best = v;
  return best;
}

/**
 * Per competency of the learner's questions, in library order:
 * {id, name, total, seen, answers, right, recall, target, below, fading, weak}
 * - total: the learner's questions of that competency; seen: those answered at least once;
 * - answers: answers to them that count (current epoch); right: seen questions whose latest
 *   answer was right;
 * - recall: mean predicted recall now (recallNow) over the seen questions (0–1), null when none is seen;
 * - target: the recall the scheduler aims to keep (desired retention of the questions' campaigns);
 * - below: seen questions already below their target now (recallNow);
 * - fading: the other seen questions, whose recall falls below their target within `horizon` days;
 * - weak: fewer than WEAK_BELOW answers, so the estimate says little.
 * @param {object} snapshot the library
 * @param {string[]} questionIds the learner's questions (their campaigns')
 * @param {object[]} answers store.answers()
 * @param {Map<string, object>} states current states by question id
 * @param {number} today the local day number now
 * @param {string} language for the competency names
 * @param {{horizon?: number}} [options]
 */
export function competencyForecast(snapshot, questionIds, answers, states, today, language, { horizon = HORIZON_DAYS } = {}) {
  const questions = new Map((snapshot?.questions ?? []).map((q) => [q.id, q]));
  const settings = settingsByQuestion(snapshot?.campaigns);
  const byQuestion = new Map();
  for (const a of answers) {
    if (!byQuestion.has(a.question_id)) byQuestion.set(a.question_id, []);
    byQuestion.get(a.question_id).push(a);
  }
  const rows = new Map();
  for (const qid of new Set(questionIds)) {
    const q = questions.get(qid);
    if (!q) continue;
    const key = q.competency ?? "";
    if (!rows.has(key)) {
      rows.set(key, { id: key, name: competencyName(snapshot, key, language), total: 0, seen: 0, answers: 0, right: 0, sum: 0, targets: [], below: 0, fading: 0 });
    }
    const row = rows.get(key);
    row.total += 1;
    const mine = (byQuestion.get(qid) ?? []).filter((a) => counts(a, q));
    row.answers += mine.length;
    const target = (settings.get(qid) ?? DEFAULT_SETTINGS).desired_retention;
    row.targets.push(target);
    const state = states.get(qid);
    const recall = recallNow(state, today);
    if (recall == null) continue;
    row.seen += 1;
    row.sum += recall;
    if (latestIsRight(mine)) row.right += 1;
    if (recall < target) row.below += 1;
    else if (fadeDay(state, today, target, horizon) != null) row.fading += 1;
  }
  const order = (snapshot?.competencies ?? []).map((c) => c.id);
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...rows.values()]
    .map(({ sum, targets, ...row }) => ({
      ...row,
      recall: row.seen ? sum / row.seen : null,
      target: mostCommon(targets) ?? DEFAULT_SETTINGS.desired_retention,
      weak: row.answers < WEAK_BELOW,
    }))
    .sort((a, b) => rank(a.id) - rank(b.id) || (a.name < b.name ? -1 : 1));
}

/** True when the most recent of these answers (by answered_at, then id) was right. */
function latestIsRight(answers) {
  let best = null;
  for (const a of answers) {
    if (!best || a.answered_at > best.answered_at || (a.answered_at === best.answered_at && a.id > best.id)) best = a;
  }
  return Boolean(best?.correct);
}
