// The learner's headline numbers, for the progress screen: pure functions over the answers the
// device holds (store.answers()) and their current states. Per competency: forecast.js.

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

/**
 * The headline numbers: answers given (repeats included), the learner's questions seen (answered
 * at least once) out of all of them, questions retired (mastered), streak.
 * @param {object[]} answers store.answers()
 * @param {Map<string, object>} states current states of the learner's questions, by id
 * @param {number} today the local day number now
 */
export function summary(answers, states, today) {
  const all = [...states.values()];
  return {
    answers: answers.length,
    seen: all.filter((s) => (s?.reps ?? 0) > 0).length,
    total: states.size,
    retired: all.filter((s) => s?.retired).length,
    streak: streak(answers.map((a) => a.day), today),
  };
}
