// What the rep's Feedback screen shows, without the DOM: the observations shared with them and,
// for each, the rated behaviours in the rubric's words. Pure functions over the device's
// edited records (store.editedRecords("observation")), the pull's `me` and the library.
import { threadOrder } from "./coaching-thread.js";

/** A comment's longest length: sync/kinds/acknowledgement.py MAX_COMMENT. */
export const MAX_COMMENT = 2_000;

const fieldsOf = (data) => (data?.fields && typeof data.fields === "object" ? data.fields : {});

/**
 * The observations shared with the signed-in rep, newest first (observed_on, then id, both
 * descending). Without `me` yet (before the first full pull), the shared observations the
 * server sent (those with an author): a device only receives someone else's observation once
 * it is shared with its person.
 * @param {Array<{id: string, data: object, pending: boolean}>} records
 * @param {{user_id: string}|null} me
 */
export function sharedWithMe(records, me) {
  const mine = (records ?? []).filter(({ data }) => {
    if (!data?.shared) return false;
    if (me?.user_id) return (data.rep_id ?? fieldsOf(data).rep_id) === me.user_id && data.author_id !== me.user_id;
    return data.author_id != null;
  });
  const key = (r) => [String(fieldsOf(r.data).observed_on ?? ""), r.id];
  return mine.sort((a, b) => {
    const [da, ia] = key(a);
    const [db, ib] = key(b);
    return da !== db ? (da < db ? 1 : -1) : ia < ib ? 1 : ia > ib ? -1 : 0;
  });
}

/** True when the rep has acknowledged it: the latest event of its thread says so. */
export function isAcknowledged(events) {
  const ordered = threadOrder(events);
  return ordered.length > 0 && ordered[ordered.length - 1].acknowledged === true;
}

/**
 * The rated behaviours of an observation, in the rubrics' order: the behaviour's text, its
 * rating and that level's description, and the evidence. A rating of a rubric or behaviour the
 * library does not have (yet) is still listed, by its id. `rating:<behaviour>` (payload v1) is
 * looked up in every rubric.
 * @returns {Array<{rubricId: string|null, rubricTitle: string|null, behaviourId: string, text: string, rating: number, level: string|null, evidence: string|null}>}
 */
export function ratedBehaviours(fields, rubrics) {
  const list = rubrics ?? [];
  const rated = [];
  for (const [key, value] of Object.entries(fields ?? {})) {
    const m = /^rating:(?:([^:]+):)?([^:]+)$/.exec(key);
    if (!m || !Number.isInteger(value) || value < 1 || value > 4) continue;
    const [, rubricId = null, behaviourId] = m;
    const rubric = rubricId ? list.find((r) => r.id === rubricId) : list.find((r) => (r.behaviours ?? []).some((b) => b.id === behaviourId));
    const index = (rubric?.behaviours ?? []).findIndex((b) => b.id === behaviourId);
    const behaviour = index >= 0 ? rubric.behaviours[index] : null;
    const evidence = fields[rubricId ? `evidence:${rubricId}:${behaviourId}` : `evidence:${behaviourId}`];
    rated.push({
      rubricId: rubric?.id ?? rubricId,
      rubricTitle: rubric?.title ?? null,
      behaviourId,
      text: behaviour?.text ?? behaviourId,
      rating: value,
      level: behaviour?.levels?.[String(value)] ?? null,
      evidence: typeof evidence === "string" && evidence.trim() ? evidence : null,
      order: [rubric ? list.indexOf(rubric) : list.length, index >= 0 ? index : Number.MAX_SAFE_INTEGER, key],
    });
  }
  rated.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || (a.order[2] < b.order[2] ? -1 : 1));
  return rated.map(({ order, ...rest }) => rest);
}
