// The app's sync engine: the client rules of docs/sync.md (the protocol is authoritative).
//
// It never touches IndexedDB itself. It talks to a *store* through the interface below, in
// which every step the protocol requires to be atomic is ONE call: the store does it in one
// local transaction (IndexedDB) or one synchronous step (memory-store.js, used by the tests and
// as a fallback). tests/sync_device.py is the same client in Python.
//
// What it does, in order, on syncNow():
//   push: the outbox in client_seq order, in batches of at most 500 mutations and 1 MiB of JSON,
//         until it is empty (or a 401 pauses it, a fatal error stops it, or retries run out);
//   pull: pages until has_more is false, each page applied with its cursors in one store call;
//         then the divergence check (digest) and, on a mismatch, the heal;
//   after a heal: push the re-queued answers and pull once more (no second heal).
// Only one sync runs at a time: syncNow() during a sync returns the running sync's promise.

import { uuid7 } from "./uuid7.js";

// The store interface (SyncStore, OutboxEntry, PullPage, …) is documented in sync-store.js.
/** @typedef {import("./sync-store.js").SyncStore} SyncStore */

// ---- protocol constants and pure helpers (sync-rules.js) --------------------------------------

import {
  PROTOCOL,
  ANSWER_PAYLOAD_VERSION,
  MAX_MUTATIONS,
  MAX_PUSH_BYTES,
  MAX_PULL_PAGE,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  byteLength,
  formatTimestamp,
  backoffDelay,
  cutBatch,
  idBits,
  answerDigest,
  classify,
} from "./sync-rules.js";

export * from "./sync-rules.js";

