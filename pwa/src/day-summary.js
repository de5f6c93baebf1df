// The rep's day in numbers, for the study screen: how far through today's questions, the week's
// goal, and the summary after the last question (right answers today, the streak, what comes
// back when). Pure functions over the answers the device holds (store.answers()) and the states.
import { streak } from "./stats.js";

/** Days studied a week that make the weekly goal (a two-minute habit on working days). */
export const WEEKLY_GOAL = 5;

/** The Monday that starts the week of a local day number (day 0, 1970-01-01, was a Thursday). */
export function weekStart(day) {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/**
 * Days with at least one answer in the week (Monday to Sunday) of `day`, up to `day`.
 * @param {Iterable<number>} days local day numbers of answers
 */
export function daysThisWeek(days, day) {
  const first = weekStart(day);
  return new Set([...days].filter((d) => d >= first && d <= day)).size;
}

/**
 * Where the learner stands: today's answers (and how many right), the streak, the week.
 * @param {Array<{day: number, correct: boolean}>} answers every answer the device holds
 * @param {number} day the local day number now
 */
export function standing(answers, day) {
  const todays = answers.filter((a) => a.day === day);
  const days = answers.map((a) => a.day);
  return {
    answered: todays.length,
    right: todays.filter((a) => a.correct).length,
    streak: streak(days, day),
    week: daysThisWeek(days, day),
    weekGoal: WEEKLY_GOAL,
  };
}

/**
 * What comes back when: the next days on which questions fall due, and how many on each.
 * @param {Map<string, object>} states current states by question id (the learner's questions)
 * @param {number} day the local day number now
 * @param {number} [limit] how many days to list
 * @returns {Array<{day: number, n: number}>}
 */
export function comingBack(states, day, limit = 3) {
  const due = new Map();
  for (const state of states.values()) {
    if (!state || state.retired || state.due_day == null || state.due_day <= day) continue;
    due.set(state.due_day, (due.get(state.due_day) ?? 0) + 1);
  }
  return [...due].sort((a, b) => a[0] - b[0]).slice(0, limit).map(([d, n]) => ({ day: d, n }));
}
