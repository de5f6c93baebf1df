// Tests for src/sync/library.js: the ONE way a library snapshot reaches the device, whether the
// app downloads it on first run (downloadLatest, from app.js) or a pull announces a new version
// (the SyncClient's pull phase). Both paths are driven here with the same responses and must
// come to the same thing: a good snapshot is kept with its content cursor; a refused, corrupt,
// partial or mislabelled one never replaces the library the device has.
//
// The first suite runs against the REAL server (support/server.js); the second against a
// scripted server, because the fixture library has one version and these cases need a second.
import "fake-indexeddb/auto";
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";

import { downloadLatest, fetchSnapshot } from "../src/sync/library.js";
import { Transport } from "../src/sync/transport.js";
import { SyncClient } from "../src/sync/client.js";
import { IdbStore } from "../src/store.js";
import { snapshot, question, campaign } from "./support/snapshot.js";
import { faultLayer, startServer } from "./support/server.js";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
let dbs = 0;
const openIdb = () => IdbStore.open({ name: `recap-library-${process.pid}-${++dbs}` });

/** A device's SyncClient that only pulls what `fetch` serves (no sleeping, dev sign-in). */
function client(store, baseUrl, fetch) {
  return new SyncClient({ baseUrl, store, deviceId: randomUUID(), fetch, getAuthHeader: async () => `Bearer dev:${randomUUID()}`, sleep: async () => {}, maxRetries: 0 });
}

describe("the library download against the real server", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("first run keeps what a pull would: the same version, ETag and document, with the cursor", async () => {
    const fetch = faultLayer();
    const first = await openIdb();
    const result = await downloadLatest(new Transport({ baseUrl: server.url, fetch }), first);
    assert.deepEqual(result, { saved: true, version: 1, problems: [], failure: null });
    assert.deepEqual(await first.getCursors(), { content: 1, records: 0 });
    assert.equal(fetch.calls("/content/snapshot/1").length, 1);

    // The sync that follows on the same device downloads nothing more.
    await client(first, server.url, fetch).syncNow();
    assert.equal(fetch.calls("/content/snapshot/1").length, 1, "the pull found the library already there");

    // A device that gets its library by pulling keeps exactly the same thing.
    const pulled = await openIdb();
    await client(pulled, server.url, faultLayer()).syncNow();
    assert.deepEqual(await pulled.content(), await first.content());
    assert.match((await first.content()).etag, /^"[^"]+"$/, "the ETag /content/latest names is the one the snapshot is sent with");
  });
});

// ---- both paths, the same responses ----------------------------------------------------------------

const BASE = "https://recap.example/";
const ANNOUNCED = { version: 2, snapshot: "/content/snapshot/2", etag: '"v2"', size: 1234 };

/**
 * A scripted server: /content/latest and a pull page both announce version 2; the snapshot
 * request gets `reply` ({status, body (object or raw text), etag}). Records every request.
 */
function scripted(reply) {
  const calls = [];
  const json = (body, status = 200, headers = {}) =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
  async function fetch(url, init = {}) {
    const where = new URL(url).pathname;
    calls.push({ path: where, method: init.method, auth: init.headers?.Authorization ?? null });
    if (where === "/content/latest") return json({ published_at: "2026-12-01T09:00:00+00:00", ...ANNOUNCED });
    if (where === "/sync/pull") {
      const page = {
        acked_through: 0,
        changes: [{ stream: "content", seq: 2, kind: "content", data: ANNOUNCED }],
        cursors: { content: 2, records: 0 },
        has_more: false,
        reset: [],
        digest: { answers: 0, hash: "000000000000000" },
        server_time: "2026-12-01T09:00:00.000Z",
      };
      return json(page);
    }
    if (where === "/content/snapshot/2") {
      if (reply.error) throw reply.error;
      return json(reply.body, reply.status ?? 200, reply.etag === null ? {} : { ETag: reply.etag ?? ANNOUNCED.etag });
    }
    return json({ error: "not_found" }, 404);
  }
  fetch.calls = calls;
  return fetch;
}

/** A device that holds library version 1. */
async function deviceWithV1() {
  const store = await openIdb();
  assert.equal((await store.saveContent(snapshot(1), { etag: '"v1"' })).saved, true);
  return store;
}

const good = snapshot(2, { questions: [question("who-else")], campaigns: [campaign("basics", ["who-else"])] });
const CASES = [
  { name: "a corrupt document (a right option that does not exist)", reply: { body: snapshot(2, { questions: [question("who-else", { correct: 4 })], campaigns: [] }) }, refusedBy: "store" },
  { name: "a partial document (lists missing)", reply: { body: { version: 2, questions: [] } }, refusedBy: "store" },
  { name: "a cut-off body (not JSON)", reply: { body: JSON.stringify(good).slice(0, 200) }, refusedBy: "download" },
  { name: "another version than announced", reply: { body: snapshot(3) }, refusedBy: "download" },
  { name: "another ETag than announced", reply: { body: good, etag: '"v2-other"' }, refusedBy: "download" },
  { name: "a server error", reply: { status: 503, body: { error: "unavailable" } }, refusedBy: "download" },
  { name: "a network error", reply: { error: new TypeError("fetch failed") }, refusedBy: "download" },
];

