// Tests for src/sync/transport.js (one HTTP exchange with a timeout; the back-off) and
// src/sync/outcome.js (what a sync reports), on their own. The sync client's real-server tests
// (sync-client.test.js) exercise both again through every phase.
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { Backoff, TimeoutError, Transport } from "../src/sync/transport.js";
import { Outcome } from "../src/sync/outcome.js";
import { classify } from "../src/sync/rules.js";

const BASE = "https://recap.example/";
const never = (url, init) =>
  new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));

describe("Transport", () => {
  test("an exchange never throws: a network error and a timeout come back as values", async () => {
    const down = new Transport({ baseUrl: BASE, fetch: async () => { throw new TypeError("fetch failed"); } });
    const failed = await down.get("/content/latest");
    assert.equal(failed.status, null);
    assert.equal(classify(failed).kind, "network");

    let signal;
    const silent = new Transport({ baseUrl: BASE, timeoutMs: 20, fetch: (url, init) => ((signal = init.signal), never(url, init)) });
    const timedOut = await silent.get("/content/latest");
    assert.ok(timedOut.error instanceof TimeoutError);
    assert.equal(classify(timedOut).kind, "timeout");
    assert.equal(signal.aborted, true, "the request is cancelled, not left running");
  });

  test("the body is read within the timeout: headers then silence is a timeout", async () => {
    const stalls = async () => ({ status: 200, headers: new Headers(), text: () => new Promise(() => {}) });
    const result = await new Transport({ baseUrl: BASE, timeoutMs: 20, fetch: stalls }).get("/content/snapshot/1");
    assert.equal(result.status, null);
    assert.ok(result.error instanceof TimeoutError);
  });

  test("post sends JSON with the credential; without one it sends nothing and answers 401", async () => {
    const calls = [];
    const fetch = async (url, init) => {
      calls.push({ url, init });
      return new Response('{"ok": true}', { status: 200 });
    };
    let made = 0;
    const signedOut = new Transport({ baseUrl: BASE, fetch, getAuthHeader: async () => null });
    const refused = await signedOut.post("/sync/push", () => String(++made));
    assert.equal(refused.status, 401);
    assert.equal(classify(refused).type, "paused");
    assert.equal(calls.length, 0);
    assert.equal(made, 0, "the body is not even made");

    const signedIn = new Transport({ baseUrl: BASE, fetch, getAuthHeader: async () => "Bearer rcd_x" });
    const result = await signedIn.post("/sync/pull", () => "{}");
    assert.deepEqual(result.data, { ok: true });
    assert.equal(calls[0].init.method, "POST");
    assert.deepEqual(calls[0].init.headers, { "Content-Type": "application/json", Authorization: "Bearer rcd_x" });
    assert.equal(calls[0].init.body, "{}");
  });

  test("paths resolve under the base URL, with or without its trailing slash", async () => {
    const urls = [];
    const fetch = async (url) => (urls.push(url), new Response("null", { status: 200 }));
    await new Transport({ baseUrl: "https://recap.example/app", fetch }).get("/sync/info");
    await new Transport({ baseUrl: "https://recap.example/app/", fetch }).get("sync/info");
    assert.deepEqual(urls, ["https://recap.example/app/sync/info", "https://recap.example/app/sync/info"]);
  });
});

describe("Backoff", () => {
  test("full jitter over one attempt counter; a response starts it again", async () => {
    const slept = [];
    const backoff = new Backoff({ random: () => 0.5, sleep: async (ms) => slept.push(ms) });
    for (let i = 0; i < 8; i++) await backoff.wait();
    backoff.reset();
    await backoff.wait();
    assert.deepEqual(slept, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 500]);
  });
});

describe("Outcome", () => {
  const make = (maxRetries = 2) => {
    const events = [];
    const slept = [];
    const backoff = new Backoff({ random: () => 0, sleep: async (ms) => slept.push(ms) });
    const outcome = new Outcome({ now: () => 42, emit: (type, detail) => events.push([type, detail]), backoff, maxRetries });
    return { outcome, events, slept };
  };

  test("retries until maxRetries, then gives up for this sync (offline)", async () => {
    const { outcome, slept } = make(2);
    outcome.begin();
    const verdict = { kind: "network", detail: "fetch failed" };
    assert.equal(await outcome.retry(verdict, 0), true);
    assert.equal(await outcome.retry(verdict, 1), true);
    assert.equal(await outcome.retry(verdict, 2), false);
    assert.equal(slept.length, 2);
    assert.equal(outcome.offline, true);
    assert.deepEqual(outcome.lastError, { kind: "network", status: null, detail: "fetch failed", at: 42 });
    outcome.end();
    assert.ok(outcome.lastError, "an error that ended the sync stays shown");
    outcome.begin();
    assert.equal(outcome.offline, false, "the next sync tries again");
  });

  test("an error retried past is forgotten when the sync ends well", async () => {
    const { outcome } = make();
    outcome.begin();
    await outcome.retry({ kind: "http_503", status: 503 }, 0);
    assert.equal(outcome.lastError.status, 503, "shown while retrying");
    outcome.end();
    assert.equal(outcome.lastError, null);
    assert.equal(outcome.lastSyncAt, 42);
  });

  test("a pause and a stop are announced and last until resume()", () => {
    const { outcome, events } = make();
    assert.equal(outcome.pause({ kind: "unauthorized", status: 401 }), "paused");
    assert.equal(outcome.stop({ kind: "device_bound", status: 403 }), "stopped");
    assert.deepEqual(events.map(([type]) => type), ["paused", "stopped"]);
    assert.equal(events[1][1].error.kind, "device_bound");
    outcome.begin();
    outcome.end();
    assert.equal(outcome.paused, true);
    assert.equal(outcome.stopped, "device_bound");
    outcome.resume();
    assert.equal(outcome.paused, false);
    assert.equal(outcome.stopped, null);
  });
});
