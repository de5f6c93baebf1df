// Intervision (group coaching) sessions on the device: what the screens need to know about a
// session, pure (no DOM, no storage). The server's rule is sync/kinds/session.py and docs/sync.md
// "Session payload v1": the four stages run in order, a patch may keep the stage or move it on by
// one, and only the moderator edits.
//
// The app guides the order: at each stage only that stage's fields are written, and a stage's
// text is recorded once, when the moderator moves on ("Next stage"; "Save" at the last stage).
// Why once: every patch names the revision the device last pulled, so a second offline patch of
// the same long text would reach the server as a conflicting version of the device's own first
// one (the merge rule keeps both). Until then the text lives in a draft (screens/session-view.js).
import { dayOfDate } from "./study-plan.js";

/** The four stages, in order, with the fields each one writes (docs/coaching.md). */
export const STAGES = Object.freeze([
  Object.freeze({ number: 1, key: "case", fields: Object.freeze(["question"]) }),
  Object.freeze({ number: 2, key: "clarifying", fields: Object.freeze(["clarifying_questions"]) }),
  Object.freeze({ number: 3, key: "advise", fields: Object.freeze(["ideas"]) }),
  Object.freeze({ number: 4, key: "commit", fields: Object.freeze(["reflection", "commitment", "follow_up_on"]) }),
]);
export const LAST_STAGE = STAGES.length;
export const MAX_TEXT = 4_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The stage (1–4) a session's data says it is at. */
export function stageOf(data) {
  // The pulled `stage` and the fields' (with this device's queued patches on top, edited-view.js):
  // the furthest, as the server's merge decides an ordered field.
  const valid = [data?.fields?.stage, data?.stage].map(Number).filter((s) => Number.isInteger(s) && s >= 1 && s <= LAST_STAGE);
  return valid.length ? Math.max(...valid) : 1;
}

/** The fields the moderator may write at `stage` (the earlier stages' are read-only). */
export function editableFields(stage) {
  return STAGES.find((s) => s.number === stage)?.fields ?? [];
}

/** The stage that writes `field`, or null. */
export function stageOfField(field) {
  return STAGES.find((s) => s.fields.includes(field))?.number ?? null;
}

/** The draft of a session's stage: one per stage, so a later stage never picks up an earlier one's text. */
export function draftId(sessionId, stage) {
  return `session:${sessionId}:${stage}`;
}

