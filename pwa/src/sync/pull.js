// The pull phase (docs/sync.md, "POST /sync/pull"): pages until has_more is false, each page
// handed to the store with its cursors in ONE store call, so a page is applied entirely or not
// at all. A page that announces a new library version brings its snapshot along (library.js);
// the snapshot and the content cursor are then kept in that same call, or neither is.
import { PROTOCOL, classify } from "./rules.js";
import { fetchSnapshot } from "./library.js";
import { rejections } from "./push.js";

/** @typedef {import("./client.js").SyncContext} SyncContext */
/** @typedef {import("./store-interface.js").Cursors} Cursors */

/**
 * Pull until has_more is false.
 * @param {SyncContext} ctx
 * @returns {Promise<object|"paused"|"stopped"|"offline">} the last page, or how it ended early
 */
export async function pullPages(ctx) {
  let retries = 0;
  for (let pages = 0; pages < 1_000_000; ) {
    const cursors = await ctx.store.getCursors();
    // Provisional states that differed from the server's (docs/sync.md); optional for a store.
    const disagreements = Math.min(100_000, (await ctx.store.disagreements?.()) ?? 0);
    // The first entry still queued: the server reports rejections from there (docs/sync.md).
    const outboxFrom = (await ctx.store.outboxBatch(1))[0]?.client_seq ?? null;
    const result = await ctx.transport.post("/sync/pull", JSON.stringify(pullRequest(ctx, cursors, disagreements, outboxFrom)));
    const verdict = classify(result);
    if (verdict.type === "transient") {
      if (!(await ctx.outcome.retry(verdict, retries++))) return "offline";
      continue;
    }
    if (verdict.type === "paused") return ctx.outcome.pause(verdict);
    if (verdict.type !== "ok") return ctx.outcome.stop(verdict);
    ctx.outcome.succeeded();
    retries = 0;
    pages += 1;
    const data = result.data;
    if (!Array.isArray(data.changes) || !data.cursors || typeof data.has_more !== "boolean") {
      return ctx.outcome.stop({ kind: "bad_response", detail: "a pull response without changes, cursors or has_more" });
    }
    await applyPage(ctx, cursors, data, disagreements, outboxFrom);
    await ctx.emitStatus();
    // A reset page already starts from 0; pulling once more is what the protocol asks.
    if (data.has_more || (data.reset?.length && pages < 3)) continue;
    return data;
  }
  return ctx.outcome.stop({ kind: "pull_loop", detail: "the pull never finished" });
}

/** The request body: optional fields only when they say something. */
function pullRequest(ctx, cursors, disagreements, outboxFrom) {
  const body = { protocol: PROTOCOL, device_id: ctx.deviceId, cursors: { content: cursors.content, records: cursors.records }, limit: ctx.limits.pullLimit };
  if (Number.isSafeInteger(outboxFrom) && outboxFrom >= 1) body.outbox_from = outboxFrom;
  if (disagreements > 0) body.disagreements = disagreements;
  const localDay = ctx.localDay();
  if (Number.isInteger(localDay) && localDay >= 0) body.local_day = localDay;
  return body;
}

/**
 * The cursors to keep after a page: a reset stream takes the server's (lower) value, any other
 * stream never goes backwards.
 * @param {Cursors} old
 * @param {string[]} reset
 * @returns {Cursors}
 */
function nextCursors(old, sent, reset) {
  const cursors = { content: old.content, records: old.records };
  for (const stream of ["content", "records"]) {
    const value = sent[stream];
    if (!Number.isSafeInteger(value)) continue;
    cursors[stream] = reset.includes(stream) ? value : Math.max(old[stream], value);
  }
  return cursors;
}

async function applyPage(ctx, old, data, disagreementsReported = 0, outboxFrom = null) {
  const reset = Array.isArray(data.reset) ? data.reset : [];
  const cursors = nextCursors(old, data.cursors, reset);
  let content = null;
  const announced = data.changes.find((c) => c.stream === "content" && c.kind === "content");
  if (announced) {
    const download = await fetchSnapshot(ctx.transport, announced.data);
    if (download.failure) ctx.outcome.fail(download.failure);
    content = download.content;
    // A failed download never replaces the good library: keep the old cursor, retry later.
    if (!content) cursors.content = reset.includes("content") ? 0 : old.content;
  }
  const ackedThrough = Number.isSafeInteger(data.acked_through) ? data.acked_through : 0;
  // Rejections of entries the server acknowledged while their push response was lost: matched
  // against the queued entries by seq and id, kept in the page's step before they leave the outbox.
  let rejected = [];
  if (Array.isArray(data.rejected) && data.rejected.length) {
    // The entries from outbox_from (the first one queued when the request went) are consecutive.
    const last = Math.max(...data.rejected.map((r) => (Number.isSafeInteger(r?.client_seq) ? r.client_seq : 0)));
    if (Number.isSafeInteger(outboxFrom) && last >= outboxFrom) {
      rejected = rejections(await ctx.store.outboxBatch(Math.min(10_000, last - outboxFrom + 1)), data.rejected);
    }
  }
  await ctx.store.applyPullPage({
    changes: data.changes.filter((c) => c.stream === "records"),
    cursors,
    ackedThrough,
    rejected,
    reset,
    content,
    disagreementsReported,
    plan: data.plan ?? null,
    me: data.me ?? null,
    // The last page says whether there is one (null: none); other pages leave the kept one.
    leaderboard: data.has_more ? undefined : (data.leaderboard ?? null),
    // The last page's complete list of good examples (null: an older server, keep the old list).
    exemplars: data.has_more ? undefined : (data.exemplars ?? null),
  });
  if (rejected.length) ctx.emit("rejected", rejected);
}