describe("first run and pull: one download, the same verdicts", () => {
  for (const { name, reply, refusedBy } of CASES) {
    test(`${name}: refused by the ${refusedBy}, the old library and its cursor kept`, async () => {
      // First run (the app's path; here on a device that already has v1, to see it kept).
      const firstRun = await deviceWithV1();
      const firstFetch = scripted(reply);
      const result = await downloadLatest(new Transport({ baseUrl: BASE, fetch: firstFetch }), firstRun);
      // Pull (the sync client's path).
      const pulling = await deviceWithV1();
      const pullFetch = scripted(reply);
      const status = await client(pulling, BASE, pullFetch).syncNow();

      for (const store of [firstRun, pulling]) {
        assert.equal((await store.content()).version, 1, "the good library stays");
        assert.equal((await store.content()).etag, '"v1"');
        assert.equal((await store.getCursors()).content, 1, "the content cursor stays");
      }
      for (const fetch of [firstFetch, pullFetch]) {
        const downloads = fetch.calls.filter((c) => c.path === "/content/snapshot/2");
        assert.deepEqual(downloads, [{ path: "/content/snapshot/2", method: "GET", auth: null }], "one public GET of the announced snapshot");
      }
      assert.equal(result.saved, false);
      if (refusedBy === "download") {
        assert.equal(result.failure.kind, "content_download");
        assert.deepEqual(status.lastError && { kind: status.lastError.kind, status: status.lastError.status, detail: status.lastError.detail }, result.failure, "both paths report the same failure");
        assert.equal(await firstRun.contentError(), null, "nothing reached the store");
        assert.equal(await pulling.contentError(), null);
      } else {
        assert.equal(result.failure, null);
        assert.ok(result.problems.length);
        assert.deepEqual((await pulling.contentError()).problems, (await firstRun.contentError()).problems, "the store refused it for the same reasons");
        assert.deepEqual((await firstRun.contentError()).problems, result.problems);
      }
    });
  }

  test("a good snapshot: both paths keep it with its ETag and move the content cursor", async () => {
    const firstRun = await deviceWithV1();
    const result = await downloadLatest(new Transport({ baseUrl: BASE, fetch: scripted({ body: good }) }), firstRun);
    assert.deepEqual(result, { saved: true, version: 2, problems: [], failure: null });
    const pulling = await deviceWithV1();
    const status = await client(pulling, BASE, scripted({ body: good })).syncNow();
    assert.equal(status.lastError, null);
    for (const store of [firstRun, pulling]) {
      assert.deepEqual(await store.content(), { version: 2, etag: '"v2"', snapshot: good });
      assert.equal((await store.getCursors()).content, 2);
    }
  });

  test("nothing published yet is not a failure; an unreadable /content/latest is", async () => {
    const store = await openIdb();
    const nothing = async () => new Response(JSON.stringify({ version: 0 }), { status: 200 });
    assert.deepEqual(await downloadLatest(new Transport({ baseUrl: BASE, fetch: nothing }), store), { saved: false, version: 0, problems: [], failure: null });
    const down = async () => new Response("Bad gateway", { status: 502 });
    const result = await downloadLatest(new Transport({ baseUrl: BASE, fetch: down }), store);
    assert.deepEqual(result.failure, { kind: "content_download", status: 502, detail: "the latest library version could not be read" });
    assert.equal(await store.content(), null);
  });

  test("a content change that names no snapshot downloads nothing", async () => {
    const transport = new Transport({ baseUrl: BASE, fetch: async () => assert.fail("nothing to fetch") });
    assert.deepEqual(await fetchSnapshot(transport, { version: 2 }), { content: null, failure: null });
    assert.deepEqual(await fetchSnapshot(transport, null), { content: null, failure: null });
  });

  test("no other module of the app downloads the library or keeps a snapshot", () => {
    // The service worker only caches these URLs; every download goes through sync/library.js.
    const modules = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith(".js")) modules.push(path.relative(SRC, file));
      }
    };
    walk(SRC);
    const code = (file) => readFileSync(path.join(SRC, file), "utf8").replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "");
    const naming = (pattern) => modules.filter((file) => file !== "sw.js" && pattern.test(code(file))).sort();
    assert.deepEqual(naming(/["'`]\/content\/latest/), ["sync/library.js"]);
    assert.deepEqual(naming(/\.saveContent\(/), ["sync/library.js"]);
    assert.deepEqual(naming(/\bfetchSnapshot\(/), ["sync/library.js", "sync/pull.js"]);
  });
});
