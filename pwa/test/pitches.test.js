// The device's side of pitches (docs/app.md "Pitches"): a recording and its pitch record kept in
// one transaction (both or neither), the upload state and tus-js-client's resume state in
// IndexedDB, the blob dropped once uploaded, the quota decision made before recording, and the
// status "My pitches" shows. Real IndexedDB code over fake-indexeddb.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { openDB } from "idb";

import { IdbStore } from "../src/store.js";
import { Database } from "../src/db/database.js";
import { SCHEMA_VERSION } from "../src/db/schema.js";
import * as videos from "../src/db/videos.js";
import * as kinds from "../src/db/kinds/index.js";
import { creationPatch, pitchStatus, recordingProblems, videoType, MAX_VIDEO_BYTES } from "../src/pitches/pitch.js";
import { bytesNeeded, roomToRecord } from "../src/pitches/quota.js";
import { fingerprintOf, pitchIdOf, urlStorage } from "../src/pitches/url-storage.js";
import { limitWords, noRoomMessage } from "../src/pitches/words.js";
import { pickMimeType } from "../src/pitches/recorder.js";
import { HEARD_FOR_MS, REFUSED, UPLOAD_CHANNEL, UPLOAD_LOCK, Uploader, refusalOf, retryable, withUploadLock } from "../src/pitches/uploader.js";
import { translator } from "../src/i18n.js";
import { uuid7 } from "../src/uuid7.js";

let dbs = 0;
const dbName = () => `recap-pitches-test-${process.pid}-${++dbs}`;
const SHA = "a".repeat(64);

function recording(overrides = {}) {
  const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4, 5, 6]);
  const blob = new Blob([bytes], { type: "video/webm" });
  return {
    pitch_id: uuid7(),
    blob,
    sha256: SHA,
    size: blob.size,
    type: "video/webm",
    duration_ms: 4_200,
    prompt_id: "the-price-objection",
    recorded_on: "2026-12-01",
    recorded_at: "2026-12-01T09:00:00.000Z",
    local_day: 20_788,
    ...overrides,
  };
}

async function rows(name, store) {
  const db = await openDB(name);
  try {
    return await db.getAll(store);
  } finally {
    db.close();
  }
}

describe("a recording and its pitch record: both or neither", () => {
  test("savePitch keeps the video and queues the creation patch (pitch, payload v1)", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    const r = recording();
    const { entry, video } = await store.savePitch(r);
    assert.equal(entry.kind, "pitch");
    assert.equal(entry.payload_version, 1);
    assert.deepEqual(entry.payload, {
      id: r.pitch_id,
      base_rev: 0,
      set: { prompt_id: r.prompt_id, recorded_on: "2026-12-01", video_sha256: SHA, video_size: 10, video_type: "video/webm", duration_ms: 4_200 },
      resolve: [],
      at: r.recorded_at,
      local_day: 20_788,
    });
    assert.equal(video.done, 0);
    assert.deepEqual(new Uint8Array(await video.blob.arrayBuffer()), new Uint8Array(await r.blob.arrayBuffer()));
    assert.deepEqual((await store.pendingUploads()).map((v) => v.pitch_id), [r.pitch_id]);
    assert.equal(await store.outboxSize(), 1);
    const [view] = await store.editedRecords("pitch");
    assert.deepEqual([view.id, view.pending, view.data.fields.video_sha256], [r.pitch_id, true, SHA], "the pitch shows at once, offline");
    store.close();
  });

  test("an outbox write that fails takes the video with it", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    store.close();
    // Another entry already holds the client_seq the next record would get: adding fails mid-transaction.
    const raw = await openDB(name);
    await raw.add("outbox", { id: "planted", client_seq: 1, kind: "answer", payload_version: 1, payload: { id: "x" } });
    raw.close();
    const again = await IdbStore.open({ name });
    await assert.rejects(again.savePitch(recording()), /ConstraintError|Key already exists/);
    assert.deepEqual(await rows(name, "videos"), [], "no video without its record");
    assert.deepEqual((await rows(name, "outbox")).map((e) => e.id), ["planted"]);
    again.close();
  });

  test("a video write that fails takes the record with it; a second video for a pitch is refused", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    const first = recording();
    await store.savePitch(first);
    await assert.rejects(store.savePitch(recording({ pitch_id: first.pitch_id, sha256: "b".repeat(64) })), /ConstraintError|already exists/);
    assert.equal(await store.outboxSize(), 1, "the duplicate queued nothing");
    assert.equal((await store.pitchVideo(first.pitch_id)).sha256, SHA, "the first video is kept as it was");
    store.close();
  });

  test("a recording the server would refuse is not kept at all", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    for (const bad of [{ sha256: "XYZ" }, { type: "video/ogg" }, { duration_ms: 0 }, { prompt_id: "" }, { size: 11 }]) {
      await assert.rejects(store.savePitch(recording(bad)), RangeError, JSON.stringify(bad));
    }
    assert.equal(await store.outboxSize(), 0);
    assert.deepEqual(await store.pitchVideos(), []);
    store.close();
  });

  test("the check catches a store that writes the two in separate transactions", async () => {
    // A deliberately broken savePitch: the video in one transaction, the record in another.
    const name = dbName();
    (await IdbStore.open({ name })).close();
    const raw = await openDB(name);
    await raw.add("outbox", { id: "planted", client_seq: 1, kind: "answer", payload_version: 1, payload: { id: "x" } });
    raw.close();
    const db = await Database.open({ name });
    const r = recording();
    const broken = async () => {
      await db.write(["videos"], (tx) => videos.add(tx, { ...r }));
      await db.write(kinds.storesToRecord("pitch", 1), (tx) => kinds.record(tx, "pitch", 1, creationPatch({ ...r, id: r.pitch_id, at: r.recorded_at }), uuid7()));
    };
    await assert.rejects(broken());
    db.close();
    assert.equal((await rows(name, "videos")).length, 1, "the broken variant leaves a video without a record: the test above would fail on it");
  });
});