/** "YYYY-MM-DD" of a local day number (days since 1970-01-01). */
export function isoDate(day) {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The patch that creates a session (base_rev 0, stage 1).
 * @param {{id: string, teamId: string, caseOwnerId: string, heldOn: string, at: string, localDay: number}} args
 */
export function createPatch({ id, teamId, caseOwnerId, heldOn, at, localDay }) {
  if (!teamId || !caseOwnerId) throw new RangeError("a session needs a team and a case owner");
  if (!DATE.test(String(heldOn ?? ""))) throw new RangeError("a session needs the date it is held, YYYY-MM-DD");
  return { id, base_rev: 0, set: { team_id: teamId, case_owner_id: caseOwnerId, held_on: heldOn, stage: 1 }, resolve: [], at, local_day: localDay };
}

/** A field's value as the form holds it ("" for none), and as a patch sends it (a blank date is null). */
function formValue(field, value) {
  return value == null ? "" : String(value);
}
function wireValue(field, value) {
  if (field === "follow_up_on") return value ? String(value) : null;
  return String(value ?? "");
}

/**
 * What is wrong with the values of a stage, as catalogue keys ([] when nothing), before they
 * are recorded: the case owner's question before leaving stage 1, a well-formed follow-up date.
 */
export function problems(stage, values, { moving = false } = {}) {
  const found = [];
  if (stage === 1 && moving && !String(values.question ?? "").trim()) found.push("session.needQuestion");
  if (stage === 4 && values.follow_up_on && !DATE.test(String(values.follow_up_on))) found.push("session.badDate");
  for (const field of editableFields(stage)) {
    if (field !== "follow_up_on" && String(values[field] ?? "").length > MAX_TEXT) found.push("session.tooLong");
  }
  return found;
}

/**
 * The patch that records the current stage's fields and, when `moving`, moves the session on
 * to the next stage, exactly one. `data` is the session as the device holds it (pulled, with
 * its own unsynced patches on top): its `rev` is the base, its stage the one being written.
 * Only fields of the current stage that differ from what is held are sent. Throws when asked
 * to move past the last stage or for values of another stage.
 * @returns {{id: string, base_rev: number, set: object, resolve: string[], at: string, local_day: number} | null}
 *   null when there is nothing to record
 */
export function stagePatch(data, values, { moving, at, localDay }) {
  const stage = stageOf(data);
  if (moving && stage >= LAST_STAGE) throw new RangeError(`stage ${stage} is the last: there is no next stage`);
  const allowed = editableFields(stage);
  const set = {};
  for (const [field, value] of Object.entries(values ?? {})) {
    if (!allowed.includes(field)) throw new RangeError(`${field} is not written at stage ${stage}`);
    if (formValue(field, value) !== formValue(field, data?.fields?.[field])) set[field] = wireValue(field, value);
  }
  if (moving) set.stage = stage + 1;
  if (!Object.keys(set).length) return null;
  return { id: data.id, base_rev: Number(data.rev ?? 0), set, resolve: [], at, local_day: localDay };
}

/** The teams `me` coaches (where they may start a session). */
export function coachedTeams(me) {
  return (me?.teams ?? []).filter((team) => team.role === "coach");
}

/** A member's name in `me`'s teams, or null. */
export function memberName(me, userId) {
  for (const team of me?.teams ?? []) {
    const member = (team.members ?? []).find((m) => m.user_id === userId);
    if (member) return member.name;
  }
  return me?.user_id === userId ? me?.name ?? null : null;
}

/**
 * A session as the screens show it, from an edited record ({id, data, pending}) and `me`.
 * `moderator`: whether this person edits it (the moderator; a session made on this device and
 * not yet synced is theirs).
 */
export function sessionView({ id, data, pending = false }, me) {
  const fields = data?.fields ?? {};
  const teamId = fields.team_id ?? data?.team_id ?? null;
  const caseOwnerId = fields.case_owner_id ?? data?.case_owner_id ?? null;
  const moderatorId = data?.moderator_id ?? null;
  const team = (me?.teams ?? []).find((t) => t.id === teamId);
  return {
    id,
    data,
    rev: Number(data?.rev ?? 0),
    pending: Boolean(pending),
    teamId,
    teamName: team?.name ?? teamId,
    caseOwnerId,
    caseOwnerName: memberName(me, caseOwnerId),
    heldOn: fields.held_on ?? null,
    stage: stageOf(data),
    fields,
    conflicts: data?.conflicts ?? {},
    moderator: moderatorId ? moderatorId === me?.user_id : Number(data?.rev ?? 0) === 0,
  };
}

/** Sessions newest first: by the date held, then by id (UUIDv7s grow with time). */
export function newestFirst(views) {
  return [...views].sort((a, b) => String(b.heldOn ?? "").localeCompare(String(a.heldOn ?? "")) || String(b.id).localeCompare(String(a.id)));
}

/**
 * The commitments due for `userId` on `today` (a local day number): sessions where they are the
 * case owner, with a commitment and a follow-up date on or before today, not dismissed.
 * Oldest follow-up first.
 */
export function dueCommitments(views, { userId, today, dismissed = [] }) {
  const gone = new Set(dismissed);
  return views
    .filter((v) => v.caseOwnerId === userId && !gone.has(v.id))
    .filter((v) => String(v.fields.commitment ?? "").trim())
    .filter((v) => {
      const due = dayOfDate(v.fields.follow_up_on);
      return due !== null && today >= due;
    })
    .sort((a, b) => String(a.fields.follow_up_on).localeCompare(String(b.fields.follow_up_on)) || String(a.id).localeCompare(String(b.id)));
}
