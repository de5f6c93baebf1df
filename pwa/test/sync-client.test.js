// Tests for src/sync/ (the SyncClient and its phases: transport, push, pull, heal, the library
// download) and src/uuid7.js, against the REAL server.
//
// `before` starts `recap serve` on a free port over a fresh database holding the fixture
// library, with dev sign-in (support/server.js). There is no mock server: faults are injected
// by a layer wrapped around the real fetch (drop the request, drop the response after the
// server processed it, answer 401/503/413 without calling the server, delay, rewrite the body).
// Each test uses its own user, so tests do not see each other's records.
//
// The real-server suite runs twice: over the in-memory store (support/memory-store.js) and over
// the app's IndexedDB store (src/store.js on fake-indexeddb), so both keep the SyncStore
// semantics the client relies on.
//
// The fixture library (tests/fixtures/library, content version 1): `who-else` (3 options,
// correct 2), `next-step` (2 options, correct 2), `pick-two` (3 options, correct [1, 2]).
import "fake-indexeddb/auto";
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";

import {
  SyncClient,
  answerDigest,
  backoffDelay,
  byteLength,
  classify,
  cutBatch,
  formatTimestamp,
} from "../src/sync/client.js";
import { IdbStore } from "../src/store.js";
import { uuid7, UUID7_PATTERN } from "../src/uuid7.js";
import { MemoryStore } from "./support/memory-store.js";
import { faultLayer, startServer } from "./support/server.js";

const PYTHON = fileURLToPath(new URL("../../.venv/bin/python", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY = 20423;

// ---- the real server ------------------------------------------------------------------------------

let server;
const extraServers = [];

before(async () => {
  server = await startServer({ people: true });
});

after(async () => {
  await Promise.all([server, ...extraServers].filter(Boolean).map((s) => s.stop()));
});

// ---- devices --------------------------------------------------------------------------------------

let idbStores = 0;
/**
 * An IdbStore usable at once: it opens in the background and each call waits for it (device()
 * is synchronous). Any method of IdbStore can be called on it.
 */
function lazyIdbStore() {
  const opening = IdbStore.open({ name: `sync-client-${process.pid}-${++idbStores}` });
  return new Proxy({}, { get: (_, method) => (method === "then" ? undefined : async (...args) => (await opening)[method](...args)) });
}

const STORES = [
  ["MemoryStore", () => new MemoryStore()],
  ["IdbStore", lazyIdbStore],
];
let makeStore = STORES[0][1];

/** A device of `user`: a SyncClient over a store and a fault layer; sleeps are recorded, not slept. */
function device(user, options = {}) {
  const store = options.store ?? makeStore();
  const fetch = options.fetch ?? faultLayer();
  const sleeps = [];
  const auth = { header: `Bearer dev:${user}` };
  const client = new SyncClient({
    baseUrl: options.baseUrl ?? server.url,
    store,
    deviceId: options.deviceId ?? randomUUID(),
    fetch,
    getAuthHeader: async () => auth.header,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options.client,
  });
  return { client, store, fetch, sleeps, auth, deviceId: client.deviceId };
}

const uniqueUser = (name) => `${name}-${randomUUID().slice(0, 8)}`;

/** Record an answer through the client (answer + outbox entry in one store call). */
function answer(dev, question = "who-else", choice = [2], day = DAY) {
  const correct = { "who-else": [2], "next-step": [2], "pick-two": [1, 2] }[question];
  return dev.client.recordAnswer({
    question_id: question,
    content_version: 1,
    choice,
    correct: JSON.stringify([...choice].sort()) === JSON.stringify(correct),
    local_day: day,
    duration_ms: 1500,
  });
}

/** Mark a nugget as read (or, with false, not read) through the client. */
function acknowledge(dev, nuggetId, acknowledged = true, day = DAY) {
  return dev.client.acknowledge({ item_kind: "nugget", item_id: nuggetId, acknowledged, local_day: day });
}

/** Push mutations ({kind, payload}) as `user` from a new device, without the app; the response body. */
async function pushAs(user, mutations) {
  const res = await fetch(new URL("sync/push", server.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer dev:${user}` },
    body: JSON.stringify({
      protocol: 1,
      device_id: randomUUID(),
      sent_at: formatTimestamp(Date.now()),
      mutations: mutations.map((m, i) => ({ id: uuid7(), client_seq: i + 1, payload_version: 1, ...m })),
    }),
  });
  assert.equal(res.status, 200);
  return res.json();
}

/** What the server holds for a user, seen through plain pulls by a device that never pushed. */
async function serverView(user, baseUrl = server.url) {
  const deviceId = randomUUID();
  const ids = [];
  let cursors = { content: 0, records: 0 };
  for (;;) {
    const res = await fetch(new URL("sync/pull", baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer dev:${user}` },
      body: JSON.stringify({ protocol: 1, device_id: deviceId, cursors, limit: 1000 }),
    });
    assert.equal(res.status, 200);
    const page = await res.json();
    for (const c of page.changes) if (c.kind === "answer") ids.push(c.data.id);
    cursors = page.cursors;
    if (!page.has_more) return { ids, digest: page.digest };
  }
}

const sorted = (xs) => [...xs].sort();
const ownIds = async (store) => (await store.answers()).filter((a) => a.mine).map((a) => a.id);

