// Checks a downloaded library snapshot (docs/api.md, "The snapshot document") before the store
// keeps it: a corrupt, partial or older download must never replace the good version.
// Pure: no I/O. The store calls it inside the transaction that would save the snapshot.
import { DEFAULT_POLICY, POLICIES, settingsFor } from "./scheduler.js";
import { answerKey } from "./answer-key.js";

export const SNAPSHOT_ARRAYS = Object.freeze(["competencies", "nuggets", "questions", "refreshers", "campaigns"]);
const OVERRIDES = Object.freeze([
  "desired_retention", "retire_stability", "max_interval", "wrong_days", "right_days", "retire_streak",
  "budget", "end_check_days", "horizon_days", "booster_days", "spot_check_days",
]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isText = (v) => typeof v === "string" && v.length > 0;
const isCount = (v) => Number.isSafeInteger(v) && v >= 1;

/** A campaign's scheduler settings: its repeat mode plus any overrides it names. Throws if invalid. */
export function campaignSettings(campaign) {
  const overrides = {};
  for (const key of OVERRIDES) if (campaign[key] != null) overrides[key] = campaign[key];
  const policy = campaign.repeat || DEFAULT_POLICY;
  // `anchored` places its end check before the campaign's end (a local day number, as in sync/progress.py).
  if (policy === "anchored" && typeof campaign.end === "string" && DATE.test(campaign.end)) {
    const [y, m, d] = campaign.end.split("-").map(Number);
    overrides.end_day = Date.UTC(y, m - 1, d) / 86_400_000;
  }
  return settingsFor(policy, overrides);
}

function checkQuestion(q, where, problems) {
  if (!isObject(q)) return problems.push(`${where} is not an object`);
  if (!isText(q.id)) problems.push(`${where} has no id`);
  const name = isText(q.id) ? `question ${q.id}` : where;
  if (typeof q.stem_html !== "string" || !q.stem_html.trim()) problems.push(`${name} has no stem_html`);
  if (!Array.isArray(q.options) || q.options.length < 2 || q.options.length > 5 || !q.options.every(isText)) {
    problems.push(`${name} needs 2 to 5 options`);
    return;
  }
  const correct = answerKey(q).options;
  const inRange = (n) => Number.isSafeInteger(n) && n >= 1 && n <= q.options.length;
  if (!correct.length || !correct.every(inRange) || new Set(correct).size !== correct.length) {
    problems.push(`${name} has a correct option that does not exist`);
  }
  if (typeof q.explanation_html !== "string") problems.push(`${name} has no explanation_html`);
  if (q.teaching_point != null && typeof q.teaching_point !== "string") problems.push(`${name} has a teaching_point that is not text`);
  if (!isCount(q.rev)) problems.push(`${name} has no rev`);
  if (!isCount(q.epoch) || (isCount(q.rev) && q.epoch > q.rev)) problems.push(`${name} has no valid epoch`);
}

function checkCampaign(c, where, questionIds, problems) {
  if (!isObject(c)) return problems.push(`${where} is not an object`);
  if (!isText(c.id)) problems.push(`${where} has no id`);
  const name = isText(c.id) ? `campaign ${c.id}` : where;
  if (!Array.isArray(c.questions) || !c.questions.every(isText)) problems.push(`${name} has no list of questions`);
  else for (const qid of c.questions) if (!questionIds.has(qid)) problems.push(`${name} names a missing question ${qid}`);
  if (!isCount(c.daily_cap)) problems.push(`${name} has no daily_cap`);
  if (c.start != null && !(typeof c.start === "string" && DATE.test(c.start))) problems.push(`${name} has a start that is not a date`);
  if (c.end != null && !(typeof c.end === "string" && DATE.test(c.end))) problems.push(`${name} has an end that is not a date`);
  const isDate = (v) => typeof v === "string" && DATE.test(v);
  if (c.pauses != null && !(Array.isArray(c.pauses) && c.pauses.every((p) => isObject(p) && isDate(p.from) && isDate(p.to)))) {
    problems.push(`${name} has pauses that are not {from, to} dates`);
  }
  if (c.repeat != null && !POLICIES.includes(c.repeat)) problems.push(`${name} has an unknown repeat mode ${c.repeat}`);
  else {
    try {
      campaignSettings(c);
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
    }
  }
}

const LEVELS = Object.freeze(["1", "2", "3", "4"]);

/** A coach's rubric (docs/content.md "Rubric"): behaviours, each with its four levels described. */
function checkRubric(r, where, problems) {
  if (!isObject(r)) return problems.push(`${where} is not an object`);
  if (!isText(r.id)) problems.push(`${where} has no id`);
  const name = isText(r.id) ? `rubric ${r.id}` : where;
  if (!isText(r.competency)) problems.push(`${name} has no competency`);
  if (!Array.isArray(r.behaviours) || r.behaviours.length < 1) return problems.push(`${name} has no behaviours`);
  r.behaviours.forEach((b, i) => {
    const label = isObject(b) && isText(b.id) ? `${name} behaviour ${b.id}` : `${name} behaviour #${i + 1}`;
    if (!isObject(b) || !isText(b.id) || !isText(b.text)) return problems.push(`${label} has no id or text`);
    const keys = isObject(b.levels) ? Object.keys(b.levels).sort() : [];
    if (keys.join() !== LEVELS.join() || !LEVELS.every((k) => isText(b.levels[k]))) problems.push(`${label} does not describe levels 1 to 4`);
    for (const field of ["questions", "refreshers"]) {
      if (b[field] != null && !(Array.isArray(b[field]) && b[field].every(isText))) problems.push(`${label} has ${field} that are not ids`);
    }
  });
}

export const TIME_LIMIT_S = Object.freeze({ min: 30, max: 180 });

/** A pitch prompt (docs/content.md "Pitch prompt"): a situation, a time limit, a rubric's behaviours to judge. */
function checkPitchPrompt(p, where, problems) {
  if (!isObject(p)) return problems.push(`${where} is not an object`);
  if (!isText(p.id)) problems.push(`${where} has no id`);
  const name = isText(p.id) ? `pitch prompt ${p.id}` : where;
  if (!isText(p.title)) problems.push(`${name} has no title`);
  if (typeof p.situation_html !== "string" || !p.situation_html.trim()) problems.push(`${name} has no situation_html`);
  const limit = p.time_limit_s;
  if (!Number.isSafeInteger(limit) || limit < TIME_LIMIT_S.min || limit > TIME_LIMIT_S.max) {
    problems.push(`${name} has no time_limit_s of ${TIME_LIMIT_S.min} to ${TIME_LIMIT_S.max} seconds`);
  }
  if (!isText(p.rubric)) problems.push(`${name} has no rubric`);
  if (!Array.isArray(p.behaviours) || p.behaviours.length < 1 || !p.behaviours.every(isText)) problems.push(`${name} has no behaviours to judge`);
  else if (new Set(p.behaviours).size !== p.behaviours.length) problems.push(`${name} lists a behaviour twice`);
  if (p.campaign != null && !isText(p.campaign)) problems.push(`${name} has a campaign that is not an id`);
  if (p.audience != null && typeof p.audience !== "string") problems.push(`${name} has an audience that is not text`);
  if (!isCount(p.rev)) problems.push(`${name} has no rev`);
}

/**
 * Everything wrong with a snapshot document, as a list of sentences (empty: it can be used).
 * `currentVersion` is the version the device has: an older document is refused.
 * @param {unknown} doc
 * @param {{currentVersion?: number}} [options]
 * @returns {string[]}
 */
export function checkSnapshot(doc, { currentVersion = 0 } = {}) {
  if (!isObject(doc)) return ["the snapshot is not a JSON object"];
  const problems = [];
  if (!isCount(doc.version)) return ["the snapshot has no version number"];
  if (doc.version < currentVersion) return [`version ${doc.version} is older than the version on this device (${currentVersion})`];
  for (const key of SNAPSHOT_ARRAYS) if (!Array.isArray(doc[key])) problems.push(`the snapshot has no ${key} list`);
  if (problems.length) return problems;
  const questionIds = new Set();
  doc.questions.forEach((q, i) => {
    checkQuestion(q, `question #${i + 1}`, problems);
    if (isObject(q) && isText(q.id)) {
      if (questionIds.has(q.id)) problems.push(`question ${q.id} appears twice`);
      questionIds.add(q.id);
    }
  });
  doc.campaigns.forEach((c, i) => checkCampaign(c, `campaign #${i + 1}`, questionIds, problems));
  // Rubrics came later: a snapshot published before them has none.
  if (doc.rubrics != null && !Array.isArray(doc.rubrics)) problems.push("the snapshot's rubrics are not a list");
  else (doc.rubrics ?? []).forEach((r, i) => checkRubric(r, `rubric #${i + 1}`, problems));
  // Pitch prompts came later still.
  if (doc.pitch_prompts != null && !Array.isArray(doc.pitch_prompts)) problems.push("the snapshot's pitch_prompts are not a list");
  else (doc.pitch_prompts ?? []).forEach((p, i) => checkPitchPrompt(p, `pitch prompt #${i + 1}`, problems));
  return problems;
}
