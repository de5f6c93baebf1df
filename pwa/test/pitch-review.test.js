// The device's side of pitch reviews and good examples (docs/coaching.md "Pitch reviews", "Good
// examples"): `pitch` patches recorded and pulled like every edited kind, the acknowledgement of
// a review as payload v4 (and only a pitch's), the pull's exemplar list kept as a whole and
// replaced at each sync, and the saved videos no example plays any more deleted after it.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { IdbStore } from "../src/store.js";
import { SyncClient } from "../src/sync/client.js";
import { checkExemplars, videosToDrop } from "../src/exemplars.js";
import { EXAMPLES_CACHE, videoCache } from "../src/examples-cache.js";
import { uuid7 } from "../src/uuid7.js";

let dbs = 0;
const dbName = () => `recap-pitch-review-${process.pid}-${++dbs}`;
const sha = (c) => c.repeat(64);
const example = (id, c, extra = {}) => ({
  pitch_id: id,
  rep_id: "rep-1",
  rep_name: "Robin Rep",
  prompt_id: "price-objection",
  recorded_on: "2026-11-30",
  video_sha256: sha(c),
  video_size: 1234,
  video_type: "video/webm",
  duration_ms: 4200,
  ...extra,
});
const page = (extra) => ({ changes: [], cursors: { content: 0, records: 1 }, ackedThrough: 0, reset: [], content: null, ...extra });

/** Cache Storage as the browser has it, in memory, for node (the store's real cache module runs over it). */
class MemoryCaches {
  caches = new Map();
  async has(name) {
    return this.caches.has(name);
  }
  async open(name) {
    if (!this.caches.has(name)) {
      const entries = new Map();
      this.caches.set(name, {
        entries,
        keys: async () => [...entries.keys()].map((url) => new Request(url)),
        put: async (url, response) => entries.set(new URL(url, "http://app.test").href, await response.blob()),
        match: async (url) => (entries.has(new URL(url, "http://app.test").href) ? new Response(entries.get(new URL(url, "http://app.test").href)) : undefined),
        delete: async (request) => entries.delete(new URL(request.url ?? request, "http://app.test").href),
      });
    }
    return this.caches.get(name);
  }
}

describe("exemplars (pure)", () => {
  test("the well-formed entries are kept once per pitch, newest first; no list keeps the old one", () => {
    const list = checkExemplars([
      example("p1", "a"),
      example("p2", "b", { recorded_on: "2026-12-01", extra: "dropped" }),
      example("p1", "c"),
      example("p3", "d", { video_sha256: "not-a-sha" }),
      example("p4", "e", { video_type: "video/avi" }),
      example("p5", "f", { duration_ms: 0 }),
      null,
    ]);
    assert.deepEqual(list.map((e) => [e.pitch_id, e.video_sha256[0]]), [["p2", "b"], ["p1", "a"]]);
    assert.equal("extra" in list[0], false);
    assert.equal(checkExemplars(null), null);
    assert.equal(checkExemplars({}), null);
    assert.equal(checkExemplars(Array.from({ length: 1001 }, (_, i) => example(`p${i}`, "a"))), null);
    assert.deepEqual(checkExemplars([]), []);
  });

  test("a video leaves only when no example plays it any more", () => {
    const before = [example("p1", "a"), example("p2", "b"), example("p3", "b")];
    assert.deepEqual(videosToDrop(before, [example("p2", "b")]), [sha("a")]);
    assert.deepEqual(videosToDrop(before, [example("p1", "a")]), [sha("b")]);
    assert.deepEqual(videosToDrop(before, []), [sha("a"), sha("b")]);
  });
});

describe("IdbStore: pitches", () => {
  test("a pitch patch is recorded with its outbox entry and shown over the pulled state", async () => {
    const store = await IdbStore.open({ name: dbName(), exampleCache: null });
    const id = uuid7();
    await store.record("pitch", 1, { id, base_rev: 0, set: { prompt_id: "p", recorded_on: "2026-12-01" }, resolve: [], at: "2026-12-01T09:00:00.000Z", local_day: 20_788 }, uuid7());
    await assert.rejects(store.record("pitch", 2, { id, base_rev: 0, set: {}, resolve: [] }, uuid7()), TypeError);
    let [view] = await store.editedRecords("pitch");
    assert.deepEqual([view.id, view.pending, view.data.video_uploaded, view.data.fields.prompt_id], [id, true, false, "p"]);
    const data = { id, rev: 1, rep_id: "rep-1", fields: { prompt_id: "p", recorded_on: "2026-12-01", reviewed: true }, conflicts: {}, video_uploaded: true, created_at: "x", updated_at: "y" };
    await store.applyPullPage(page({ changes: [{ stream: "records", seq: 4, kind: "pitch", data }], ackedThrough: 1 }));
    [view] = await store.editedRecords("pitch");
    assert.deepEqual([view.pending, view.data.video_uploaded, view.data.rep_id, view.data.fields.reviewed], [false, true, "rep-1", true]);
  });

  test("a review's acknowledgement is payload v4; other items keep their versions; a store refuses v4 for nothing else", async () => {
    const store = await IdbStore.open({ name: dbName(), exampleCache: null });
    const client = new SyncClient({ baseUrl: "http://127.0.0.1:9/", store, deviceId: "d", fetch: async () => new Response("", { status: 503 }), getAuthHeader: async () => null });
    await client.acknowledge({ item_kind: "pitch", item_id: "p1", local_day: 20_788, comment: "Thanks" });
    await client.acknowledge({ item_kind: "observation", item_id: "o1", local_day: 20_788 });
    const entries = await store.outboxBatch(10);
    assert.deepEqual(entries.map((e) => [e.payload.item_kind, e.payload_version]), [["pitch", 4], ["observation", 1]]);
    assert.equal(entries[0].payload.comment, "Thanks");
    assert.deepEqual((await store.acknowledgementsOf("pitch", "p1")).map((e) => [e.acknowledged, e.comment, e.pending]), [[true, "Thanks", true]]);
    await assert.rejects(store.record("acknowledgement", 5, { id: uuid7(), item_kind: "pitch", item_id: "p", acknowledged: true, at: "x", local_day: 1 }, uuid7()), TypeError);
  });
});

