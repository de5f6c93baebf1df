// The `answer` kind (docs/sync.md "Answer payload v1"): the answer itself and, in the same
// transaction, the question's provisional progress ("Back in 12 days" now, the disagreement
// count later); a pulled answer is kept beside the device's own payload; an acknowledged one is
// on the server (what the digest counts) unless it was rejected.
import * as answers from "../answers.js";
import * as content from "../content.js";
import * as progress from "../progress.js";

/** @type {import("./index.js").Kind} */
export default {
  kind: "answer",
  versions: [1],
  stores: ["answers", "progress", "meta", "rejections"],
  async record(tx, answer) {
    const index = await content.questions(tx);
    const stored = await answers.addOwn(tx, answer, index?.questions?.[answer.question_id]?.rev ?? null);
    await progress.setProvisional(tx, answer.question_id, await progress.stateOf(tx, answer.question_id, index), answer.id);
    return stored;
  },
  applyChange: (tx, change) => answers.putPulled(tx, change.data),
  acked: (tx, answerIds) => answers.markOnServer(tx, answerIds),
};