class TimeoutError extends Error {
  constructor(ms) {
    super(`no response within ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * @typedef {object} SyncStatus
 * @property {"idle"|"syncing"|"paused"|"stopped"|"offline"} state offline: the last sync ran out
 *   of retries (network, 5xx, payload_unsupported); the next sync tries again
 * @property {number} unsynced entries in the outbox
 * @property {boolean} paused waiting for sign-in (401); nothing was dropped
 * @property {string|null} stopped the error kind that stopped syncing, until resume()
 * @property {{kind: string, status: number|null, detail: string|null, at: number}|null} lastError
 * @property {Rejection[]} rejected
 * @property {boolean} diverged the last digest check failed even after a heal
 * @property {number|null} lastSyncAt time of the last sync that finished without an error
 */

export class SyncClient {
  #baseUrl;
  #fetch;
  #getAuthHeader;
  #deviceId;
  #store;
  #now;
  #random;
  #sleep;
  #maxMutations;
  #maxPushBytes;
  #pullLimit;
  #maxRetries;
  #timeoutMs;
  #localDay;

  #running = null;
  #syncing = false;
  #attempt = 0; // backoff attempt; reset after any successful response
  #paused = false;
  #stopped = null;
  #lastError = null;
  #errorThisSync = false;
  #offline = false;
  #diverged = false;
  #lastSyncAt = null;
  #listeners = new Map();
  #digestCache = new Map();

  /**
   * @param {object} options
   * @param {string} options.baseUrl the server, e.g. "https://recap.example/"
   * @param {SyncStore} options.store
   * @param {string} options.deviceId the device's UUID, made once and kept
   * @param {() => Promise<string|null>} options.getAuthHeader the Authorization value, or null
   *   when not signed in (which pauses like a 401)
   * @param {typeof fetch} [options.fetch] default globalThis.fetch
   * @param {() => number} [options.now] ms since the epoch (default Date.now)
   * @param {() => number} [options.random] uniform in [0, 1), for the jitter (default Math.random)
   * @param {(ms: number) => Promise<void>} [options.sleep] default: a timer
   * @param {number} [options.maxMutations] per push (default and at most 500)
   * @param {number} [options.maxPushBytes] per push body (default and at most 1 MiB)
   * @param {number} [options.pullLimit] changes per pull page (1–1000, default 1000)
   * @param {number} [options.maxRetries] transient failures retried within one sync (default 5)
   * @param {number} [options.timeoutMs] per request (default 30 s)
   * @param {() => number|null} [options.localDay] the learner's local day number now, sent with
   *   each pull: the server starts campaigns on the day they reach the learner (docs/sync.md)
   */
  constructor(options) {
    const o = options ?? {};
    if (!o.baseUrl) throw new TypeError("SyncClient: baseUrl is required");
    if (!o.store) throw new TypeError("SyncClient: store is required");
    if (!o.deviceId) throw new TypeError("SyncClient: deviceId is required");
    if (typeof o.getAuthHeader !== "function") throw new TypeError("SyncClient: getAuthHeader() is required");
    this.#baseUrl = String(o.baseUrl).endsWith("/") ? String(o.baseUrl) : `${o.baseUrl}/`;
    this.#fetch = o.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#getAuthHeader = o.getAuthHeader;
    this.#deviceId = o.deviceId;
    this.#store = o.store;
    this.#now = o.now ?? (() => Date.now());
    this.#random = o.random ?? Math.random;
    this.#sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#maxMutations = Math.min(MAX_MUTATIONS, o.maxMutations ?? MAX_MUTATIONS);
    this.#maxPushBytes = Math.min(MAX_PUSH_BYTES, o.maxPushBytes ?? MAX_PUSH_BYTES);
    this.#pullLimit = Math.max(1, Math.min(MAX_PULL_PAGE, o.pullLimit ?? MAX_PULL_PAGE));
    this.#maxRetries = o.maxRetries ?? 5;
    this.#timeoutMs = o.timeoutMs ?? 30_000;
    this.#localDay = o.localDay ?? (() => null);
  }

  get deviceId() {
    return this.#deviceId;
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * Listen to an event; returns a function that stops listening. Events:
   * "status" (SyncStatus), "paused" (sign-in needed; {error}), "stopped" ({error}),
   * "rejected" (Rejection[] just received), "heal" ({digest, local}).
   */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type)?.delete(listener);
  }

  #emit(type, detail) {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(detail);
      } catch (err) {
        console.error(`sync ${type} listener failed`, err);
      }
    }
  }

  async #emitStatus() {
    if (this.#listeners.get("status")?.size) this.#emit("status", await this.status());
  }

  // ---- the UI's view ----------------------------------------------------------------------------

  /** @returns {Promise<SyncStatus>} */
  async status() {
    const state = this.#syncing
      ? "syncing"
      : this.#paused
        ? "paused"
        : this.#stopped
          ? "stopped"
          : this.#offline
            ? "offline"
            : "idle";
    return {
      state,
      unsynced: await this.#store.outboxSize(),
      paused: this.#paused,
      stopped: this.#stopped,
      lastError: this.#lastError,
      rejected: await this.#store.rejected(),
      diverged: this.#diverged,
      lastSyncAt: this.#lastSyncAt,
    };
  }

  // ---- recording ----------------------------------------------------------------------------------

  /**
   * Record an answer and its outbox entry in one store call. `id` and `answered_at` are made
   * here unless given. Returns the payload.
   * @param {Omit<AnswerPayload, "id"|"answered_at"> & Partial<AnswerPayload>} fields
   */
  async recordAnswer(fields) {
    const now = this.#now();
    /** @type {AnswerPayload} */
    const answer = {
      id: fields.id ?? uuid7(now),
      question_id: fields.question_id,
      content_version: fields.content_version,
      choice: [...fields.choice],
      correct: fields.correct,
      answered_at: fields.answered_at ?? formatTimestamp(now),
      local_day: fields.local_day,
      duration_ms: fields.duration_ms ?? null,
    };
    await this.#store.recordAnswer(answer, uuid7(now));
    await this.#emitStatus();
    return answer;
  }

  // ---- syncing ------------------------------------------------------------------------------------

  /**
   * Push the outbox until it is empty (or an error stops it), then pull. Never two at once:
   * during a sync, this returns the running sync's promise. Resolves with the status.
   * @param {{push?: boolean, pull?: boolean}} [what] skip a phase (both by default)
   * @returns {Promise<SyncStatus>}
   */
  syncNow(what = {}) {
    if (this.#running) return this.#running;
    const run = this.#sync(what);
    this.#running = run;
    run.then(
      () => {
        if (this.#running === run) this.#running = null;
      },
      () => {
        if (this.#running === run) this.#running = null;
      },
    );
    return run;
  }

  /** After sign-in (a 401 paused syncing) or after a stop: clear it and sync. */
  resume() {
    this.#paused = false;
    this.#stopped = null;
    return this.#running ? this.#running.then(() => this.syncNow()) : this.syncNow();
  }

  async #sync({ push = true, pull = true }) {
    await null; // so that this.#running is set before anything below runs
    if (this.#paused || this.#stopped) return this.#finish();
    this.#errorThisSync = false;
    this.#offline = false;
    this.#syncing = true;
    await this.#emitStatus();
    try {
      for (let round = 0; round < 2; round++) {
        if (push) {
          const pushed = await this.#pushAll();
          if (pushed !== "ok") break;
        }
        if (!pull) break;
        const pulled = await this.#pullAll(round === 0);
        if (pulled !== "healed") break;
        push = true; // push what the heal re-queued, then check the digest once more
      }
    } catch (err) {
      // A store failure (e.g. a full disk): report it; nothing is lost, the next sync retries.
      this.#fail({ type: "transient", kind: "client_error", detail: String(err?.stack ?? err) });
      this.#offline = true;
    } finally {
      this.#syncing = false;
    }
    if (!this.#errorThisSync) {
      this.#lastError = null;
      this.#lastSyncAt = this.#now();
    }
    return this.#finish();
  }

  async #finish() {
    const status = await this.status();
    this.#emit("status", status);
    return status;
  }

  #fail(verdict) {
    this.#errorThisSync = true;
    this.#lastError = { kind: verdict.kind, status: verdict.status ?? null, detail: verdict.detail ?? null, at: this.#now() };
  }

  #pause(verdict) {
    this.#fail(verdict);
    this.#paused = true;
    this.#emit("paused", { error: this.#lastError });
    return "paused";
  }

  #stop(verdict) {
    this.#fail(verdict);
    this.#stopped = verdict.kind;
    this.#emit("stopped", { error: this.#lastError });
    return "stopped";
  }

  /** After a transient failure: wait, or give up for this sync. Returns true to retry. */
  async #backoff(verdict, retries) {
    if (retries >= this.#maxRetries) {
      this.#fail(verdict);
      this.#offline = true;
      return false;
    }
    // Shown while retrying; forgotten if the sync then succeeds.
    this.#lastError = { kind: verdict.kind, status: verdict.status ?? null, detail: verdict.detail ?? null, at: this.#now() };
    const delay = backoffDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    await this.#sleep(delay);
    return true;
  }

  /** POST a JSON body (or a function making it, called after the credential is at hand). */
  async #post(path, body) {
    const auth = await this.#getAuthHeader();
    if (!auth) return { status: 401, data: { error: "unauthorized", detail: "not signed in" } };
    return this.#request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: auth },
      body: typeof body === "function" ? body() : body,
    });
  }

  /** One HTTP exchange, body read included, bounded by the timeout. Never throws. */
  async #request(path, init, asJson = true) {
    const controller = new AbortController();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const err = new TimeoutError(this.#timeoutMs);
        controller.abort(err);
        reject(err);
      }, this.#timeoutMs);
    });
    const exchange = (async () => {
      const res = await this.#fetch(new URL(path.replace(/^\//, ""), this.#baseUrl).href, { ...init, signal: controller.signal });
      const text = await res.text();
      let data = null;
      if (asJson) {
        try {
          data = JSON.parse(text);
        } catch {
          data = null;
        }
      }
      return { status: res.status, data, text, headers: res.headers };
    })();
    exchange.catch(() => {}); // a late failure after the timeout is not unhandled
    try {
      return await Promise.race([exchange, timeout]);
    } catch (error) {
      return { status: null, data: null, error };
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- push ---------------------------------------------------------------------------------------

  /** @returns {Promise<"ok"|"paused"|"stopped"|"offline">} */
  async #pushAll() {
    let limit = this.#maxMutations;
    let retries = 0;
    let rewinds = 0;
    let stalls = 0;
    for (;;) {
      const candidates = await this.#store.outboxBatch(limit);
      if (!candidates.length) return "ok";
      // sent_at has a fixed length, so the cut made with this one fits the body sent later.
      const envelope = { protocol: PROTOCOL, device_id: this.#deviceId, sent_at: formatTimestamp(this.#now()) };
      const { entries } = cutBatch(candidates, { maxMutations: limit, maxBytes: this.#maxPushBytes, envelope });
      const result = await this.#post("/sync/push", () =>
        JSON.stringify({ ...envelope, sent_at: formatTimestamp(this.#now()), mutations: entries }),
      );
      const verdict = classify(result);
      switch (verdict.type) {
        case "ok": {
          this.#attempt = 0;
          retries = 0;
          const acked = Number(result.data.acked_through);
          if (!Number.isSafeInteger(acked)) return this.#stop({ kind: "bad_response", detail: "acked_through is missing" });
          const rejections = this.#rejections(entries, result.data.results);
          const deleted = await this.#store.ackThrough(acked, rejections);
          if (rejections.length) this.#emit("rejected", rejections);
          await this.#emitStatus();
          if (deleted === 0 && ++stalls > 2) {
            return this.#stop({ kind: "no_progress", detail: `the server acknowledged through ${acked}, below the outbox` });
          }
          break;
        }
        case "paused":
          return this.#pause(verdict);
        case "split":
          if (entries.length <= 1) {
            // One mutation over the limit cannot be split: keep it and report.
            this.#fail(verdict);
            this.#offline = true;
            return "offline";
          }
          limit = Math.max(1, Math.floor(entries.length / 2));
          break;
        case "gap": {
          if (++rewinds > 3) return this.#stop({ ...verdict, kind: "seq_gap_loop" });
          const expected = verdict.expectedSeq;
          if (expected < entries[0].client_seq) {
            // The server lost later mutations (restored from a backup): renumber, same ids.
            await this.#store.renumberOutbox(expected);
          } else if (expected - 1 < (await this.#store.nextSeq())) {
            await this.#store.ackThrough(expected - 1); // entries below expected_seq were applied
          } else {
            return this.#stop({ ...verdict, kind: "seq_gap_ahead", detail: `the server expects ${expected}, beyond anything sent` });
          }
          break;
        }
        case "transient":
          if (!(await this.#backoff(verdict, retries++))) return "offline";
          break;
        default:
          return this.#stop(verdict);
      }
    }
  }

  #rejections(entries, results) {
    const bySeq = new Map(entries.map((e) => [e.client_seq, e]));
    const out = [];
    for (const r of Array.isArray(results) ? results : []) {
      if (r?.status !== "rejected") continue;
      const entry = bySeq.get(r.client_seq);
      if (!entry || entry.id !== r.id) continue;
      out.push({
        answerId: entry.payload.id,
        questionId: entry.payload.question_id,
        mutationId: entry.id,
        clientSeq: entry.client_seq,
        reason: r.reason ?? "rejected",
      });
    }
    return out;
  }

  // ---- pull ---------------------------------------------------------------------------------------

  /** @returns {Promise<"ok"|"healed"|"paused"|"stopped"|"offline">} */
  async #pullAll(allowHeal) {
    const pulled = await this.#pullPages();
    if (typeof pulled === "string") return pulled;
    const server = pulled.digest;
    if (!server) return "ok";
    const local = await answerDigest(await this.#store.knownOnServerIds(), this.#digestCache);
    if (local.answers === server.answers && local.hash === server.hash) {
      this.#diverged = false;
      return "ok";
    }
    if (!allowHeal) {
      this.#diverged = true;
      this.#fail({ kind: "diverged", detail: `server ${server.answers}/${server.hash}, device ${local.answers}/${local.hash}` });
      return "ok";
    }
    // Heal, never by deleting local data: re-pull everything, re-queue what the server lacks.
    this.#emit("heal", { digest: server, local });
    await this.#store.beginHeal();
    const again = await this.#pullPages();
    if (typeof again === "string") return again;
    const missing = await this.#store.missingOwnAnswerIds();
    if (missing.length) await this.#store.requeue(missing, () => uuid7(this.#now()));
    return "healed";
  }

  /** Pull until has_more is false. Returns the last page, or how it ended early. */
  async #pullPages() {
    let retries = 0;
    for (let pages = 0; pages < 1_000_000; ) {
      const cursors = await this.#store.getCursors();
      // Provisional states that differed from the server's (docs/sync.md); optional for a store.
      const disagreements = Math.min(100_000, (await this.#store.disagreements?.()) ?? 0);
      const body = { protocol: PROTOCOL, device_id: this.#deviceId, cursors: { content: cursors.content, records: cursors.records }, limit: this.#pullLimit };
      if (disagreements > 0) body.disagreements = disagreements;
      const localDay = this.#localDay();
      if (Number.isInteger(localDay) && localDay >= 0) body.local_day = localDay;
      const result = await this.#post("/sync/pull", JSON.stringify(body));
      const verdict = classify(result);
      if (verdict.type === "transient") {
        if (!(await this.#backoff(verdict, retries++))) return "offline";
        continue;
      }
      if (verdict.type === "paused") return this.#pause(verdict);
      if (verdict.type !== "ok") return this.#stop(verdict);
      this.#attempt = 0;
      retries = 0;
      pages += 1;
      const data = result.data;
      if (!Array.isArray(data.changes) || !data.cursors || typeof data.has_more !== "boolean") {
        return this.#stop({ kind: "bad_response", detail: "a pull response without changes, cursors or has_more" });
      }
      await this.#applyPage(cursors, data, disagreements);
      await this.#emitStatus();
      // A reset page already starts from 0; pulling once more is what the protocol asks.
      if (data.has_more || (data.reset?.length && pages < 3)) continue;
      return data;
    }
    return this.#stop({ kind: "pull_loop", detail: "the pull never finished" });
  }

  async #applyPage(old, data, disagreementsReported = 0) {
    const reset = Array.isArray(data.reset) ? data.reset : [];
    const cursors = { content: old.content, records: old.records };
    for (const stream of ["content", "records"]) {
      const value = data.cursors[stream];
      if (!Number.isSafeInteger(value)) continue;
      cursors[stream] = reset.includes(stream) ? value : Math.max(old[stream], value);
    }
    let content = null;
    const announced = data.changes.find((c) => c.stream === "content" && c.kind === "content");
    if (announced) {
      content = await this.#downloadSnapshot(announced.data);
      // A failed download never replaces the good library: keep the old cursor, retry later.
      if (!content) cursors.content = reset.includes("content") ? 0 : old.content;
    }
    await this.#store.applyPullPage({
      changes: data.changes.filter((c) => c.stream === "records"),
      cursors,
      ackedThrough: Number.isSafeInteger(data.acked_through) ? data.acked_through : 0,
      reset,
      content,
      disagreementsReported,
    });
  }

  /** @returns {Promise<ContentSnapshot|null>} */
  async #downloadSnapshot(meta) {
    if (!meta || typeof meta.snapshot !== "string") return null;
    const result = await this.#request(meta.snapshot, { method: "GET", headers: { Accept: "application/json" } });
    const etag = result.headers?.get?.("etag") ?? null;
    const ok =
      result.status === 200 &&
      result.data &&
      result.data.version === meta.version &&
      (!meta.etag || !etag || etag === meta.etag);
    if (!ok) {
      this.#fail({
        kind: "content_download",
        status: result.status ?? null,
        detail: result.error ? String(result.error.message ?? result.error) : `snapshot ${meta.version} could not be downloaded`,
      });
      return null;
    }
    return { version: meta.version, etag: meta.etag ?? etag, snapshot: result.data };
  }
}
