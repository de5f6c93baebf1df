// Coach mode's pure pieces (docs/coaching.md): who a coach coaches (from the pulled `me`), the
// rubrics to rate with, what a rep's summary says, and the observation patch a draft becomes.
// No DOM and no storage, so each is unit-tested on its own (test/coaching.test.js); the screens
// (screens/team.js, screens/observe.js, screens/observation.js) draw them.

/** Observation field lengths, as sync/kinds/observation.py checks them. */
export const LIMITS = Object.freeze({ short: 60, name: 120, long: 4000 });
/** The payload version of an observation patch (v2: ratings named by rubric and behaviour). */
export const OBSERVATION_PAYLOAD_VERSION = 2;
/** The levels of a rubric's scale. */
export const LEVELS = Object.freeze(["1", "2", "3", "4"]);

const COACHING_ROLES = ["coach", "manager"];

/** The person's roles from the kept `me` (an empty list before a pull has brought it). */
export function rolesOf(me) {
  return Array.isArray(me?.roles) ? me.roles.map(String) : [];
}

/** True when `me` coaches or manages a team: they see "Team". */
export function seesTeam(me) {
  return rolesOf(me).some((r) => COACHING_ROLES.includes(r)) || coachedTeams(me).length > 0;
}

/** True when `me` may write observations (a coach; a manager only reads). */
export function canObserve(me) {
  return coachedTeams(me).some((team) => team.role === "coach");
}

/** The teams `me` coaches or manages. */
export function coachedTeams(me) {
  return (Array.isArray(me?.teams) ? me.teams : []).filter((team) => COACHING_ROLES.includes(team?.role));
}

/**
 * The reps of the teams `me` coaches or manages, each once, by name:
 * [{user_id, name, teams: [team names], summary, canObserve}]. `canObserve`: a team where I am
 * the coach holds them (a manager's reps are read-only).
 */
export function teamReps(me, language = "en") {
  const reps = new Map();
  for (const team of coachedTeams(me)) {
    for (const member of Array.isArray(team.members) ? team.members : []) {
      if (member?.role !== "rep" || !member.user_id) continue;
      const rep = reps.get(member.user_id) ?? { user_id: member.user_id, name: member.name || member.user_id, teams: [], summary: null, canObserve: false };
      rep.teams.push(team.name ?? team.id);
      rep.summary ??= member.summary ?? null;
      rep.canObserve ||= team.role === "coach";
      reps.set(member.user_id, rep);
    }
  }
  const collator = new Intl.Collator(language);
  return [...reps.values()].sort((a, b) => collator.compare(a.name, b.name) || (a.user_id < b.user_id ? -1 : 1));
}

/** Every person `me` knows by id (team members and `me`): id → name. */
export function peopleById(me) {
  const names = new Map();
  for (const team of Array.isArray(me?.teams) ? me.teams : []) {
    for (const member of Array.isArray(team.members) ? team.members : []) if (member?.user_id) names.set(member.user_id, member.name || member.user_id);
  }
  if (me?.user_id) names.set(me.user_id, me.name || me.user_id);
  return names;
}

/**
 * The rubric to rate each competency with, in the library's competency order: the competency's
 * rubric in `language`, else its original (English) one. [{competency, rubric}]; competencies
 * without a rubric are left out.
 */
export function rubricsByCompetency(snapshot, language) {
  const rubrics = Array.isArray(snapshot?.rubrics) ? snapshot.rubrics : [];
  const order = (snapshot?.competencies ?? []).map((c) => c.id);
  const chosen = new Map();
  for (const rubric of rubrics) {
    if (!rubric?.competency || !Array.isArray(rubric.behaviours)) continue;
    const lang = rubric.language ?? "en";
    const current = chosen.get(rubric.competency);
    const score = lang === language ? 2 : !rubric.translation_of && lang === "en" ? 1 : !rubric.translation_of ? 0.5 : 0;
    if (!score) continue;
    if (!current || score > current.score) chosen.set(rubric.competency, { score, rubric });
  }
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...chosen.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map(([competency, { rubric }]) => ({ competency, rubric }));
}

/**
 * A behaviour's text for a coach reading `language`: from the rubric named, or from its
 * translation into `language` (same behaviour id) when there is one. null when unknown.
 */