// ---- pure pieces ----------------------------------------------------------------------------------

describe("uuid7", () => {
  test("is a lower-case version-7, variant-10 UUID with the time in its first 48 bits", () => {
    const ms = 0x0123456789ab;
    const id = uuid7(ms, new Uint8Array([0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66]));
    assert.equal(id, "01234567-89ab-7fee-9dcc-bbaa99887766");
    assert.equal(uuid7(0, new Uint8Array(10)), "00000000-0000-7000-8000-000000000000");
    assert.match(uuid7(2 ** 48 - 1, new Uint8Array(10).fill(255)), /^ffffffff-ffff-7fff-bfff-ffffffffffff$/);
  });

  test("uses crypto randomness by default: distinct ids, all matching the server's pattern", () => {
    const ids = new Set(Array.from({ length: 2000 }, () => uuid7()));
    assert.equal(ids.size, 2000);
    for (const id of ids) assert.match(id, UUID7_PATTERN);
    const now = Date.now();
    const stamped = Number.parseInt(uuid7(now).replaceAll("-", "").slice(0, 12), 16);
    assert.equal(stamped, now);
  });

  test("refuses times outside 48 bits", () => {
    assert.throws(() => uuid7(-1), RangeError);
    assert.throws(() => uuid7(2 ** 48), RangeError);
  });
});

describe("protocol helpers", () => {
  test("timestamps have the fixed form YYYY-MM-DDTHH:MM:SS.mmmZ", () => {
    assert.equal(formatTimestamp(Date.UTC(2026, 11, 1, 9, 0, 5, 7)), "2026-12-01T09:00:05.007Z");
    assert.match(formatTimestamp(0), TIMESTAMP);
  });

  test("the digest is the one sync/digest.py computes", async () => {
    const ids = Array.from({ length: 50 }, () => uuid7());
    const python = spawnSync(
      PYTHON,
      ["-c", "import json, sys; from sync.digest import digest; n, h = digest(json.load(sys.stdin)); print(json.dumps({'answers': n, 'hash': h}))"],
      { cwd: REPO, input: JSON.stringify(ids), encoding: "utf8" },
    );
    assert.equal(python.status, 0, python.stderr);
    assert.deepEqual(await answerDigest(ids), JSON.parse(python.stdout));
    assert.deepEqual(await answerDigest([]), { answers: 0, hash: "000000000000000" });
    // Order-independent, and a repeated id counts once.
    assert.deepEqual(await answerDigest([...ids].reverse().concat(ids[0])), await answerDigest(ids));
  });

  test("backoff is full jitter within random(0, min(60 s, 1 s × 2^attempt))", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const cap = Math.min(60_000, 1000 * 2 ** attempt);
      assert.equal(backoffDelay(attempt, () => 0), 0);
      assert.equal(backoffDelay(attempt, () => 0.5), cap / 2);
      const high = backoffDelay(attempt, () => 0.999999);
      assert.ok(high < cap && high > cap * 0.99, `attempt ${attempt}: ${high} vs cap ${cap}`);
    }
    assert.equal(backoffDelay(1000, () => 0.5), 30_000);
  });

  test("the batch cutter stops at the mutation count and before the byte limit", () => {
    const envelope = { protocol: 1, device_id: randomUUID(), sent_at: formatTimestamp(Date.now()) };
    const entries = Array.from({ length: 40 }, (_, i) => ({
      id: uuid7(),
      client_seq: i + 1,
      kind: "answer",
      payload_version: 1,
      payload: { id: uuid7(), question_id: i % 3 ? "who-else" : "qué-é€", choice: [1], correct: false, answered_at: formatTimestamp(0), local_day: DAY, duration_ms: 1, content_version: 1 },
    }));
    const bodyBytes = (cut) => byteLength(JSON.stringify({ ...envelope, mutations: cut }));
    for (const maxBytes of [300, 1000, 2048, 5000]) {
      const { entries: cut, bytes } = cutBatch(entries, { maxMutations: 500, maxBytes, envelope });
      assert.equal(bytes, bodyBytes(cut), "the measured size is the real body's size");
      assert.ok(cut.length >= 1);
      if (cut.length > 1) assert.ok(bytes <= maxBytes, `${bytes} > ${maxBytes}`);
      if (cut.length < entries.length) assert.ok(bodyBytes(entries.slice(0, cut.length + 1)) > maxBytes, "one more would not fit");
    }
    assert.equal(cutBatch(entries, { maxMutations: 7, maxBytes: 1 << 20, envelope }).entries.length, 7);
    // A single entry over the limit is still sent alone (and gets its 413), never silently held.
    assert.equal(cutBatch(entries, { maxBytes: 10, envelope }).entries.length, 1);
    assert.deepEqual(cutBatch([], { envelope }).entries, []);
  });

  test("responses are classified as docs/sync.md says", () => {
    const c = (status, data) => classify({ status, data }).type;
    assert.equal(c(200, { acked_through: 1 }), "ok");
    assert.equal(c(401, { error: "unauthorized" }), "paused");
    assert.equal(c(409, { error: "seq_gap", expected_seq: 3 }), "gap");
    assert.equal(c(409, { error: "seq_reused", expected_seq: 3 }), "fatal");
    assert.equal(c(403, { error: "device_bound" }), "fatal");
    assert.equal(c(400, { error: "protocol_unsupported" }), "fatal");
    assert.equal(c(400, { error: "malformed" }), "fatal");
    assert.equal(c(400, { error: "payload_unsupported" }), "transient");
    assert.equal(c(413, { error: "too_large" }), "split");
    assert.equal(c(503, { error: "unavailable" }), "transient");
    assert.equal(c(502, null), "transient");
    assert.equal(c(200, null), "transient");
    assert.equal(classify({ status: null, error: new TypeError("fetch failed") }).kind, "network");
  });
});

