// Progress on the device (docs/sync.md, "Progress on the device"): pure functions.
//
// The server's replayed state is the truth. The device adopts it and re-applies on top the
// answers the server had not seen when it computed it (its own unsynced answers). Before any
// server state exists, the device replays every answer it knows, as the server would:
// docs/scheduler.md §5, current epoch only, with the settings of the first campaign (by id)
// that names the question (sync/progress.py).
import { NEW, questionBudget, replay, replayOrder, settingsFor, step } from "./scheduler.js";
import { campaignSettings } from "./content-check.js";

export const DEFAULT_SETTINGS = settingsFor("fsrs");
const STATE_KEYS = Object.freeze(["stability", "difficulty", "last_day", "due_day", "retired", "streak", "reps", "lapses"]);

/**
 * For each question id, the settings of the first campaign by id that names it (fsrs otherwise).
 * Under `anchored`, each question gets its share of the campaign's budget (by its place in the
 * campaign) and its number of options (from `questions`, for the lucky-guess discount), as
 * sync/progress.py settings_by_question.
 */
export function settingsByQuestion(campaigns, questions = []) {
  const options = new Map((questions ?? []).map((q) => [q.id, Array.isArray(q.options) ? q.options.length : 0]));
  const found = new Map();
  const sorted = [...(campaigns ?? [])].sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
  for (const campaign of sorted) {
    const settings = campaignSettings(campaign);
    (campaign.questions ?? []).forEach((qid, i) => {
      if (found.has(qid)) return;
      if (settings.policy !== "anchored") return found.set(qid, settings);
      const k = options.get(qid) ?? 0;
      found.set(qid, Object.freeze({ ...settings, budget: questionBudget(settings.budget, i), options: k >= 2 ? k : 0 }));
    });
  }
  return found;
}

/**
 * What the store keeps beside a snapshot to compute progress without reading the whole library:
 * {version, questions: {id: {rev, epoch, settings}}} (plain data, storable in IndexedDB).
 */
export function questionIndex(snapshot) {
  const bySettings = settingsByQuestion(snapshot.campaigns, snapshot.questions);
  const questions = {};
  for (const q of snapshot.questions) {
    questions[q.id] = { rev: q.rev, epoch: q.epoch, settings: { ...(bySettings.get(q.id) ?? DEFAULT_SETTINGS) } };
  }
  return { version: snapshot.version, questions };
}

/** Only the scheduler's fields of a state (a progress change also carries question_id and epoch). */
export function stateOnly(data) {
  const state = {};
  for (const key of STATE_KEYS) state[key] = data?.[key] ?? NEW[key];
  return state;
}

/** True when two states are the same in every field the scheduler sets. */
export function sameState(a, b) {
  return STATE_KEYS.every((key) => (a?.[key] ?? null) === (b?.[key] ?? null));
}

/**
 * A learner's current state on one question.
 * @param {{rev: number, epoch: number, settings: object}|undefined} info from questionIndex;
 *   undefined for a question no longer in the library (fsrs defaults, every answer counts)
 * @param {Array<{id: string, day: number, answered_at: string, correct: boolean, rev: number|null, pulled: boolean}>} answers
 *   every answer the device knows to the question; `pulled`: the server has sent it back
 * @param {object|null} server the latest `progress` change's data, or null
 */
export function currentState(info, answers, server) {
  const settings = info?.settings ?? DEFAULT_SETTINGS;
  const epoch = info?.epoch ?? 1;
  const counted = answers.filter((a) => a.rev == null || a.rev >= epoch);
  if (server && (server.epoch ?? 1) === epoch) {
    let state = stateOnly(server);
    for (const a of replayOrder(counted.filter((x) => !x.pulled))) state = step(state, a.day, a.correct, settings);
    return Object.freeze(state);
  }
  return replay(counted, settings);
}