export function behaviourOf(snapshot, rubricId, behaviourId, language) {
  const rubrics = Array.isArray(snapshot?.rubrics) ? snapshot.rubrics : [];
  const rubric = rubrics.find((r) => r.id === rubricId);
  if (!rubric) return null;
  const original = rubric.translation_of ?? rubric.id;
  const family = rubrics.filter((r) => r.id === original || r.translation_of === original);
  const inLanguage = family.find((r) => (r.language ?? "en") === language);
  const source = rubrics.find((r) => r.id === original);
  for (const candidate of [inLanguage, rubric, source]) {
    const behaviour = candidate?.behaviours?.find((b) => b.id === behaviourId);
    if (behaviour) return { text: behaviour.text ?? behaviourId, levels: behaviour.levels ?? {}, rubric: candidate, language: candidate.language ?? "en" };
  }
  return null;
}

/** The key of a behaviour in a draft and in an observation's field names: "<rubric>:<behaviour>". */
export const behaviourKey = (rubricId, behaviourId) => `${rubricId}:${behaviourId}`;

/**
 * A rep's weakest behaviours from their summary, as lines to show:
 * [{text, rating, observed_on, language}] (the behaviour's id when the library does not know it).
 */
export function weakestLines(summary, snapshot, language) {
  const weakest = Array.isArray(summary?.weakest) ? summary.weakest : [];
  return weakest.map((w) => {
    const found = behaviourOf(snapshot, w.rubric_id, w.behaviour_id, language);
    return { text: found?.text ?? w.behaviour_id, rating: w.rating, observed_on: w.observed_on ?? null, language: found?.language ?? null };
  });
}

/** A rep's practice from coaching ({assigned, answered, right, last_on}), with zeros for what is missing. */
export function practiceOf(summary) {
  const p = summary?.practice ?? {};
  const n = (x) => (Number.isFinite(x) && x > 0 ? x : 0);
  return { assigned: n(p.assigned), answered: n(p.answered), right: n(p.right), last_on: p.last_on ?? null };
}

