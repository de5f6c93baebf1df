// The app's sync engine: the client rules of docs/sync.md (the protocol is authoritative).
// tests/support/device.py is the same client in Python.
//
// This module orchestrates; each phase is a module of its own beside it:
//   transport.js  one HTTP exchange with a timeout; the back-off between retries
//   outcome.js    what the syncs came to (errors, pause, stop, offline); retry or give up
//   push.js       the outbox in client_seq order, in batches within the limits, until it is empty
//                 (or a 401 pauses it, a fatal error stops it, or retries run out)
//   pull.js       pages until has_more is false, each applied with its cursors in one store call
//   heal.js       the divergence check (digest) and, on a mismatch, the heal
//   library.js    the snapshot download a pull's content change asks for
//   rules.js      protocol constants and pure helpers
// syncNow() runs push, then pull and the digest check; after a heal it pushes the re-queued
// answers and pulls once more (no second heal). Only one sync runs at a time: syncNow() during
// a sync returns the running sync's promise.
//
// It never touches IndexedDB itself. It talks to a *store* (store-interface.js), in which every
// step the protocol requires to be atomic is ONE call: the app's store does it in one IndexedDB
// transaction (src/store.js).
import { uuid7 } from "../uuid7.js";
import {
  ACKNOWLEDGEMENT_PAYLOAD_VERSION,
  SESSION_ACKNOWLEDGEMENT_VERSION,
  REFRESHER_ACKNOWLEDGEMENT_VERSION,
  PITCH_ACKNOWLEDGEMENT_VERSION,
  ANSWER_PAYLOAD_VERSION,
  MAX_MUTATIONS,
  MAX_PUSH_BYTES,
  MAX_PULL_PAGE,
  formatTimestamp,
} from "./rules.js";
import { Backoff, Transport } from "./transport.js";
import { Outcome } from "./outcome.js";
import { pushAll } from "./push.js";
import { pullPages } from "./pull.js";
import { checkDigest } from "./heal.js";

export * from "./rules.js";

/** @typedef {import("./store-interface.js").SyncStore} SyncStore */
/** @typedef {import("./store-interface.js").AnswerPayload} AnswerPayload */
/** @typedef {import("./store-interface.js").AcknowledgementPayload} AcknowledgementPayload */
/** @typedef {import("./store-interface.js").Rejection} Rejection */

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

/**
 * What a phase may use and report to: the client's parts, nothing else. A phase reports errors,
 * pauses and stops to `outcome` as they happen and returns "ok" or how it ended ("paused",
 * "stopped", "offline").
 * @typedef {object} SyncContext
 * @property {SyncStore} store
 * @property {Transport} transport
 * @property {Outcome} outcome
 * @property {string} deviceId
 * @property {() => number} now
 * @property {() => number|null} localDay
 * @property {{maxMutations: number, maxPushBytes: number, pullLimit: number}} limits
 * @property {Map<string, bigint>} digestCache each answer id's digest bits, computed once
 * @property {(type: string, detail: any) => void} emit
 * @property {() => Promise<void>} emitStatus
 */

