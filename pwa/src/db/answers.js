// The `answers` object store: every answer the device knows. Its own (`mine`, with the
// `payload` it pushes) and pulled ones (`server`: the server's view, from any device), each
// with `onServer`: whether the device knows the server has it (what the digest is computed
// over). Answers are facts (DESIGN.md §3, rule 6): none is ever deleted here, except all of a
// learner's when another one signs in on the device with nothing left to sync.
import * as outbox from "./outbox.js";
import * as rejections from "./rejections.js";

/** @typedef {import("../sync/store-interface.js").AnswerPayload} AnswerPayload */

const byAnsweredAt = (a, b) =>
  a.payload.answered_at < b.payload.answered_at ? -1 : a.payload.answered_at > b.payload.answered_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function get(tx, id) {
  return tx.objectStore("answers").get(id);
}

export function all(tx) {
  return tx.objectStore("answers").getAll();
}

/** Every answer to one question. */
export function ofQuestion(tx, questionId) {
  return tx.objectStore("answers").index("by_question").getAll(questionId);
}

/**
 * Keep an answer made on this device. Throws if its id is known already.
 * @param {AnswerPayload} answer
 * @param {number|null} rev the question's revision in the library it was shown from
 * @returns {Promise<AnswerPayload>} the payload as stored (a copy of `answer`)
 */
export async function addOwn(tx, answer, rev) {
  if (await get(tx, answer.id)) throw new Error(`answer ${answer.id} is recorded already`);
  const payload = structuredClone(answer);
  await tx.objectStore("answers").add({
    id: answer.id,
    question_id: answer.question_id,
    mine: true,
    payload,
    server: null,
    onServer: false,
    rev,
    day: answer.local_day,
    answered_at: answer.answered_at,
    correct: answer.correct,
  });
  return payload;
}

/** Keep an `answer` change of a pull: the server's view, and the device's own payload if it has one. */
export async function putPulled(tx, data) {
  const known = await get(tx, data.id);
  await tx.objectStore("answers").put({
    id: data.id,
    question_id: data.question_id,
    mine: known?.mine ?? false,
    payload: known?.payload ?? null,
    server: structuredClone(data),
    onServer: true,
    rev: data.rev ?? known?.rev ?? null,
    day: data.local_day,
    answered_at: data.answered_at,
    correct: data.correct,
  });
}

/** The server acknowledged these answers: mark them on the server, unless it rejected them. */
export async function markOnServer(tx, answerIds) {
  for (const id of answerIds) {
    const answer = await get(tx, id);
    if (answer && !answer.onServer && !(await rejections.has(tx, "answer", id))) await tx.objectStore("answers").put({ ...answer, onServer: true });
  }
}

/** Ids of the answers known to be on the server. */
export async function onServerIds(tx) {
  return (await all(tx)).filter((a) => a.onServer).map((a) => a.id);
}

/** A heal: forget which OWN answers are on the server (a re-pull and acks tell again). */
export async function forgetOwnOnServer(tx) {
  for (const a of await all(tx)) {
    if (a.mine && a.onServer) await tx.objectStore("answers").put({ ...a, onServer: false });
  }
}

/** Own answers not known to be on the server, not queued and not rejected, oldest first. */
export async function missingOwn(tx) {
  const queued = await outbox.queuedPayloadIds(tx, "answer");
  const rejected = await rejections.recordIds(tx, "answer");
  return (await all(tx)).filter((a) => a.mine && !a.onServer && !queued.has(a.id) && !rejected.has(a.id)).sort(byAnsweredAt);
}

export function clear(tx) {
  return tx.objectStore("answers").clear();
}