/** A local day number as YYYY-MM-DD (day numbers count from 1970-01-01). */
export function dayToDate(day) {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A YYYY-MM-DD date in words ("7 December 2026"), or the text as it is when it is not one; in
 * the browser's own variant of `language` when it has one (en-GB: day before month).
 */
export function formatDate(text, language, preferred = globalThis.navigator?.languages ?? []) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(text ?? ""))) return text ?? "";
  const locale = (preferred ?? []).find((tag) => String(tag).toLowerCase().split("-")[0] === language) ?? language;
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${text}T00:00:00Z`));
}

/** A fresh draft's values: observed today, nothing else yet. */
export function newDraftValues(today, repId = "") {
  return {
    rep_id: repId,
    observed_on: dayToDate(today),
    meeting_type: "",
    phase: "",
    customer: "",
    opportunity: "",
    competencies: [],
    ratings: {},
    evidence: {},
    strengths: "",
    next_step: "",
    next_step_due: "",
    notes: "",
  };
}

/** A draft's values with every field there (a draft saved by an older version may lack some). */
export function completeValues(values, today) {
  const base = newDraftValues(today);
  const v = { ...base, ...(values ?? {}) };
  v.competencies = Array.isArray(v.competencies) ? v.competencies.map(String) : [];
  v.ratings = v.ratings && typeof v.ratings === "object" ? { ...v.ratings } : {};
  v.evidence = v.evidence && typeof v.evidence === "object" ? { ...v.evidence } : {};
  return v;
}

/** The rating and evidence keys ("<rubric>:<behaviour>") that belong to the chosen competencies' rubrics. */
function chosenBehaviours(values, rubrics) {
  const chosen = new Set(values.competencies);
  const keys = new Set();
  for (const rubric of rubrics) {
    if (!chosen.has(rubric.competency)) continue;
    for (const b of rubric.behaviours ?? []) keys.add(behaviourKey(rubric.id, b.id));
  }
  return keys;
}

/**
 * What stops a draft from being shared: [{field, key}] (field: the form field to focus,
 * key: the catalogue key of the message), in form order. A rep and at least one rating of a
 * chosen competency are needed; texts must fit the server's limits.
 * @param {object} values the draft's values
 * @param {object[]} rubrics the library's rubrics (snapshot.rubrics)
 */
export function problemsOf(values, rubrics) {
  const problems = [];
  if (!values.rep_id) problems.push({ field: "rep_id", key: "observe.needRep" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.observed_on ?? "")) problems.push({ field: "observed_on", key: "observe.needDate" });
  for (const [field, max] of [["meeting_type", LIMITS.short], ["phase", LIMITS.short], ["customer", LIMITS.name], ["opportunity", LIMITS.name]]) {
    if (String(values[field] ?? "").length > max) problems.push({ field, key: "observe.tooLong" });
  }
  const keys = chosenBehaviours(values, rubrics);
  const rated = [...keys].filter((k) => LEVELS.includes(String(values.ratings?.[k] ?? "")));
  if (!rated.length) problems.push({ field: "ratings", key: "observe.needRating" });
  for (const field of ["strengths", "next_step", "notes"]) if (String(values[field] ?? "").length > LIMITS.long) problems.push({ field, key: "observe.tooLong" });
  if (values.next_step_due && !/^\d{4}-\d{2}-\d{2}$/.test(values.next_step_due)) problems.push({ field: "next_step_due", key: "observe.needDate" });
  return problems;
}

/**
 * The patch that creates and shares an observation from a draft (payload version 2,
 * sync/kinds/observation.py): every filled-in field, the ratings and evidence of the chosen
 * competencies' rubrics, `shared: true`. Empty fields are left out.
 * @param {object} values the draft's values (completeValues)
 * @param {object[]} rubrics the library's rubrics (snapshot.rubrics)
 * @param {{id: string, at: string, localDay: number}} stamp the new observation's id, the device time, the local day
 */
export function observationPayload(values, rubrics, { id, at, localDay }) {
  const set = {};
  const text = (name) => {
    const value = String(values[name] ?? "").trim();
    if (value) set[name] = value;
  };
  set.rep_id = values.rep_id;
  set.observed_on = values.observed_on;
  for (const name of ["meeting_type", "phase", "customer", "opportunity"]) text(name);
  const keys = chosenBehaviours(values, rubrics);
  if (values.competencies.length) set.competencies = [...values.competencies];
  for (const key of keys) {
    const rating = values.ratings?.[key];
    if (LEVELS.includes(String(rating ?? ""))) set[`rating:${key}`] = Number(rating);
    const evidence = String(values.evidence?.[key] ?? "").trim();
    if (evidence) set[`evidence:${key}`] = evidence;
  }
  for (const name of ["strengths", "next_step"]) text(name);
  if (values.next_step_due) set.next_step_due = values.next_step_due;
  text("notes");
  set.shared = true;
  return { id, base_rev: 0, set, resolve: [], at, local_day: localDay };
}

/**
 * An observation's ratings, grouped by rubric in the order the fields name them:
 * [{rubricId, title, behaviours: [{id, text, rating, level, evidence, language}]}].
 */
export function ratingsOf(fields, snapshot, language) {
  const groups = new Map();
  for (const [name, value] of Object.entries(fields ?? {})) {
    const m = /^(rating|evidence):(?:([a-z0-9-]+):)?([a-z0-9-]+)$/.exec(name);
    if (!m) continue;
    const [, what, rubricId = "", behaviourId] = m;
    if (!groups.has(rubricId)) groups.set(rubricId, new Map());
    const behaviours = groups.get(rubricId);
    if (!behaviours.has(behaviourId)) behaviours.set(behaviourId, { id: behaviourId, rating: null, evidence: "" });
    behaviours.get(behaviourId)[what === "rating" ? "rating" : "evidence"] = value;
  }
  return [...groups.entries()].map(([rubricId, behaviours]) => {
    const rubric = (snapshot?.rubrics ?? []).find((r) => r.id === rubricId);
    const order = (rubric?.behaviours ?? []).map((b) => b.id);
    const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
    return {
      rubricId,
      title: rubric?.title ?? rubricId,
      behaviours: [...behaviours.values()]
        .sort((a, b) => rank(a.id) - rank(b.id))
        .map((b) => {
          const found = behaviourOf(snapshot, rubricId, b.id, language);
          const level = b.rating == null ? "" : (found?.levels?.[b.rating] ?? found?.levels?.[String(b.rating)] ?? "");
          return { ...b, text: found?.text ?? b.id, level, language: found?.language ?? null };
        }),
    };
  });
}

/** Where an observation stands for its coach: {shared, pending} → "shared" | "draft", and whether it waits to sync. */
export function statusOf(record) {
  const shared = Boolean(record?.data?.shared ?? record?.data?.fields?.shared);
  return { shared, pending: Boolean(record?.pending) };
}