export class SyncClient {
  #deviceId;
  #store;
  #now;
  #outcome;
  /** @type {SyncContext} */
  #ctx;
  #running = null;
  #syncing = false;
  #listeners = new Map();

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
    this.#deviceId = o.deviceId;
    this.#store = o.store;
    this.#now = o.now ?? (() => Date.now());
    const emit = (type, detail) => this.#emit(type, detail);
    const backoff = new Backoff({ random: o.random, sleep: o.sleep });
    this.#outcome = new Outcome({ now: this.#now, emit, backoff, maxRetries: o.maxRetries ?? 5 });
    this.#ctx = Object.freeze({
      store: o.store,
      transport: new Transport({ baseUrl: o.baseUrl, fetch: o.fetch, timeoutMs: o.timeoutMs, getAuthHeader: o.getAuthHeader }),
      outcome: this.#outcome,
      deviceId: o.deviceId,
      now: this.#now,
      localDay: o.localDay ?? (() => null),
      limits: Object.freeze({
        maxMutations: Math.min(MAX_MUTATIONS, o.maxMutations ?? MAX_MUTATIONS),
        maxPushBytes: Math.min(MAX_PUSH_BYTES, o.maxPushBytes ?? MAX_PUSH_BYTES),
        pullLimit: Math.max(1, Math.min(MAX_PULL_PAGE, o.pullLimit ?? MAX_PULL_PAGE)),
      }),
      digestCache: new Map(),
      emit,
      emitStatus: () => this.#emitStatus(),
    });
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
    const o = this.#outcome;
    const state = this.#syncing ? "syncing" : o.paused ? "paused" : o.stopped ? "stopped" : o.offline ? "offline" : "idle";
    return {
      state,
      unsynced: await this.#store.outboxSize(),
      paused: o.paused,
      stopped: o.stopped,
      lastError: o.lastError,
      rejected: await this.#store.rejected(),
      diverged: o.diverged,
      lastSyncAt: o.lastSyncAt,
    };
  }

  // ---- recording ----------------------------------------------------------------------------------

  /**
   * Record anything the learner did: the record of `kind` and its outbox entry, in one store
   * call (one strict local transaction). The payload is kept as given. Returns it.
   * @param {string} kind a kind the app records: "answer", "acknowledgement"
   * @param {number} payloadVersion
   * @param {import("./store-interface.js").Payload} payload
   */
  async record(kind, payloadVersion, payload) {
    const entry = await this.#store.record(kind, payloadVersion, payload, uuid7(this.#now()));
    await this.#emitStatus();
    return entry.payload;
  }

  /**
   * Record an answer (and, in the same call, its question's provisional progress). `id` and
   * `answered_at` are made here unless given. Returns the payload.
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
    return this.record("answer", ANSWER_PAYLOAD_VERSION, answer);
  }

  /**
   * Record that the learner marked an item as read or acknowledged (`acknowledged` false: not
   * any more). `id` and `at` are made here unless given. Returns the payload.
   * @param {{item_kind: "nugget"|"observation"|"session"|"refresher"|"reminder"|"pitch", item_id: string, acknowledged?: boolean, local_day: number, comment?: string|null, id?: string, at?: string}} fields
   */
  async acknowledge(fields) {
    const now = this.#now();
    /** @type {AcknowledgementPayload} */
    const acknowledgement = {
      id: fields.id ?? uuid7(now),
      item_kind: fields.item_kind,
      item_id: fields.item_id,
      acknowledged: fields.acknowledged ?? true,
      at: fields.at ?? formatTimestamp(now),
      local_day: fields.local_day,
      comment: fields.comment ?? null,
    };
    const version =
      { session: SESSION_ACKNOWLEDGEMENT_VERSION, refresher: REFRESHER_ACKNOWLEDGEMENT_VERSION, reminder: REFRESHER_ACKNOWLEDGEMENT_VERSION, pitch: PITCH_ACKNOWLEDGEMENT_VERSION }[acknowledgement.item_kind] ??
      ACKNOWLEDGEMENT_PAYLOAD_VERSION;
    return this.record("acknowledgement", version, acknowledgement);
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
    const done = () => {
      if (this.#running === run) this.#running = null;
    };
    run.then(done, done);
    return run;
  }

  /** After sign-in (a 401 paused syncing) or after a stop: clear it and sync. */
  resume() {
    this.#outcome.resume();
    return this.#running ? this.#running.then(() => this.syncNow()) : this.syncNow();
  }

  async #sync({ push = true, pull = true }) {
    await null; // so that this.#running is set before anything below runs
    if (this.#outcome.paused || this.#outcome.stopped) return this.#finish();
    this.#outcome.begin();
    this.#syncing = true;
    await this.#emitStatus();
    try {
      for (let round = 0; round < 2; round++) {
        if (push && (await pushAll(this.#ctx)) !== "ok") break;
        if (!pull) break;
        const pulled = await pullPages(this.#ctx);
        if (typeof pulled === "string") break;
        if ((await checkDigest(this.#ctx, pulled.digest, round === 0)) !== "healed") break;
        push = true; // push what the heal re-queued, then check the digest once more
      }
    } catch (err) {
      // A store failure (e.g. a full disk): report it; nothing is lost, the next sync retries.
      this.#outcome.giveUp({ type: "transient", kind: "client_error", detail: String(err?.stack ?? err) });
    } finally {
      this.#syncing = false;
    }
    this.#outcome.end();
    return this.#finish();
  }

  async #finish() {
    const status = await this.status();
    this.#emit("status", status);
    return status;
  }
}
