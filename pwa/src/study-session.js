// The study loop without the DOM: what to show now, and recording an answer.
// screens/study.js renders what this returns; the tests drive it directly.
import { DEFAULT_DAILY_LIMIT, answeredOn, campaignsFor, isCorrect, keptQueue, nextStudyDay, planQuestionIds, stateQuestionIds, today, todaysQueue } from "./study-plan.js";
import { comingBack, standing } from "./day-summary.js";
import { openPractice, practiceQuestionIds, withPractice } from "./practice.js";

/**
 * @typedef {object} StudyView
 * @property {"no-library"|"no-campaigns"|"question"|"done"} kind
 * @property {number} day the local day it was computed for
 * @property {object} [question] the question to ask (kind "question")
 * @property {{questionId: string, campaignId: string, repeat: boolean, reason?: {observed_on: string, observation_id: string, source?: "observation"|"pitch"}}} [item]
 *   `reason`: practice from coaching (practice.js), shown as "From your coaching on 12 March"
 *   ("From your pitch review on 12 March" when its source is a pitch)
 * @property {object} [campaign]
 * @property {number} [position] 1-based position of this question among today's
 * @property {number} [total] today's questions: answered + still to answer
 * @property {number} [answeredToday]
 * @property {number|null} [nextDay] the next day with a question (kind "done")
 * @property {number} [contentVersion]
 * @property {boolean} [planned] it follows the server's plan (false: the provisional queue
 *   of a device that has not pulled one yet)
 * @property {{answered: number, right: number, streak: number, week: number, weekGoal: number}} [standing]
 *   today's answers and how many were right, the streak of days, days studied this week (day-summary.js)
 * @property {Array<{day: number, n: number}>} [comingBack] the next days questions fall due (kind "done")
 */

export class StudySession {
  #store;
  #client;
  #language;
  #rolloverHour;
  #now;

  /**
   * @param {object} options
   * @param {import("./store.js").IdbStore} options.store
   * @param {{recordAnswer: Function}} options.client the SyncClient (records answer + outbox entry)
   * @param {string} options.language picks the campaigns among the learner's (store.plan())
   * @param {number} [options.rolloverHour]
   * @param {() => number} [options.now]
   */
  constructor({ store, client, language, rolloverHour = 4, now = () => Date.now() }) {
    this.#store = store;
    this.#client = client;
    this.#language = language;
    this.#rolloverHour = rolloverHour;
    this.#now = now;
  }

  /** The learner's local day number now. */
  today() {
    return today(this.#rolloverHour, this.#now());
  }

  /** @returns {Promise<StudyView>} */
  async load() {
    const day = this.today();
    const content = await this.#store.content();
    if (!content) return { kind: "no-library", day };
    const snapshot = content.snapshot;
    // Before the server has sent a plan (an older server, the first open): every campaign in
    // the learner's language, and the default total limit.
    const plan = await this.#store.plan();
    const limit = plan?.daily_limit ?? DEFAULT_DAILY_LIMIT;
    const campaigns = campaignsFor(snapshot, this.#language, plan);
    const ids = planQuestionIds(snapshot, campaigns);
    // Practice from coaching (the plan's `practice`, practice.js): asked first, within the limit.
    const practice = plan?.practice ?? [];
    // Every language's and every translation's state, and practice's: the limit counts all answered today.
    const everything = [...new Set([...stateQuestionIds(snapshot, plan), ...practiceQuestionIds(practice)])];
    const states = await this.#store.states(everything);
    if (!ids.length && !practiceQuestionIds(practice).length) return { kind: "no-campaigns", day, planned: Boolean(plan) };
    const fresh = withPractice(todaysQueue(snapshot, campaigns, states, day, limit), practice, { snapshot, campaigns, states, day, limit });
    // Today's queue, once shown, stays for the day (study-plan.js keptQueue).
    const pinned = await this.#store.dayQueue();
    const { items, pin } = keptQueue(pinned, fresh, { snapshot, campaigns, states, day, limit, language: this.#language, planned: Boolean(plan) });
    if (pin !== pinned) await this.#store.setDayQueue(pin);
    const answeredToday = answeredOn(states, everything, day);
    const stand = standing(await this.#store.answers(), day);
    if (!items.length) {
      const mine = new Map(ids.map((qid) => [qid, states.get(qid)]));
      // Practice still open comes back tomorrow (at most PRACTICE_PER_DAY a day).
      const practiceAhead = openPractice(practice, { snapshot, states, day: day + 1 }).length > 0;
      const next = practiceAhead ? day + 1 : nextStudyDay(snapshot, campaigns, states, day, limit);
      return { kind: "done", day, planned: Boolean(plan), answeredToday, nextDay: next, standing: stand, comingBack: comingBack(mine, day) };
    }
    const item = items[0];
    return {
      kind: "question",
      day,
      item,
      question: snapshot.questions.find((q) => q.id === item.questionId),
      campaign: campaigns.find((c) => c.id === item.campaignId),
      position: answeredToday + 1,
      total: answeredToday + items.length,
      answeredToday,
      contentVersion: content.version,
      planned: Boolean(plan),
      standing: stand,
    };
  }

  /**
   * Record an answer (answer + outbox entry + provisional progress, one transaction) and say
   * what it means. Throws StorageFullError (store.js) if the device is out of space.
   * @param {StudyView} view the question view it answers
   * @param {number[]} choice option numbers, 1 = first
   * @param {number|null} durationMs time from showing the question to checking it
   * @returns {Promise<{correct: boolean, answer: object, state: object, backInDays: number|null, retired: boolean}>}
   */
  async answer(view, choice, durationMs = null) {
    const day = this.today();
    const sorted = [...new Set(choice)].sort((a, b) => a - b);
    const correct = isCorrect(view.question, sorted);
    const answer = await this.#client.recordAnswer({
      question_id: view.question.id,
      content_version: view.contentVersion,
      choice: sorted,
      correct,
      local_day: day,
      duration_ms: durationMs == null ? null : Math.max(0, Math.round(durationMs)),
    });
    const state = (await this.#store.states([view.question.id])).get(view.question.id);
    return {
      correct,
      answer,
      state,
      retired: Boolean(state?.retired),
      backInDays: state?.due_day != null ? state.due_day - day : null,
    };
  }
}
