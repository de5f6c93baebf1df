// A question's answer key, read in ONE place: which options are right and whether the question
// takes several answers (checkboxes). Grading (study-plan.js), the feedback screen and the
// snapshot check (content-check.js) all ask here.
//
// Snapshots carry both facts as the server normalised them at publish (`correct_options`: the
// sorted right option numbers, 1 = first; `multiple`). Snapshots published before that carry
// only the authored `correct`: a number (one answer), or a list (several answers, even a list of
// one), and are read the same way the server normalises it (server/library/snapshot.py).

const ascending = (a, b) => a - b;

/**
 * @param {{correct_options?: number[], multiple?: boolean, correct?: number|number[]}} question
 * @returns {{options: number[], multiple: boolean}} `options`: the right option numbers, sorted
 */
export function answerKey(question) {
  const authored = question?.correct;
  const options = Array.isArray(question?.correct_options)
    ? [...question.correct_options]
    : Array.isArray(authored)
      ? [...authored]
      : [authored];
  const multiple = typeof question?.multiple === "boolean" ? question.multiple : Array.isArray(authored) || options.length > 1;
  return { options: options.sort(ascending), multiple };
}
