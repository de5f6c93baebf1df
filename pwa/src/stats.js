// The learner's progress in numbers, for the progress screen: pure functions over the answers
// the device holds (store.answers()), their current states and the library.
import { competencyName } from "./library.js";

/**
 * Consecutive local days with at least one answer, ending today, or yesterday when nothing is
 * answered yet today (the streak is not lost until today is over). 0 when neither has one.
 * @param {Iterable<number>} days local day numbers of answers (duplicates allowed)
 * @param {number} today the local day number now
 */
export function streak(days, today) {
  const have = new Set(days);
  let day = have.has(today) ? today : have.has(today - 1) ? today - 1 : null;
  let n = 0;
  while (day != null && have.has(day)) {
    n += 1;
    day -= 1;
  }
  return n;
}

/** Only the answers that count for a question's current progress (its current epoch). */
const counts = (answer, question) => answer.rev == null || answer.rev >= (question?.epoch ?? 1);

/** The most recent of these answers (by answered_at, then id), or null. */
function latest(answers) {
  let best = null;
  for (const a of answers) {
    if (!best || a.answered_at > best.answered_at || (a.answered_at === best.answered_at && a.id > best.id)) best = a;
  }
  return best;
}

/**
 * Per competency of these questions: how many there are, and how many were answered right the
 * last time they were answered. [{id, name, total, right, answered}] in library order.
 * @param {object} snapshot the library
 * @param {string[]} questionIds the learner's questions (their campaigns')
 * @param {Array<{question_id: string, correct: boolean, answered_at: string, id: string, rev?: number|null}>} answers
 * @param {string} language for the competency names
 */
export function competencyBars(snapshot, questionIds, answers, language) {
  const questions = new Map((snapshot?.questions ?? []).map((q) => [q.id, q]));
  const byQuestion = new Map();
  for (const a of answers) {
    if (!byQuestion.has(a.question_id)) byQuestion.set(a.question_id, []);
    byQuestion.get(a.question_id).push(a);
  }
  const bars = new Map();
  for (const qid of new Set(questionIds)) {
    const q = questions.get(qid);
    if (!q) continue;
    const key = q.competency ?? "";
    if (!bars.has(key)) bars.set(key, { id: key, name: competencyName(snapshot, key, language), total: 0, right: 0, answered: 0 });
    const bar = bars.get(key);
    bar.total += 1;
    const last = latest((byQuestion.get(qid) ?? []).filter((a) => counts(a, q)));
    if (last) bar.answered += 1;
    if (last?.correct) bar.right += 1;
  }
  const order = (snapshot?.competencies ?? []).map((c) => c.id);
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...bars.values()].sort((a, b) => rank(a.id) - rank(b.id) || (a.name < b.name ? -1 : 1));
}

/**
 * The headline numbers: answers given, questions answered, questions retired (mastered), streak.
 * @param {object[]} answers store.answers()
 * @param {Map<string, object>} states current states by question id
 * @param {number} today the local day number now
 */
export function summary(answers, states, today) {
  const retired = [...states.values()].filter((s) => s?.retired).length;
  return {
    answers: answers.length,
    questions: new Set(answers.map((a) => a.question_id)).size,
    retired,
    streak: streak(answers.map((a) => a.day), today),
  };
}