describe("IdbStore: good examples", () => {
  test("the last page's list replaces the kept one; other pages, an older server and a malformed list leave it", async () => {
    const store = await IdbStore.open({ name: dbName(), exampleCache: null });
    assert.deepEqual(await store.exemplars(), []);
    await store.applyPullPage(page({ exemplars: [example("p1", "a"), example("p2", "b")] }));
    assert.deepEqual((await store.exemplars()).map((e) => e.pitch_id).sort(), ["p1", "p2"]);
    await store.applyPullPage(page({ exemplars: undefined }));
    await store.applyPullPage(page({ exemplars: null }));
    await store.applyPullPage(page({ exemplars: "no list" }));
    assert.equal((await store.exemplars()).length, 2, "nothing said: the list stays");
    await store.applyPullPage(page({ exemplars: [example("p2", "b")] }));
    assert.deepEqual((await store.exemplars()).map((e) => e.pitch_id), ["p2"], "a withdrawn example is gone");
    await store.applyPullPage(page({ exemplars: [] }));
    assert.deepEqual(await store.exemplars(), []);
  });

  test("a saved video is deleted once no example plays it; a failing cache never loses the list", async () => {
    const caches = new MemoryCaches();
    const videos = videoCache(caches);
    const store = await IdbStore.open({ name: dbName(), exampleCache: videos });
    const fetch = async (url) => new Response(`video ${url}`, { status: 200, headers: { "Content-Type": "video/webm" } });
    await store.applyPullPage(page({ exemplars: [example("p1", "a"), example("p2", "b"), example("p3", "b")] }));
    await videos.save(sha("a"), { fetch });
    await videos.save(sha("b"), { fetch });
    await caches.open(EXAMPLES_CACHE).then((c) => c.put("/videos/other", new Response("stray")));
    assert.deepEqual([...(await videos.saved())].sort(), [sha("a"), sha("b")]);
    assert.equal(await (await videos.blob(sha("a"))).text(), `video /videos/${sha("a")}`);
    await store.applyPullPage(page({ exemplars: [example("p1", "a"), example("p3", "b")] }));
    assert.deepEqual([...(await videos.saved())].sort(), [sha("a"), sha("b")], "p3 still plays b");
    await store.applyPullPage(page({ exemplars: [example("p3", "b")] }));
    assert.deepEqual([...(await videos.saved())], [sha("b")], "a withdrawn example's video is deleted");
    assert.equal(await videos.blob(sha("a")), null);
    assert.equal((await caches.open(EXAMPLES_CACHE)).entries.size, 1, "anything else in the cache goes too");
    await store.applyPullPage(page({ exemplars: null }));
    assert.deepEqual([...(await videos.saved())], [sha("b")], "an older server's pull deletes nothing");

    const broken = await IdbStore.open({ name: dbName(), exampleCache: { keepOnly: async () => { throw new Error("quota"); } } });
    await broken.applyPullPage(page({ exemplars: [example("p9", "c")] }));
    assert.deepEqual((await broken.exemplars()).map((e) => e.pitch_id), ["p9"]);
  });

  test("a refused download is not saved", async () => {
    const videos = videoCache(new MemoryCaches());
    await assert.rejects(videos.save(sha("a"), { fetch: async () => new Response("no", { status: 403 }) }), /HTTP 403/);
    await assert.rejects(videos.save(sha("a"), { fetch: async () => new Response("part", { status: 206 }) }), /HTTP 206/);
    assert.deepEqual([...(await videos.saved())], []);
  });

  test("another person signing in forgets the list and the saved videos", async () => {
    const caches = new MemoryCaches();
    const videos = videoCache(caches);
    const store = await IdbStore.open({ name: dbName(), exampleCache: videos });
    await store.signIn("ann@example.com");
    await store.applyPullPage(page({ exemplars: [example("p1", "a")] }));
    await videos.save(sha("a"), { fetch: async () => new Response("v", { status: 200 }) });
    assert.deepEqual(await store.signIn("ann@example.com"), { ok: true });
    assert.equal((await videos.saved()).size, 1, "the same person keeps them");
    assert.deepEqual(await store.signIn("bo@example.com"), { ok: true });
    assert.deepEqual(await store.exemplars(), []);
    assert.equal((await videos.saved()).size, 0);
  });
});
