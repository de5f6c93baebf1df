// Pitch reviews' pure pieces (docs/coaching.md "Pitch reviews"): the prompt a pitch answers and
// the behaviours it judges, the review form's values and the ONE patch sharing it becomes, the
// scores in the rubric's words, time-pinned comments, and where an exemplar proposal stands.
// No DOM and no storage (test/pitching.test.js); screens/pitch-review.js and pitch-view.js draw them.
import { LEVELS, behaviourKey, behaviourOf } from "./coaching.js";

/** Field limits, as the server's pitch kind checks them (contract of issue 15). */
export const PITCH_LIMITS = Object.freeze({ comments: 100, comment: 500, feedback: 4000 });
/** The payload version of a pitch patch. */
export const PITCH_PAYLOAD_VERSION = 1;
/** The latest moment a comment may name: the longest pitch (sync/kinds/pitch.py MAX_DURATION_MS). */
const MAX_MOMENT_MS = 200_000;

const fieldsOf = (pitch) => (pitch?.data?.fields && typeof pitch.data.fields === "object" ? pitch.data.fields : {});

/** The prompt a pitch answers, from the library (null when the library does not have it). */
export { pitchPrompt as promptOf } from "./library.js";

/**
 * The behaviours a prompt judges, in the prompt's order, in the coach's language where the
 * rubric has a translation: [{key, rubricId, behaviourId, text, levels, language}].
 */
export function judgedBehaviours(prompt, snapshot, language) {
  if (!prompt?.rubric || !Array.isArray(prompt.behaviours)) return [];
  return prompt.behaviours.map((behaviourId) => {
    const found = behaviourOf(snapshot, prompt.rubric, behaviourId, language);
    return {
      key: behaviourKey(prompt.rubric, behaviourId),
      rubricId: prompt.rubric,
      behaviourId,
      text: found?.text ?? behaviourId,
      levels: found?.levels ?? {},
      language: found?.language ?? null,
    };
  });
}

