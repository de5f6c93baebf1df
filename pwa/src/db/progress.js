// The `progress` object store: per question, the server's latest replayed state
// ({seq, data} of its `progress` change) and the device's provisional state after its own
// latest answer, kept to count disagreements (docs/sync.md, "Progress on the device"). The
// arithmetic is pure and lives in src/progress.js; this module only stores and reads.
import { currentState, sameState } from "../progress.js";
import * as answers from "./answers.js";
import * as meta from "./meta.js";

/** An answer record as src/progress.js wants it. */
const forReplay = (a) => ({ id: a.id, day: a.day, answered_at: a.answered_at, correct: a.correct, rev: a.rev, pulled: a.server != null });

/**
 * A learner's current state on a question: the server's, with the answers it has not seen on top.
 * @param {{questions?: object}|null} index the question index kept with the library (content.js)
 */
export async function stateOf(tx, questionId, index) {
  const known = await answers.ofQuestion(tx, questionId);
  const progress = await tx.objectStore("progress").get(questionId);
  return currentState(index?.questions?.[questionId], known.map(forReplay), progress?.server?.data ?? null);
}

/** Keep the state computed after an own answer, to compare with the server's later. */
export async function setProvisional(tx, questionId, state, answerId) {
  const held = (await tx.objectStore("progress").get(questionId)) ?? { question_id: questionId, server: null };
  await tx.objectStore("progress").put({ ...held, provisional: { state, answer_id: answerId } });
}

/**
 * Adopt a `progress` change of a pull, unless a newer one is kept. Returns 1 when it settles a
 * provisional state that differed from it (a disagreement to report), else 0.
 */
export async function adoptServer(tx, change) {
  const data = change.data;
  const store = tx.objectStore("progress");
  const held = (await store.get(data.question_id)) ?? { question_id: data.question_id, server: null, provisional: null };
  if (held.server && held.server.seq >= change.seq) return 0;
  let disagreed = 0;
  let provisional = held.provisional ?? null;
  if (provisional && (await answers.get(tx, provisional.answer_id))?.server) {
    // The server has now replayed the answer the device computed this state after.
    if (!sameState(provisional.state, data)) disagreed = 1;
    provisional = null;
  }
  await store.put({ question_id: data.question_id, server: { seq: change.seq, data: structuredClone(data) }, provisional });
  return disagreed;
}

/** The server's latest progress for a question, or null. */
export async function serverState(tx, questionId) {
  return (await tx.objectStore("progress").get(questionId))?.server?.data ?? null;
}

/** Disagreements counted and not yet reported to the server. */
export function disagreements(tx) {
  return meta.get(tx, "disagreements", 0);
}

export function setDisagreements(tx, count) {
  return meta.put(tx, "disagreements", count);
}

export function clear(tx) {
  return tx.objectStore("progress").clear();
}
