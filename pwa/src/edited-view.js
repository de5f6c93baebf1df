// What the device shows of an edited record (an observation, a session): the state the server
// last sent, with the device's own queued patches applied on top in client_seq order, so an
// edit made offline shows at once. The server's merge (sync/edits.py) decides for good at the
// next sync; a pull then replaces the view. Pure: no I/O.

/** A record created on this device and not yet pulled back. */
function blank(kind, id) {
  const base = { id, rev: 0, fields: {}, conflicts: {}, created_at: null, updated_at: null };
  if (kind === "session") return { ...base, moderator_id: null, team_id: null, case_owner_id: null, stage: 1 };
  // A pitch made here is the rep's own; its video has not reached the server yet.
  if (kind === "pitch") return { ...base, rep_id: null, video_uploaded: false };
  return { ...base, author_id: null, rep_id: null, shared: false };
}

/**
 * @param {string} kind "observation", "session" or "pitch"
 * @param {Array<{id: string, data: object}>} pulled the kept records of `kind`
 * @param {Array<{client_seq: number, kind: string, payload: {id: string, set?: object, resolve?: string[]}}>} queued outbox entries
 * @returns {Array<{id: string, data: object, pending: boolean}>} by id
 */
export function editedView(kind, pulled, queued) {
  const views = new Map(pulled.map((r) => [r.id, { id: r.id, data: structuredClone(r.data), pending: false }]));
  const patches = queued.filter((e) => e.kind === kind).sort((a, b) => a.client_seq - b.client_seq);
  for (const { payload } of patches) {
    const view = views.get(payload.id) ?? { id: payload.id, data: blank(kind, payload.id), pending: false };
    const set = payload.set ?? {};
    const data = view.data;
    data.fields = { ...data.fields, ...set };
    data.conflicts = { ...(data.conflicts ?? {}) };
    for (const name of [...(payload.resolve ?? []), ...Object.keys(set)]) delete data.conflicts[name];
    if (kind === "observation") {
      data.rep_id = data.rep_id ?? set.rep_id ?? null;
      if ("shared" in set) data.shared = Boolean(set.shared);
    } else if (kind === "session") {
      data.team_id = data.team_id ?? set.team_id ?? null;
      data.case_owner_id = data.case_owner_id ?? set.case_owner_id ?? null;
      if (Number.isInteger(set.stage)) data.stage = Math.max(data.stage ?? 1, set.stage);
    }
    view.pending = true;
    views.set(payload.id, view);
  }
  return [...views.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
