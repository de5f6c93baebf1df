// The push phase (docs/sync.md, "POST /sync/push"): the outbox in client_seq order, in batches
// within the limits, until it is empty or something stops it.
//
// Entries leave the outbox only through the store's ackThrough, at or below an acked_through
// the server sent: a response that never arrived acknowledges nothing, and the retry sends the
// same mutations (the server answers a repeat from its stored results).
import { PROTOCOL, classify, cutBatch, formatTimestamp } from "./rules.js";

/** @typedef {import("./client.js").SyncContext} SyncContext */
/** @typedef {import("./store-interface.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./store-interface.js").Rejection} Rejection */

/**
 * Push until the outbox is empty.
 * @param {SyncContext} ctx
 * @returns {Promise<"ok"|"paused"|"stopped"|"offline">}
 */
export async function pushAll(ctx) {
  let limit = ctx.limits.maxMutations;
  let retries = 0;
  let rewinds = 0;
  let stalls = 0;
  for (;;) {
    const candidates = await ctx.store.outboxBatch(limit);
    if (!candidates.length) return "ok";
    // sent_at has a fixed length, so the cut made with this one fits the body sent later.
    const envelope = { protocol: PROTOCOL, device_id: ctx.deviceId, sent_at: formatTimestamp(ctx.now()) };
    const { entries } = cutBatch(candidates, { maxMutations: limit, maxBytes: ctx.limits.maxPushBytes, envelope });
    const result = await ctx.transport.post("/sync/push", () =>
      JSON.stringify({ ...envelope, sent_at: formatTimestamp(ctx.now()), mutations: entries }),
    );
    const verdict = classify(result);
    switch (verdict.type) {
      case "ok": {
        ctx.outcome.succeeded();
        retries = 0;
        const acked = Number(result.data.acked_through);
        if (!Number.isSafeInteger(acked)) return ctx.outcome.stop({ kind: "bad_response", detail: "acked_through is missing" });
        const rejected = rejections(entries, result.data.results);
        const deleted = await ctx.store.ackThrough(acked, rejected);
        if (rejected.length) ctx.emit("rejected", rejected);
        await ctx.emitStatus();
        if (deleted === 0 && ++stalls > 2) {
          return ctx.outcome.stop({ kind: "no_progress", detail: `the server acknowledged through ${acked}, below the outbox` });
        }
        break;
      }
      case "paused":
        return ctx.outcome.pause(verdict);
      case "split":
        // One mutation over the limit cannot be split: keep it and report.
        if (entries.length <= 1) return ctx.outcome.giveUp(verdict);
        limit = Math.max(1, Math.floor(entries.length / 2));
        break;
      case "gap": {
        if (++rewinds > 3) return ctx.outcome.stop({ ...verdict, kind: "seq_gap_loop" });
        const expected = verdict.expectedSeq;
        if (expected < entries[0].client_seq) {
          // The server lost later mutations (restored from a backup): renumber, same ids.
          await ctx.store.renumberOutbox(expected);
        } else if (expected - 1 < (await ctx.store.nextSeq())) {
          await ctx.store.ackThrough(expected - 1); // entries below expected_seq were applied
        } else {
          return ctx.outcome.stop({ ...verdict, kind: "seq_gap_ahead", detail: `the server expects ${expected}, beyond anything sent` });
        }
        break;
      }
      case "transient":
        if (!(await ctx.outcome.retry(verdict, retries++))) return "offline";
        break;
      default:
        return ctx.outcome.stop(verdict);
    }
  }
}

/**
 * The push results that rejected a mutation of this batch for good (matched by client_seq AND
 * mutation id, so a stale or foreign result is ignored), whatever its kind. A rejected mutation
 * is handled: acked_through moves past it, so it never blocks the ones after it.
 * @param {OutboxEntry[]} entries
 * @returns {Rejection[]}
 */
export function rejections(entries, results) {
  const bySeq = new Map(entries.map((e) => [e.client_seq, e]));
  const out = [];
  for (const r of Array.isArray(results) ? results : []) {
    if (r?.status !== "rejected") continue;
    const entry = bySeq.get(r.client_seq);
    if (!entry || entry.id !== r.id) continue;
    /** @type {Rejection} */
    const rejection = { kind: entry.kind, recordId: entry.payload?.id ?? null, mutationId: entry.id, clientSeq: entry.client_seq, reason: r.reason ?? "rejected" };
    // An answer's question, so that the app can name it.
    if (entry.kind === "answer") rejection.questionId = entry.payload.question_id;
    out.push(rejection);
  }
  return out;
}
