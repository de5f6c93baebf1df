// Pure pieces of the sync client (docs/sync.md): protocol constants, batching by the limits,
// backoff with full jitter, the answer digest, and how a response is classified. No state and
// no I/O, so each is unit-tested on its own (and mirrored by tests/sync_device.py); the phase
// modules beside this one (transport, push, pull, heal) use them.

export const PROTOCOL = 1;
export const ANSWER_PAYLOAD_VERSION = 1;
export const ACKNOWLEDGEMENT_PAYLOAD_VERSION = 1;
/** Acknowledging an intervision session (a commitment done) needs payload version 2 (docs/sync.md). */
export const SESSION_ACKNOWLEDGEMENT_VERSION = 2;
/** Recording that a refresher or a reminder was opened needs payload version 3 (docs/sync.md). */
export const REFRESHER_ACKNOWLEDGEMENT_VERSION = 3;
/** Acknowledging a pitch's review needs payload version 4 (docs/sync.md); only pitches are recorded as v4. */
export const PITCH_ACKNOWLEDGEMENT_VERSION = 4;
export const MAX_MUTATIONS = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;
export const MAX_PULL_PAGE = 1000;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;

const encoder = new TextEncoder();

/** UTF-8 byte length of a string. */
export function byteLength(text) {
  return encoder.encode(text).length;
}

/** A timestamp in the protocol's fixed form, YYYY-MM-DDTHH:MM:SS.mmmZ. */
export function formatTimestamp(ms) {
  return new Date(ms).toISOString();
}

/**
 * Full-jitter backoff: random(0, min(60 s, 1 s × 2^attempt)), in milliseconds.
 * @param {number} attempt 0 for the first retry
 * @param {() => number} random uniform in [0, 1)
 */
export function backoffDelay(attempt, random = Math.random) {
  const cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return random() * cap;
}

/**
 * The longest prefix of `entries` that fits a push: at most `maxMutations` entries and a JSON
 * body of at most `maxBytes` bytes, where the body is `envelope` (an object serialised with
 * `mutations: []`) plus the entries. Always at least one entry (if any), so that a single
 * entry over the limit gets its 413 instead of blocking silently.
 * @returns {{entries: OutboxEntry[], bytes: number}} the cut and the body size it makes
 */
export function cutBatch(entries, { maxMutations = MAX_MUTATIONS, maxBytes = MAX_PUSH_BYTES, envelope = {} } = {}) {
  let bytes = byteLength(JSON.stringify({ ...envelope, mutations: [] }));
  const out = [];
  for (const entry of entries) {
    if (out.length >= maxMutations) break;
    const add = byteLength(JSON.stringify(entry)) + (out.length ? 1 : 0); // the comma between
    if (out.length && bytes + add > maxBytes) break;
    out.push(entry);
    bytes += add;
  }
  return { entries: out, bytes };
}

/**
 * The 60-bit contribution of one answer id: the first 15 hex digits of SHA-256 (sync/digest.py).
 * @returns {Promise<bigint>}
 */
export async function idBits(answerId) {
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(answerId)));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += hash[i].toString(16).padStart(2, "0");
  return BigInt("0x" + hex.slice(0, 15));
}

/** The digest of a set of answer ids: {answers: count, hash: 15 lower-case hex digits}. */
export async function answerDigest(answerIds, cache = null) {
  const ids = new Set(answerIds);
  let value = 0n;
  for (const id of ids) {
    let bits = cache?.get(id);
    if (bits === undefined) {
      bits = await idBits(id);
      cache?.set(id, bits);
    }
    value ^= bits;
  }
  return { answers: ids.size, hash: value.toString(16).padStart(15, "0") };
}

/**
 * What a response means for the client. `type` is one of:
 * ok, paused (401), gap (409 seq_gap), split (413), transient (retry the same mutations with
 * backoff), fatal (stop, keep the outbox).
 */
export function classify(result) {
  const { status, data, error } = result;
  const kind = data && typeof data === "object" && typeof data.error === "string" ? data.error : null;
  const detail = data && typeof data.detail === "string" ? data.detail : null;
  if (status == null) {
    const timeout = error?.name === "TimeoutError" || error?.name === "AbortError";
    return { type: "transient", kind: timeout ? "timeout" : "network", detail: String(error?.message ?? error) };
  }
  if (status === 200) {
    if (data && typeof data === "object" && !Array.isArray(data)) return { type: "ok" };
    return { type: "transient", kind: "bad_response", detail: "the response is not JSON" };
  }
  if (status === 401) return { type: "paused", kind: kind ?? "unauthorized", detail, status };
  if (status === 409 && kind === "seq_gap" && Number.isSafeInteger(data.expected_seq) && data.expected_seq >= 1) {
    return { type: "gap", kind, detail, status, expectedSeq: data.expected_seq };
  }
  if (status === 413) return { type: "split", kind: kind ?? "too_large", detail, status };
  if (status === 400 && kind === "payload_unsupported") return { type: "transient", kind, detail, status };
  if (status === 408 || status === 429 || status >= 500) return { type: "transient", kind: kind ?? `http_${status}`, detail, status };
  // 400 protocol_unsupported / malformed / bad_request, 403 device_bound, 409 seq_reused, …
  return { type: "fatal", kind: kind ?? `http_${status}`, detail, status };
}