// ---- against the real server ---------------------------------------------------------------------

for (const [storeKind, storeFactory] of STORES) describe(`sync against the real server (${storeKind})`, () => {
  before(() => {
    makeStore = storeFactory;
  });

  test("answers recorded offline reach the server exactly once, despite dropped requests and responses", async () => {
    const user = uniqueUser("offline");
    const a = device(user, { client: { maxRetries: 2 } });
    a.fetch.inject({ path: "/sync/push", fault: "drop-request", times: Infinity });
    const recorded = [await answer(a, "who-else", [2]), await answer(a, "next-step", [1]), await answer(a, "pick-two", [1, 2])];
    for (const r of recorded) {
      assert.match(r.id, UUID7_PATTERN);
      assert.match(r.answered_at, TIMESTAMP);
    }
    let status = await a.client.syncNow();
    assert.equal(status.state, "offline");
    assert.equal(status.unsynced, 3);
    assert.equal(status.lastError.kind, "network");
    assert.equal(a.fetch.calls("/sync/pull").length, 0, "no pull after the push gave up");
    assert.equal(a.sleeps.length, 2);
    assert.equal((await serverView(user)).ids.length, 0);

    // Back online, but the first push's response and the first pull's response are lost.
    a.fetch.clear();
    a.fetch.inject({ path: "/sync/push", fault: "drop-response" });
    a.fetch.inject({ path: "/sync/pull", fault: "drop-response" });
    status = await a.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.equal(status.lastError, null);
    assert.equal(status.diverged, false);
    const pushes = a.fetch.calls("/sync/push").filter((e) => e.fault !== "drop-request");
    assert.equal(pushes.length, 2);
    assert.equal(pushes[0].fault, "drop-response");
    assert.equal(pushes[0].status, 200, "the server applied the push whose response was lost");
    assert.deepEqual(pushes[1].body.mutations, pushes[0].body.mutations, "the retry sends the same mutations");
    assert.equal(pushes[1].response.acked_through, 3);
    assert.deepEqual(pushes[1].response.results.map((r) => r.status), ["applied", "applied", "applied"], "stored results, not new ones");
    for (const p of a.fetch.calls("/sync/push")) assert.match(p.body.sent_at, TIMESTAMP);

    const view = await serverView(user);
    assert.deepEqual(sorted(view.ids), sorted(recorded.map((r) => r.id)));
    assert.equal(view.digest.answers, 3);

    // A second device of the same user sees each answer exactly once.
    const b = device(user);
    await b.client.syncNow();
    const seen = await b.store.answers();
    assert.deepEqual(sorted(seen.map((x) => x.id)), sorted(recorded.map((r) => r.id)));
    assert.ok(seen.every((x) => !x.mine && x.server.device_id === a.deviceId));
  });

  test("a 401 pauses without dropping anything; resume() after sign-in carries on", async () => {
    const user = uniqueUser("auth");
    const a = device(user, { client: { maxMutations: 2 } });
    const paused = [];
    a.client.on("paused", (e) => paused.push(e));
    for (let i = 0; i < 4; i++) await answer(a, "who-else", [2], DAY + i);
    const before = await a.store.outboxBatch(10);

    // The server refuses an expired credential (a real 401).
    a.auth.header = "Bearer expired";
    let status = await a.client.syncNow();
    assert.equal(status.state, "paused");
    assert.equal(status.paused, true);
    assert.equal(status.lastError.status, 401);
    assert.equal(paused.length, 1);
    assert.deepEqual(await a.store.outboxBatch(10), before, "the outbox is untouched");
    const requests = a.fetch.log.length;
    status = await a.client.syncNow();
    assert.equal(status.state, "paused");
    assert.equal(a.fetch.log.length, requests, "a paused client sends nothing");

    // Signed in again: the first batch goes, then an injected 401 pauses half-way.
    a.auth.header = `Bearer dev:${user}`;
    a.fetch.inject({ path: "/sync/push", fault: "respond", status: 401, when: (b) => b.mutations[0].client_seq === 3 });
    status = await a.client.resume();
    assert.equal(status.state, "paused");
    assert.equal(status.unsynced, 2);
    assert.deepEqual(await a.store.outboxBatch(10), before.slice(2));
    assert.equal(paused.length, 2);

    status = await a.client.resume();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.deepEqual(sorted((await serverView(user)).ids), sorted(before.map((e) => e.payload.id)));
  });

  test("no credential at all pauses before sending anything", async () => {
    const a = device(uniqueUser("nocred"));
    a.auth.header = null;
    await answer(a);
    const status = await a.client.syncNow();
    assert.equal(status.state, "paused");
    assert.equal(status.unsynced, 1);
    assert.equal(a.fetch.log.length, 0);
  });

  test("a 413 halves the batch until it fits", async () => {
    const user = uniqueUser("split");
    const a = device(user);
    a.fetch.inject({
      path: "/sync/push",
      fault: "respond",
      status: 413,
      json: { error: "too_large", limit: { max_mutations: 500, max_push_bytes: 1048576 } },
      times: Infinity,
      when: (b) => b.mutations.length > 2,
    });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await answer(a, "next-step", [2], DAY + i)).id);
    const status = await a.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.deepEqual(a.fetch.calls("/sync/push").map((e) => [e.body.mutations.length, e.status]), [[5, 413], [2, 200], [2, 200], [1, 200]]);
    assert.deepEqual(sorted((await serverView(user)).ids), sorted(ids));
  });

  test("pushes are cut by body size, never over the byte limit", async () => {
    const user = uniqueUser("bytes");
    const a = device(user, { client: { maxPushBytes: 1500 } });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await answer(a, "pick-two", [1, 2], DAY + i)).id);
    const status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    const pushes = a.fetch.calls("/sync/push");
    assert.ok(pushes.length >= 3, `${pushes.length} pushes`);
    for (const p of pushes) {
      assert.equal(p.status, 200);
      assert.ok(p.bytes <= 1500, `${p.bytes} bytes`);
    }
    assert.deepEqual(pushes.flatMap((p) => p.body.mutations.map((m) => m.client_seq)), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(sorted((await serverView(user)).ids), sorted(ids));
  });

  test("a rejected answer is reported with its reason and does not block later ones", async () => {
    const user = uniqueUser("rejected");
    const a = device(user);
    const seen = [];
    const heals = [];
    a.client.on("rejected", (r) => seen.push(...r));
    a.client.on("heal", (e) => heals.push(e));
    const good1 = await answer(a, "who-else", [2]);
    const unknown = await answer(a, "no-such-question", [1]);
    const noOption = await answer(a, "who-else", [4]);
    const good2 = await answer(a, "next-step", [2]);
    let status = await a.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.equal(status.diverged, false, "rejected answers are not counted as on the server");
    const reasons = Object.fromEntries(status.rejected.map((r) => [r.recordId, r]));
    assert.deepEqual(Object.keys(reasons).sort(), sorted([unknown.id, noOption.id]));
    assert.match(reasons[unknown.id].reason, /no-such-question/);
    assert.equal(reasons[unknown.id].questionId, "no-such-question");
    assert.match(reasons[noOption.id].reason, /option 4 does not exist/);
    assert.equal(seen.length, 2);
    assert.equal(heals.length, 0, "the digests agree at once: no heal");
    assert.deepEqual(sorted((await serverView(user)).ids), sorted([good1.id, good2.id]));

    const good3 = await answer(a, "pick-two", [1, 2]);
    status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.equal(status.rejected.length, 2);
    assert.deepEqual(sorted((await serverView(user)).ids), sorted([good1.id, good2.id, good3.id]));
    // The rejected answers stay on the device: nothing local is deleted.
    assert.equal((await ownIds(a.store)).length, 5);
  });

  test("outbox entries are deleted only at or below an acked_through that arrived", async () => {
    const user = uniqueUser("acks");
    const a = device(user, { client: { maxRetries: 1 } });
    a.fetch.inject({ path: "/sync/push", fault: "drop-response", times: Infinity });
    const first = [await answer(a), await answer(a, "next-step", [2]), await answer(a, "pick-two", [2])];
    let status = await a.client.syncNow();
    assert.equal(status.state, "offline");
    // The server has all three, but no ack reached the device: it keeps all three.
    assert.deepEqual(sorted((await serverView(user)).ids), sorted(first.map((x) => x.id)));
    assert.deepEqual((await a.store.outboxBatch(10)).map((e) => e.client_seq), [1, 2, 3]);

    const fourth = await answer(a, "who-else", [1], DAY + 1);
    status = await a.client.syncNow({ push: false }); // a pull reports acked_through 3
    assert.deepEqual(a.fetch.calls("/sync/pull").map((e) => e.response.acked_through), [3]);
    const left = await a.store.outboxBatch(10);
    assert.deepEqual(left.map((e) => [e.client_seq, e.payload.id]), [[4, fourth.id]]);

    a.fetch.clear();
    status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.equal(status.diverged, false);
    assert.equal((await serverView(user)).digest.answers, 4);
  });

  test("backoff delays are within the jitter bounds and reset after a success", async () => {
    const user = uniqueUser("backoff");
    const a = device(user, { client: { random: () => 0.5, maxRetries: 10 } });
    await answer(a);
    a.fetch.inject({ path: "/sync/push", fault: "respond", status: 503, json: { error: "unavailable" }, times: 4 });
    let status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.deepEqual(a.sleeps, [500, 1000, 2000, 4000]);

    await answer(a, "next-step", [2]);
    a.fetch.inject({ path: "/sync/push", fault: "drop-request", times: 1 });
    a.fetch.inject({ path: "/sync/pull", fault: "respond", status: 502, json: {}, times: 2 });
    status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.deepEqual(a.sleeps.slice(4), [500, 500, 1000], "the attempt counter restarts after each success");

    // With real randomness, every delay stays within [0, min(60 s, 1 s × 2^attempt)].
    const b = device(user, { client: { maxRetries: 9 } });
    await answer(b);
    b.fetch.inject({ path: "/sync/push", fault: "drop-request", times: 9 });
    status = await b.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.equal(b.sleeps.length, 9);
    b.sleeps.forEach((ms, attempt) => {
      assert.ok(ms >= 0 && ms <= Math.min(60_000, 1000 * 2 ** attempt), `attempt ${attempt}: ${ms} ms`);
    });
    assert.ok(b.sleeps[7] <= 60_000 && b.sleeps[8] <= 60_000);
  });

  test("a response slower than the timeout is retried, and the retry is answered from the stored results", async () => {
    const user = uniqueUser("slow");
    const a = device(user, { client: { timeoutMs: 150 } });
    const one = await answer(a);
    a.fetch.inject({ path: "/sync/push", fault: "slow-response", ms: 400 });
    a.fetch.inject({ path: "/sync/pull", fault: "delay", ms: 400 });
    const status = await a.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.equal(a.sleeps.length, 2);
    assert.deepEqual((await serverView(user)).ids, [one.id]);
  });

  test("two devices of one learner converge: both see both answers and the same progress", async () => {
    const user = uniqueUser("two");
    const a = device(user);
    const b = device(user);
    const fromA = await answer(a, "who-else", [2], DAY);
    const fromB = [await answer(b, "who-else", [1], DAY), await answer(b, "next-step", [2], DAY + 1)];
    await a.client.syncNow();
    await b.client.syncNow();
    const statusA = await a.client.syncNow();
    const all = sorted([fromA.id, ...fromB.map((x) => x.id)]);
    assert.deepEqual(sorted((await a.store.answers()).map((x) => x.id)), all);
    assert.deepEqual(sorted((await b.store.answers()).map((x) => x.id)), all);
    assert.equal(statusA.diverged, false);
    for (const q of ["who-else", "next-step"]) {
      const pa = await a.store.progressOf(q);
      assert.ok(pa, `progress for ${q}`);
      assert.deepEqual(pa, await b.store.progressOf(q));
    }
    assert.deepEqual(sorted(await a.store.knownOnServerIds()), all);
  });

  test("pull pages with a small limit, each applied with its cursors, until has_more is false", async () => {
    const user = uniqueUser("pages");
    const a = device(user);
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await answer(a, ["who-else", "next-step", "pick-two"][i % 3], [2], DAY + i)).id);
    await a.client.syncNow();

    const b = device(user, { client: { pullLimit: 3 } });
    const status = await b.client.syncNow();
    assert.equal(status.diverged, false);
    const pulls = b.fetch.calls("/sync/pull");
    assert.ok(pulls.length >= 4, `${pulls.length} pages`);
    pulls.forEach((p, i) => {
      assert.equal(p.body.limit, 3);
      assert.ok(p.response.changes.length <= 3, "the limit counts every change, the content change included");
      assert.equal(p.response.has_more, i < pulls.length - 1);
      assert.equal(p.response.digest === null, i < pulls.length - 1, "the digest comes on the last page only");
      if (i > 0) assert.equal(p.body.cursors.records, pulls[i - 1].response.cursors.records, "each page starts at the last page's cursor");
    });
    assert.deepEqual(sorted((await b.store.answers()).map((x) => x.id)), sorted(ids));
    assert.deepEqual(await b.store.getCursors(), await a.store.getCursors());
  });

  test("every pull names the learner's local day, so campaigns start on the day they reach them", async () => {
    const withDay = device(uniqueUser("day"), { client: { localDay: () => DAY + 3 } });
    await withDay.client.syncNow();
    const pulls = withDay.fetch.calls("/sync/pull");
    assert.ok(pulls.length >= 1);
    for (const p of pulls) assert.equal(p.body.local_day, DAY + 3);
    const without = device(uniqueUser("noday"));
    await without.client.syncNow();
    for (const p of without.fetch.calls("/sync/pull")) assert.equal("local_day" in p.body, false);
  });

  test("the library snapshot is stored with the content cursor; a failed download keeps the old cursor", async () => {
    const a = device(uniqueUser("content"));
    a.fetch.inject({ path: "/content/snapshot/1", fault: "respond", status: 503 });
    await answer(a);
    let status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.equal(status.lastError.kind, "content_download");
    assert.equal((await a.store.getCursors()).content, 0);
    assert.ok((await a.store.getCursors()).records > 0, "the records still moved on");
    assert.equal(await a.store.content(), null);

    status = await a.client.syncNow();
    assert.equal(status.lastError, null);
    assert.equal((await a.store.getCursors()).content, 1);
    const content = await a.store.content();
    assert.equal(content.version, 1);
    assert.deepEqual(sorted(content.snapshot.questions.map((q) => q.id)), ["next-step", "pick-two", "who-else"]);
  });

  test("a second syncNow() during a sync returns the same promise; answers recorded meanwhile go too", async () => {
    const user = uniqueUser("single");
    const a = device(user);
    const one = await answer(a);
    a.fetch.inject({ path: "/sync/push", fault: "delay", ms: 100 });
    const states = [];
    a.client.on("status", (s) => states.push(s.state));
    const first = a.client.syncNow();
    const second = a.client.syncNow();
    assert.equal(first, second);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await a.client.status()).state, "syncing");
    const two = await answer(a, "next-step", [2]); // while the first push is on its way
    const status = await first;
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.deepEqual(a.fetch.calls("/sync/push").map((p) => p.body.mutations.map((m) => m.client_seq)), [[1], [2]]);
    assert.equal(states.at(-1), "idle");
    const third = a.client.syncNow();
    assert.notEqual(third, first);
    await third;
    assert.equal(a.fetch.calls("/sync/push").length, 2, "nothing left to push");
    assert.deepEqual(sorted((await serverView(user)).ids), sorted([one.id, two.id]));
  });

  test("seq_reused, device_bound and protocol_unsupported stop syncing with a clear error and keep the outbox", async () => {
    // The same device id after its storage was wiped: client_seq 1 again, for another mutation.
    const user = uniqueUser("stop");
    const a = device(user);
    await answer(a);
    await a.client.syncNow();
    const wiped = device(user, { deviceId: a.deviceId });
    const stopped = [];
    wiped.client.on("stopped", (e) => stopped.push(e));
    const lost = await answer(wiped);
    let status = await wiped.client.syncNow();
    assert.equal(status.state, "stopped");
    assert.equal(status.stopped, "seq_reused");
    assert.equal(status.lastError.status, 409);
    assert.equal(stopped.length, 1);
    assert.deepEqual((await wiped.store.outboxBatch(5)).map((e) => e.payload.id), [lost.id]);
    const requests = wiped.fetch.log.length;
    await wiped.client.syncNow();
    assert.equal(wiped.fetch.log.length, requests, "a stopped client sends nothing until resume()");

    // A device of one user, signed in as another.
    const other = device(uniqueUser("other"), { deviceId: a.deviceId });
    await answer(other);
    status = await other.client.syncNow();
    assert.equal(status.stopped, "device_bound");
    assert.equal(status.unsynced, 1);

    // An app speaking a protocol the server does not (the body is rewritten on the way).
    const c = device(uniqueUser("proto"));
    c.fetch.inject({ path: "/sync/push", fault: "rewrite", rewrite: (b) => ({ ...b, protocol: 2 }) });
    await answer(c);
    status = await c.client.syncNow();
    assert.equal(status.stopped, "protocol_unsupported");
    assert.equal(status.unsynced, 1);
    status = await c.client.resume(); // e.g. after an app update
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
  });

  test("payload_unsupported keeps the outbox and backs off; it goes once the server can take it", async () => {
    const user = uniqueUser("payload");
    const a = device(user, { client: { maxRetries: 2, random: () => 1 - 1e-9 } });
    a.fetch.inject({
      path: "/sync/push",
      fault: "rewrite",
      times: 3,
      rewrite: (b) => ({ ...b, mutations: b.mutations.map((m) => ({ ...m, payload_version: 2 })) }),
    });
    const one = await answer(a);
    let status = await a.client.syncNow();
    assert.equal(status.state, "offline");
    assert.equal(status.lastError.kind, "payload_unsupported");
    assert.equal(status.unsynced, 1);
    assert.equal(a.sleeps.length, 2);
    assert.ok(a.sleeps[0] < 1000 && a.sleeps[1] < 2000 && a.sleeps[1] > a.sleeps[0]);
    status = await a.client.syncNow();
    assert.equal(status.unsynced, 0);
    assert.deepEqual((await serverView(user)).ids, [one.id]);
  });

  test("a server restored from an empty backup is healed: everything re-pulled and re-pushed, nothing lost", async () => {
    const user = uniqueUser("heal");
    const a = device(user);
    const b = device(user);
    const fromA = [await answer(a, "who-else", [2]), await answer(a, "next-step", [2], DAY + 1)];
    await a.client.syncNow();
    const fromB = await answer(b, "pick-two", [1, 2]);
    await b.client.syncNow();
    await a.client.syncNow();
    const all = sorted([...fromA.map((x) => x.id), fromB.id]);
    assert.deepEqual(sorted(await a.store.knownOnServerIds()), all);

    // The server comes back from an empty backup: same library, no records, no devices.
    const restored = await startServer();
    extraServers.push(restored);
    const a2 = device(user, { store: a.store, deviceId: a.deviceId, baseUrl: restored.url });
    const heals = [];
    a2.client.on("heal", (e) => heals.push(e));
    let status = await a2.client.syncNow();
    assert.equal(heals.length, 1);
    assert.deepEqual(heals[0].digest, { answers: 0, hash: "000000000000000" });
    const pulls = a2.fetch.calls("/sync/pull");
    assert.deepEqual(pulls[0].response.reset, ["records"], "its records cursor is ahead of the restored server");
    const gap = a2.fetch.calls("/sync/push").find((p) => p.status === 409);
    assert.equal(gap.response.error, "seq_gap");
    assert.equal(gap.response.expected_seq, 1, "the restored server knows nothing of the device: renumbered from 1");
    assert.equal(status.unsynced, 0);
    assert.deepEqual(sorted((await serverView(user, restored.url)).ids), sorted(fromA.map((x) => x.id)));
    // B's answer is still known to have been on the server, so A reports the divergence
    // (without a second heal) until B heals it.
    assert.equal(status.diverged, true);
    assert.equal(heals.length, 1);
    assert.deepEqual(sorted((await a.store.answers()).map((x) => x.id)), all, "nothing local was deleted");

    const b2 = device(user, { store: b.store, deviceId: b.deviceId, baseUrl: restored.url });
    status = await b2.client.syncNow();
    assert.equal(status.diverged, false);
    status = await a2.client.syncNow();
    assert.equal(status.diverged, false);
    assert.equal(status.lastError, null);
    const view = await serverView(user, restored.url);
    assert.deepEqual(sorted(view.ids), all);
    assert.equal(view.digest.answers, 3);
    // The re-queued mutations were new ones: new mutation ids, the same answer payloads.
    const resent = a2.fetch.calls("/sync/push").filter((p) => p.status === 200).flatMap((p) => p.body.mutations);
    const originals = a.fetch.calls("/sync/push").flatMap((p) => p.body.mutations);
    for (const m of resent) {
      const original = originals.find((o) => o.payload.id === m.payload.id);
      assert.ok(original);
      assert.notEqual(m.id, original.id);
      assert.deepEqual(m.payload, original.payload);
    }
  });

  test("a rejection acked by a pull (its push response lost) is reported by that pull: no heal, nothing sent twice", async () => {
    // The push carrying a rejected answer is applied, but its response (with the reason) is
    // lost; the pull that acknowledges it names the queued entries (outbox_from) and hears why.
    const user = uniqueUser("mismatch");
    const a = device(user, { client: { maxRetries: 0 } });
    const heals = [];
    const seen = [];
    a.client.on("heal", (e) => heals.push(e));
    a.client.on("rejected", (r) => seen.push(...r));
    const good = await answer(a, "who-else", [2]);
    const bad = await answer(a, "who-else", [5]);
    a.fetch.inject({ path: "/sync/push", fault: "drop-response" });
    let status = await a.client.syncNow();
    assert.equal(status.state, "offline");
    assert.equal(status.unsynced, 2);

    status = await a.client.syncNow({ push: false });
    assert.equal(a.fetch.calls("/sync/pull")[0].body.outbox_from, 1, "the pull names the first queued entry");
    assert.deepEqual(heals, [], "the digest agrees: the device never counted the rejected answer as on the server");
    assert.equal(a.fetch.calls("/sync/push").length, 1, "nothing was re-queued");
    assert.deepEqual(status.rejected.map((r) => [r.kind, r.recordId, r.clientSeq]), [["answer", bad.id, 2]]);
    assert.match(status.rejected[0].reason, /option 5 does not exist/);
    assert.deepEqual(seen, status.rejected);
    assert.equal(status.diverged, false);
    assert.equal(status.unsynced, 0);
    assert.deepEqual(sorted(await a.store.knownOnServerIds()), [good.id]);
    assert.deepEqual(sorted(await ownIds(a.store)), sorted([good.id, bad.id]), "nothing local was deleted");
    assert.deepEqual((await serverView(user)).ids, [good.id]);
    // With an empty outbox the pull names nothing and hears no rejection again.
    status = await a.client.syncNow();
    assert.equal(a.fetch.calls("/sync/pull").at(-1).body.outbox_from, undefined);
    assert.equal(status.rejected.length, 1);
  });

  // ---- other record kinds: acknowledgements, observations, kinds the app does not know ----------

  test("an acknowledgement recorded offline reaches the server exactly once, through dropped requests and responses, a duplicate, a 401 and a 503", async () => {
    const user = uniqueUser("ack");
    const a = device(user, { client: { maxRetries: 3 } });
    a.fetch.inject({ path: "/sync/push", fault: "drop-request", times: Infinity });
    const read = await acknowledge(a, "ask-first");
    assert.match(read.id, UUID7_PATTERN);
    assert.match(read.at, TIMESTAMP);
    assert.deepEqual([...(await a.store.nuggetsDone())], ["ask-first"], "done at once, offline");
    let status = await a.client.syncNow();
    assert.equal(status.state, "offline");
    assert.equal(status.unsynced, 1);

    // Back online, the credential has expired: paused, nothing dropped.
    a.fetch.clear();
    a.fetch.inject({ path: "/sync/push", fault: "respond", status: 401, json: { error: "unauthorized" } });
    status = await a.client.syncNow();
    assert.equal(status.state, "paused");
    assert.equal(status.unsynced, 1);

    // Signed in again: a 503, then the push is applied but its response is lost, then the
    // retry reaches the server twice.
    a.fetch.inject({ path: "/sync/push", fault: "respond", status: 503, json: { error: "unavailable" } });
    a.fetch.inject({ path: "/sync/push", fault: "drop-response" });
    a.fetch.inject({ path: "/sync/push", fault: "duplicate" });
    status = await a.client.resume();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.deepEqual(status.rejected, []);
    const pushes = a.fetch.calls("/sync/push");
    assert.deepEqual(pushes.map((p) => p.fault), ["drop-request", "drop-request", "drop-request", "drop-request", "respond", "respond", "drop-response", "duplicate"]);
    for (const p of pushes) assert.deepEqual(p.body.mutations.map((m) => [m.kind, m.payload_version, m.payload]), [["acknowledgement", 1, read]]);
    assert.deepEqual(pushes.at(-1).response.results.map((r) => r.status), ["applied"], "the stored result, not a new one");
    assert.deepEqual(server.query("SELECT id, item_kind, item_id, acknowledged FROM acknowledgements WHERE user_id = ?", [`dev:${user}`]), [[read.id, "nugget", "ask-first", 1]]);
    assert.deepEqual([...(await a.store.nuggetsDone())], ["ask-first"]);

    // Another device of the same person pulls it: the nugget is done there too.
    const b = device(user);
    status = await b.client.syncNow();
    assert.equal(status.diverged, false);
    assert.deepEqual([...(await b.store.nuggetsDone())], ["ask-first"]);
    const change = b.fetch.calls("/sync/pull").flatMap((p) => p.response.changes).find((c) => c.kind === "acknowledgement");
    assert.equal(change.data.id, read.id);
    assert.equal(change.data.user_id, `dev:${user}`);
    assert.equal(change.data.device_id, a.deviceId);
  });

  test("marking a nugget not done on one device, later, wins on both", async () => {
    const user = uniqueUser("undo");
    const a = device(user);
    const b = device(user);
    await acknowledge(a, "ask-first");
    await a.client.syncNow();
    await b.client.syncNow();
    assert.deepEqual([...(await b.store.nuggetsDone())], ["ask-first"]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond
    await acknowledge(b, "ask-first", false);
    assert.deepEqual([...(await b.store.nuggetsDone())], []);
    await b.client.syncNow();
    await a.client.syncNow();
    assert.deepEqual([...(await a.store.nuggetsDone())], [], "the undo reached the first device");
    assert.deepEqual([...(await b.store.nuggetsDone())], [], "and stays after the second pulled it back");
    const stored = server.query("SELECT acknowledged FROM acknowledgements WHERE user_id = ? ORDER BY at, id", [`dev:${user}`]);
    assert.deepEqual(stored, [[1], [0]], "both events are kept: facts, never edited");
  });

  test("a rejected acknowledgement (an unknown nugget) is reported with its reason and does not block a later answer", async () => {
    const user = uniqueUser("ackrejected");
    const a = device(user);
    const seen = [];
    a.client.on("rejected", (r) => seen.push(...r));
    const unknown = await acknowledge(a, "no-such-nugget");
    const later = await answer(a, "who-else", [2]);
    const status = await a.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.unsynced, 0);
    assert.equal(status.diverged, false);
    assert.equal(status.rejected.length, 1);
    const [rejection] = status.rejected;
    assert.deepEqual({ ...rejection, reason: null }, { kind: "acknowledgement", recordId: unknown.id, mutationId: rejection.mutationId, clientSeq: 1, reason: null });
    assert.match(rejection.reason, /there is no nugget 'no-such-nugget'/);
    assert.deepEqual(seen, status.rejected);
    assert.deepEqual((await serverView(user)).ids, [later.id], "the answer after it went through");
    assert.deepEqual([...(await a.store.nuggetsDone())], [], "a rejected event marks nothing done");
  });

  test("pulled observations are kept; a change kind the app does not know is skipped and the cursor moves past it", async () => {
    // A coach observes rep@example.com twice and shares both (a raw push: the app does not
    // record observations yet). The rep's device pulls one change a page; the page with the
    // first observation comes back as a kind of a newer server.
    const [[repId]] = server.query("SELECT id FROM users WHERE email = ?", ["rep@example.com"]);
    const observed = [uuid7(), uuid7()];
    const pushed = await pushAs("coach@example.com", observed.map((id) => ({
      kind: "observation",
      payload: { id, base_rev: 0, set: { rep_id: repId, observed_on: "2026-12-01", shared: true, strengths: `Strengths ${id}` }, resolve: [], at: formatTimestamp(Date.now()), local_day: DAY },
    })));
    assert.deepEqual(pushed.results.map((r) => r.status), ["applied", "applied"]);

    const rep = device("rep@example.com", { client: { pullLimit: 1 } });
    const newer = (page) => ({ ...page, changes: page.changes.map((c) => (c.data?.id === observed[0] ? { ...c, kind: "badge" } : c)) });
    rep.fetch.inject({ path: "/sync/pull", fault: "rewrite-response", times: Infinity, rewriteResponse: newer });
    const status = await rep.client.syncNow();
    assert.equal(status.state, "idle");
    assert.equal(status.lastError, null);
    const pulls = rep.fetch.calls("/sync/pull");
    const skipped = pulls.findIndex((p) => p.response.changes.some((c) => c.data?.id === observed[0]));
    assert.ok(skipped >= 0 && skipped < pulls.length - 1);
    assert.equal(pulls[skipped + 1].body.cursors.records, pulls[skipped].response.cursors.records, "the next page starts past the unknown change");
    assert.deepEqual(await rep.store.getCursors(), pulls.at(-1).response.cursors);
    const kept = await rep.store.pulledRecords("observation");
    assert.ok(!kept.some((r) => r.id === observed[0]), "the unknown kind was not taken for an observation");
    const second = kept.find((r) => r.id === observed[1]);
    assert.equal(second.kind, "observation");
    assert.equal(second.data.rep_id, repId);
    assert.equal(second.data.shared, true);
    assert.equal(second.data.fields.strengths, `Strengths ${observed[1]}`);
  });
});