/** A moment of the video as "0:12" (or "1:02:05" past an hour). */
export function formatClock(ms) {
  const total = Math.max(0, Math.floor((Number(ms) || 0) / 1000));
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** The well-formed time-pinned comments of a pitch's fields, in time order. */
export function commentsOf(fields) {
  const list = Array.isArray(fields?.comments) ? fields.comments : [];
  return list
    .filter((c) => Number.isSafeInteger(c?.t_ms) && c.t_ms >= 0 && typeof c.text === "string" && c.text.trim())
    .map((c) => ({ t_ms: c.t_ms, text: c.text }))
    .sort((a, b) => a.t_ms - b.t_ms);
}

/** The review form's values from what the pitch holds (a review shared before is edited, not restarted). */
export function reviewValues(pitch, prompt) {
  const f = fieldsOf(pitch);
  const scores = {};
  for (const behaviourId of prompt?.behaviours ?? []) {
    const key = behaviourKey(prompt.rubric, behaviourId);
    const value = f[`score:${key}`];
    if (Number.isInteger(value) && value >= 1 && value <= 4) scores[key] = String(value);
  }
  return { scores, comments: commentsOf(f), feedback: typeof f.feedback === "string" ? f.feedback : "", exemplar_proposed: f.exemplar_proposed === true };
}

/** A draft's values with every field there and the right types (an older draft may lack some). */
export function completeReview(values) {
  const v = values && typeof values === "object" ? values : {};
  return {
    scores: v.scores && typeof v.scores === "object" ? { ...v.scores } : {},
    comments: commentsOf(v),
    feedback: typeof v.feedback === "string" ? v.feedback : "",
    exemplar_proposed: v.exemplar_proposed === true,
  };
}

/**
 * The comments a review form shows and shares: the list the pitch holds now (`held`), with this
 * coach's own changes since the form began from `base` applied to it: the comments they added
 * kept, the ones they removed removed. So a comment another reviewer added meanwhile (pulled
 * while this draft was open, or offline) stays, and deleting one is deleting that one only.
 * In time order, each comment once.
 */
export function rebaseComments(held, base, mine) {
  const key = (c) => `${c.t_ms}\u0000${c.text}`;
  const before = new Set(commentsOf({ comments: base }).map(key));
  const now = commentsOf({ comments: mine });
  const kept = new Set(now.map(key));
  const removed = new Set([...before].filter((k) => !kept.has(k)));
  const out = commentsOf({ comments: held }).filter((c) => !removed.has(key(c)));
  const have = new Set(out.map(key));
  for (const c of now) {
    if (before.has(key(c)) || have.has(key(c))) continue;
    out.push(c);
    have.add(key(c));
  }
  return commentsOf({ comments: out });
}

/**
 * A review form's values redrawn on what the pitch now holds: `held` (reviewValues of the pitch
 * now), `base` (of the pitch when the form last drew from it; null for a draft that never kept
 * one) and `mine` (the form's values). Every score, the feedback and the proposal: this coach's
 * value where they changed it since `base`, else the one held now (another reviewer's change
 * meanwhile is taken, never undone by a stale draft); comments: rebaseComments. Also returns the
 * feedback another reviewer wrote meanwhile that this coach's own changed feedback would replace
 * (`otherFeedback`, null when there is none).
 * @returns {{values: {scores: object, comments: object[], feedback: string, exemplar_proposed: boolean}, otherFeedback: string|null}}
 */
export function rebaseReview(held, base, mine) {
  if (!base) {
    return { values: { ...mine, scores: { ...mine.scores }, comments: rebaseComments(held.comments, [], mine.comments) }, otherFeedback: null };
  }
  const pick = (now, before, own) => (own === before ? now : own);
  const scores = {};
  for (const key of new Set([...Object.keys(held.scores), ...Object.keys(base.scores), ...Object.keys(mine.scores)])) {
    const value = pick(held.scores[key], base.scores[key], mine.scores[key]);
    if (value) scores[key] = value;
  }
  const feedback = pick(held.feedback, base.feedback, mine.feedback);
  const clash = mine.feedback !== base.feedback && held.feedback !== base.feedback && held.feedback !== mine.feedback;
  return {
    values: {
      scores,
      comments: rebaseComments(held.comments, base.comments, mine.comments),
      feedback,
      exemplar_proposed: pick(held.exemplar_proposed, base.exemplar_proposed, mine.exemplar_proposed),
    },
    otherFeedback: clash ? held.feedback : null,
  };
}

/** Add a comment at `tMs` (kept in time order). Returns the new list; the text is trimmed. */
export function addComment(comments, tMs, text) {
  return commentsOf({ comments: [...comments, { t_ms: Math.min(MAX_MOMENT_MS, Math.max(0, Math.round(tMs))), text: String(text).trim() }] });
}

/**
 * What stops a review from being shared: [{field, key}] (catalogue keys), in form order. At
 * least one behaviour scored; comments and feedback within the server's limits.
 */
export function reviewProblems(values, prompt) {
  const problems = [];
  const keys = (prompt?.behaviours ?? []).map((b) => behaviourKey(prompt.rubric, b));
  if (!keys.some((k) => LEVELS.includes(String(values.scores?.[k] ?? "")))) problems.push({ field: "scores", key: "pitchReview.needScore" });
  if (values.comments.length > PITCH_LIMITS.comments) problems.push({ field: "comments", key: "pitchReview.tooManyComments" });
  if (values.comments.some((c) => c.text.length > PITCH_LIMITS.comment)) problems.push({ field: "comments", key: "pitchReview.commentTooLong" });
  if (values.feedback.length > PITCH_LIMITS.feedback) problems.push({ field: "feedback", key: "pitchReview.feedbackTooLong" });
  return problems;
}

/**
 * The ONE patch that shares a review with the rep (payload v1): every judged behaviour's score
 * (null clears one scored before), the comments, the feedback, `reviewed: true` and whether the
 * coach proposes it as a good example. Fields that did not change are sent all the same: the
 * server's merge keeps the latest coach edit of each (sync/edits.py).
 * @param {{id: string, data: object}} pitch the pitch as the device shows it
 * @param {{at: string, localDay: number}} stamp
 */
export function reviewPatch(values, prompt, pitch, { at, localDay }) {
  const before = fieldsOf(pitch);
  const set = {};
  for (const behaviourId of prompt?.behaviours ?? []) {
    const key = behaviourKey(prompt.rubric, behaviourId);
    const score = values.scores?.[key];
    if (LEVELS.includes(String(score ?? ""))) set[`score:${key}`] = Number(score);
    else if (before[`score:${key}`] != null) set[`score:${key}`] = null;
  }
  set.comments = values.comments.map((c) => ({ t_ms: c.t_ms, text: c.text }));
  set.feedback = values.feedback.trim();
  set.reviewed = true;
  set.exemplar_proposed = values.exemplar_proposed === true;
  return { id: pitch.id, base_rev: pitch.data?.rev ?? 0, set, resolve: [], at, local_day: localDay };
}

/** A rep's patch saying yes (true) or no (false) to sharing their pitch with the team. */
export function consentPatch(pitch, consent, { at, localDay }) {
  return { id: pitch.id, base_rev: pitch.data?.rev ?? 0, set: { exemplar_consent: consent === true }, resolve: [], at, local_day: localDay };
}

/**
 * The scores of a reviewed pitch as the rep reads them, in the prompt's order (then any other
 * scored behaviour): [{key, text, score, level, language}].
 */
export function scoresOf(pitch, prompt, snapshot, language) {
  const f = fieldsOf(pitch);
  const order = judgedBehaviours(prompt, snapshot, language);
  const seen = new Set(order.map((b) => b.key));
  for (const name of Object.keys(f)) {
    const m = /^score:([^:]+):([^:]+)$/.exec(name);
    if (m && !seen.has(`${m[1]}:${m[2]}`)) {
      const found = behaviourOf(snapshot, m[1], m[2], language);
      order.push({ key: `${m[1]}:${m[2]}`, text: found?.text ?? m[2], levels: found?.levels ?? {}, language: found?.language ?? null });
      seen.add(`${m[1]}:${m[2]}`);
    }
  }
  return order
    .map((b) => ({ key: b.key, text: b.text, score: f[`score:${b.key}`], language: b.language, levels: b.levels }))
    .filter((b) => Number.isInteger(b.score) && b.score >= 1 && b.score <= 4)
    .map(({ levels, ...b }) => ({ ...b, level: levels?.[String(b.score)] ?? levels?.[b.score] ?? "" }));
}

/**
 * Where an exemplar proposal stands for the rep: "none" (not proposed), "asked" (proposed, no
 * answer yet), "shared" (consented), "declined" (said no, or withdrew).
 */
export function exemplarState(pitch) {
  const f = fieldsOf(pitch);
  if (f.exemplar_proposed !== true) return "none";
  if (f.exemplar_consent === true) return "shared";
  if (f.exemplar_consent === false) return "declined";
  return "asked";
}

/** A pitch's state in one word: "waiting" (its video has not reached the server), "uploaded", "reviewed". */
export function pitchStatus(pitch) {
  if (fieldsOf(pitch).reviewed === true) return "reviewed";
  return pitch?.data?.video_uploaded ? "uploaded" : "waiting";
}

/**
 * A rep's pitches on a coach's device, by rep id: {toReview, reviewed} each newest first
 * (recorded_on, then id). A pitch is to review until its review is shared.
 */
export function pitchesByRep(pitches) {
  const byRep = new Map();
  for (const p of pitches ?? []) {
    const repId = p?.data?.rep_id;
    if (!repId) continue;
    if (!byRep.has(repId)) byRep.set(repId, { toReview: [], reviewed: [] });
    byRep.get(repId)[fieldsOf(p).reviewed === true ? "reviewed" : "toReview"].push(p);
  }
  const key = (p) => `${fieldsOf(p).recorded_on ?? ""} ${p.id}`;
  for (const lists of byRep.values()) for (const list of Object.values(lists)) list.sort((a, b) => (key(a) < key(b) ? 1 : -1));
  return byRep;
}