describe("upload state and tus-js-client's resume state", () => {
  test("setUploadState merges; uploadDone drops the blob, keeps the metadata, and nothing moves a done upload again", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    const r = recording();
    await store.savePitch(r);
    await store.setUploadState(r.pitch_id, { url: "http://x/uploads/u1", offset: 4, tries: 1, last_error: "offline" });
    let row = await store.pitchVideo(r.pitch_id);
    assert.deepEqual([row.upload.url, row.upload.offset, row.upload.tries, row.upload.last_error, row.upload.done], ["http://x/uploads/u1", 4, 1, "offline", false]);
    await store.setUploadState(r.pitch_id, { offset: 99 });
    assert.equal((await store.pitchVideo(r.pitch_id)).upload.offset, 4, "an offset past the size is not taken");
    await assert.rejects(store.setUploadState(r.pitch_id, { done: true }), TypeError, "done only through uploadDone");
    row = await store.uploadDone(r.pitch_id);
    assert.deepEqual([row.blob, row.done, row.upload.done, row.upload.offset, row.sha256, row.duration_ms], [null, 1, true, 10, SHA, 4_200]);
    await store.setUploadState(r.pitch_id, { url: null, offset: 0 });
    assert.equal((await store.pitchVideo(r.pitch_id)).upload.done, true);
    assert.equal((await store.pitchVideo(r.pitch_id)).upload.offset, 10);
    assert.deepEqual(await store.pendingUploads(), []);
    assert.equal((await store.pitchVideos()).length, 1, "My pitches still lists it");
    assert.equal(await store.setUploadState("nope", { tries: 1 }), null);
    store.close();
  });

  test("the url storage keeps tus-js-client's upload address with the row, keyed pitch:<id>", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    const r = recording();
    await store.savePitch(r);
    const storage = urlStorage(store, () => "2026-12-01T09:01:00.000Z");
    const fp = fingerprintOf(r.pitch_id);
    assert.equal(pitchIdOf(fp), r.pitch_id);
    assert.equal(pitchIdOf("tus-br-x"), null);
    assert.deepEqual(await storage.findUploadsByFingerprint(fp), []);
    assert.equal(await storage.addUpload(fp, { uploadUrl: "http://x/uploads/u1", size: 10, metadata: {} }), fp);
    store.close();
    // After a restart the address is read back from IndexedDB.
    const reopened = await IdbStore.open({ name });
    const again = urlStorage(reopened);
    assert.deepEqual(await again.findUploadsByFingerprint(fp), [{ uploadUrl: "http://x/uploads/u1", urlStorageKey: fp, size: 10, metadata: {}, creationTime: "2026-12-01T09:01:00.000Z" }]);
    assert.equal((await again.findAllUploads()).length, 1);
    await again.removeUpload(fp);
    assert.deepEqual(await again.findUploadsByFingerprint(fp), []);
    await again.addUpload(fp, { uploadUrl: "http://x/uploads/u2" });
    await reopened.uploadDone(r.pitch_id);
    assert.deepEqual(await again.findUploadsByFingerprint(fp), [], "a finished upload is never offered for resuming");
    await assert.rejects(again.addUpload("tus-br-other", { uploadUrl: "u" }), TypeError);
    reopened.close();
  });

  test("a video waiting to upload keeps another person from signing in; an uploaded one does not", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    await store.signIn("rep@example.com");
    const r = recording();
    await store.savePitch(r);
    await store.ackThrough(1);
    const refused = await store.signIn("other@example.com");
    assert.deepEqual([refused.ok, refused.unsynced], [false, 1]);
    await store.uploadDone(r.pitch_id);
    assert.equal((await store.signIn("other@example.com")).ok, true);
    assert.deepEqual(await store.pitchVideos(), [], "the previous person's videos are forgotten with their records");
    store.close();
  });

  test("schema step 6 adds `videos` and leaves the outbox as it was", async () => {
    const name = dbName();
    const old = await IdbStore.open({ name, version: 5 });
    await old.record("answer", 1, { id: "a1", question_id: "q", content_version: 1, choice: [0], correct: true, answered_at: "2026-12-01T09:00:00.000Z", local_day: 20_788, duration_ms: null }, uuid7());
    old.close();
    const store = await IdbStore.open({ name });
    assert.ok(SCHEMA_VERSION >= 6);
    assert.equal(await store.outboxSize(), 1);
    assert.deepEqual(await store.pitchVideos(), []);
    store.close();
  });
});

