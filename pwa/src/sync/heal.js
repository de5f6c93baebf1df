// The divergence check and the heal (docs/sync.md, `digest`): after the last pull page, compare
// the server's digest of the learner's answers with the device's digest of the answers it knows
// are on the server. On a mismatch, heal without deleting anything local: re-pull every record
// from cursor 0, then put back in the outbox (new mutation, new client_seq, same answer) every
// own answer the server still does not have. At most one heal per sync: a digest that still
// differs after it is reported, never looped on.
import { uuid7 } from "../uuid7.js";
import { answerDigest } from "./rules.js";
import { pullPages } from "./pull.js";

/** @typedef {import("./client.js").SyncContext} SyncContext */

/**
 * Check the last page's digest; heal once if allowed and needed.
 * @param {SyncContext} ctx
 * @param {{answers: number, hash: string}|null|undefined} server the last page's digest
 * @param {boolean} allowHeal false on the check after a heal
 * @returns {Promise<"ok"|"healed"|"paused"|"stopped"|"offline">} "healed": the caller pushes
 *   what was re-queued and checks once more
 */
export async function checkDigest(ctx, server, allowHeal) {
  if (!server) return "ok";
  const local = await answerDigest(await ctx.store.knownOnServerIds(), ctx.digestCache);
  if (local.answers === server.answers && local.hash === server.hash) {
    ctx.outcome.diverged = false;
    return "ok";
  }
  if (!allowHeal) {
    ctx.outcome.diverged = true;
    ctx.outcome.fail({ kind: "diverged", detail: `server ${server.answers}/${server.hash}, device ${local.answers}/${local.hash}` });
    return "ok";
  }
  ctx.emit("heal", { digest: server, local });
  await ctx.store.beginHeal();
  const again = await pullPages(ctx);
  if (typeof again === "string") return again;
  const missing = await ctx.store.missingOwnAnswerIds();
  if (missing.length) await ctx.store.requeue(missing, () => uuid7(ctx.now()));
  return "healed";
}