describe("pure rules", () => {
  test("the quota decision: room for the time limit with a margin, or how many MB to free", () => {
    assert.equal(bytesNeeded(120), Math.ceil((120 * 1_064_000 * 1.5) / 8) + 5_000_000);
    assert.deepEqual(roomToRecord({ quota: 1e9, usage: 1e8 }, 120).ok, true);
    const short = roomToRecord({ quota: 30e6, usage: 10e6 }, 120);
    assert.equal(short.ok, false);
    assert.equal(short.free, 20e6);
    assert.equal(short.short_mb, Math.ceil((bytesNeeded(120) - 20e6) / 1e6));
    assert.equal(roomToRecord({ quota: 30e6, usage: 40e6 }, 30).free, 0, "usage past the quota: nothing free");
    assert.equal(roomToRecord(null, 120).ok, true, "a browser that cannot tell lets the rep try");
    assert.equal(roomToRecord({ quota: undefined }, 120).ok, true);
    assert.equal(roomToRecord({ quota: bytesNeeded(60), usage: 0 }, 60).ok, true, "exactly enough is enough");
    assert.equal(roomToRecord({ quota: bytesNeeded(60) - 1, usage: 0 }, 60).short_mb, 1);
  });

  test("recordings the contract refuses are named; the creation patch carries only the rep's creation fields", () => {
    const good = { prompt_id: "p", sha256: SHA, size: 1, type: "video/mp4", duration_ms: 1, recorded_on: "2026-12-01" };
    assert.deepEqual(recordingProblems(good), []);
    assert.deepEqual(recordingProblems({ ...good, size: MAX_VIDEO_BYTES + 1 }), ["pitch.tooBig"]);
    assert.deepEqual(recordingProblems({ ...good, duration_ms: 200_001 }), ["pitch.badDuration"]);
    assert.deepEqual(recordingProblems({ ...good, type: "video/webm;codecs=vp8" }), ["pitch.badType"]);
    assert.deepEqual(recordingProblems({ ...good, sha256: SHA.toUpperCase(), recorded_on: "1/12/2026" }), ["pitch.badHash", "pitch.badDate"]);
    assert.equal(videoType("video/webm;codecs=vp8,opus"), "video/webm");
    assert.equal(videoType("video/x-matroska"), null);
    assert.throws(() => creationPatch({ ...good, id: "x", sha256: "no", at: "t", local_day: 1 }), /badHash/);
  });

  test("My pitches: reviewed, uploaded, uploading 42 %, waiting (26 % sent), waiting", () => {
    assert.deepEqual(pitchStatus({}), { state: "waiting", percent: null });
    assert.deepEqual(pitchStatus({ video: { upload: { done: false } }, progress: { sent: 42, total: 100 } }), { state: "uploading", percent: 42 });
    assert.deepEqual(pitchStatus({ video: { upload: { done: true } }, progress: { sent: 42, total: 100 } }).state, "uploaded");
    assert.deepEqual(pitchStatus({ pulled: { video_uploaded: true, fields: {} } }).state, "uploaded", "uploaded from another device");
    assert.deepEqual(pitchStatus({ video: { upload: { done: false } }, pulled: { video_uploaded: true, fields: { reviewed: true } } }).state, "reviewed");
    // Not sending here (offline, or another tab sends), part of it on the server: how much, as last kept.
    assert.deepEqual(pitchStatus({ video: { size: 4_000_000, upload: { done: false, offset: 1_048_576 } } }), { state: "waiting", percent: 26 });
    assert.deepEqual(pitchStatus({ video: { size: 4_000_000, upload: { done: false, offset: 0 } } }), { state: "waiting", percent: null });
    const t = translator("en");
    assert.equal(t("pitches.waitingSent", { percent: 26 }), "Waiting to upload (26 % sent)");
    assert.equal(translator("nl")("pitches.waitingSent", { percent: 26 }), "Wacht op uploaden (26 % verstuurd)");
  });

  test("the room message in words, English and Dutch, as the recording screen shows it", () => {
    const en = translator("en");
    const nl = translator("nl");
    const short = roomToRecord({ quota: 20e6, usage: 10e6 }, 120);
    assert.equal(noRoomMessage(en, short, 120), `Not enough space on this phone to record 2 minutes: free up about ${short.short_mb} MB`);
    assert.equal(noRoomMessage(nl, short, 120), `Niet genoeg ruimte op deze telefoon om 2 minuten op te nemen: maak ongeveer ${short.short_mb} MB vrij`);
    assert.equal(noRoomMessage(en, roomToRecord({ quota: 1e6, usage: 0 }, 90), 90), "Not enough space on this phone to record 90 seconds: free up about 22 MB");
    assert.equal(noRoomMessage(en, roomToRecord({ quota: 1e6, usage: 0 }, 60), 60).includes("1 minute:"), true);
    assert.equal(noRoomMessage(en, roomToRecord({ quota: 1e9, usage: 0 }, 60), 60), null);
    assert.equal(limitWords(nl, 30), "30 seconden");
  });

  test("the recorder picks WebM (VP8/Opus) first and MP4 where only that records", () => {
    assert.equal(pickMimeType(() => true), "video/webm;codecs=vp8,opus");
    assert.equal(pickMimeType((t) => t.startsWith("video/mp4")), "video/mp4;codecs=avc1.42E01E,mp4a.40.2");
    assert.equal(pickMimeType(() => false), null);
  });

  test("uploads retry on no answer, a busy or failing server, an offset or a chunk to redo; not on a refusal", () => {
    for (const status of [0, 500, 503, 409, 423, 429, 460]) assert.equal(retryable(status), true, String(status));
    for (const status of [400, 401, 403, 404, 410, 413, 415]) assert.equal(retryable(status), false, String(status));
    assert.equal(retryable(400, '{"error": "body_dropped", "detail": "the body stopped"}'), true, "a body the server saw stop: resume");
    assert.equal(retryable(400, '{"error": "bad_request"}'), false);
  });

  test("a video the server refused for good (413, 415) is never sent again, and says why", async () => {
    assert.deepEqual([...REFUSED].sort(), [413, 415]);
    assert.equal(refusalOf(415, '{"error": "unsupported_media_type", "detail": "not a WebM or MP4 video"}'), "not a WebM or MP4 video");
    assert.equal(refusalOf(413, "<html>"), "HTTP 413");
    const name = dbName();
    const store = await IdbStore.open({ name });
    const refused = recording();
    const waiting = recording();
    await store.savePitch(refused);
    await store.savePitch(waiting);
    await store.setUploadState(refused.pitch_id, { refused: "not a WebM or MP4 video", tries: 1 });
    // Nothing listens on port 9: the waiting video's try fails at once; the refused one is never tried.
    const uploader = new Uploader({ store, baseUrl: "http://127.0.0.1:9/", getAuthHeader: async () => "Bearer x", online: () => true, retryDelays: [] });
    await uploader.kick();
    uploader.pause();
    assert.equal((await store.pitchVideo(refused.pitch_id)).upload.tries, 1, "the refused video was not sent again");
    assert.equal((await store.pitchVideo(waiting.pitch_id)).upload.tries, 1, "the other one was tried");
    assert.equal((await store.pitchVideo(refused.pitch_id)).upload.refused, "not a WebM or MP4 video");
    store.close();
  });

  test("a tab that is not sending shows the sending tab's progress, and forgets it when that tab goes quiet", async () => {
    const heard = (channel) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("nothing heard on the channel")), 2_000);
        channel.addEventListener("message", (event) => (clearTimeout(timer), resolve(event.data)), { once: true });
      });
    const name = dbName();
    const store = await IdbStore.open({ name });
    const video = recording();
    await store.savePitch(video);
    let clock = 1_000;
    const [mine, other] = [new BroadcastChannel(UPLOAD_CHANNEL), new BroadcastChannel(UPLOAD_CHANNEL)];
    let watcher = null;
    try {
      const uploader = new Uploader({ store, baseUrl: "http://127.0.0.1:9/", getAuthHeader: async () => "Bearer x", online: () => true, retryDelays: [], channel: mine, now: () => clock });
      const told = [];
      uploader.on((id) => told.push(id));
      // The other tab's upload moves: this one shows it.
      let arrived = heard(mine);
      other.postMessage({ pitch_id: video.pitch_id, progress: { sent: 262_144, total: 1_048_576 } });
      await arrived;
      assert.deepEqual(uploader.progressOf(video.pitch_id), { sent: 262_144, total: 1_048_576 });
      assert.deepEqual(told, [video.pitch_id], "My pitches is told to redraw");
      // Nothing heard for HEARD_FOR_MS (the tab closed mid-upload): no more progress shown.
      clock += HEARD_FOR_MS + 1;
      assert.equal(uploader.progressOf(video.pitch_id), null);
      // Ended there (null), and nonsense: nothing shown.
      arrived = heard(mine);
      other.postMessage({ pitch_id: video.pitch_id, progress: { sent: 1, total: 2 } });
      await arrived;
      arrived = heard(mine);
      other.postMessage({ pitch_id: video.pitch_id, progress: null });
      await arrived;
      assert.equal(uploader.progressOf(video.pitch_id), null);
      arrived = heard(mine);
      other.postMessage({ pitch_id: 42, progress: { sent: "a", total: 0 } });
      await arrived;
      assert.equal(told.length, 3, "a message naming no pitch is ignored");
      // This tab sends (nothing listens on port 9: the try fails at once): the others hear it ended.
      watcher = new BroadcastChannel(UPLOAD_CHANNEL);
      arrived = heard(watcher);
      await uploader.kick();
      uploader.pause();
      assert.deepEqual(await arrived, { pitch_id: video.pitch_id, progress: null });
    } finally {
      for (const channel of [mine, other, watcher]) channel?.close();
      store.close();
    }
  });

  test("two tabs never send at once: one holds the upload lock, the other leaves the video to it", async () => {
    // Web Locks' `ifAvailable`, as the browser keeps it for an origin: held while the callback's promise runs.
    const held = new Set();
    const locks = {
      async request(name, options, callback) {
        assert.equal(name, UPLOAD_LOCK);
        assert.equal(options.ifAvailable, true);
        if (held.has(name)) return callback(null);
        held.add(name);
        try {
          return await callback({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    const name = dbName();
    const store = await IdbStore.open({ name });
    await store.savePitch(recording());
    const tabs = async (lock) => {
      let runs = 0;
      const options = { store, baseUrl: "http://127.0.0.1:9/", online: () => true, retryDelays: [], lock };
      const getAuthHeader = async () => {
        runs += 1; // each run that sends asks for the credential first
        return "Bearer x";
      };
      const [one, two] = [new Uploader({ ...options, getAuthHeader }), new Uploader({ ...options, getAuthHeader })];
      await Promise.all([one.kick(), two.kick()]);
      one.pause();
      two.pause(); // the one left out would look again later: not in a test
      return runs;
    };
    assert.equal(await tabs((fn) => withUploadLock(fn, locks)), 1, "one tab sent, the other left it");
    assert.equal(await tabs((fn) => fn()), 2, "the check catches tabs without the lock: both sent");
    assert.equal(await withUploadLock(async () => "ran", undefined), "ran", "no Web Locks: the upload just runs");
    assert.equal(held.size, 0);
    store.close();
  });
});
