// The device's side of coaching records (docs/coaching.md): observation and session patches
// recorded through the outbox, the local view (pulled state + queued patches, src/edited-view.js),
// drafts that survive closing the app and leave only by being shared (one transaction), the
// thread of acknowledgements on an observation, and `me` from the pull.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { openDB } from "idb";

import { IdbStore } from "../src/store.js";
import { SCHEMA_VERSION, upgrade } from "../src/db/schema.js";
import { editedView } from "../src/edited-view.js";
import { uuid7 } from "../src/uuid7.js";

let dbs = 0;
const dbName = () => `recap-coaching-test-${process.pid}-${++dbs}`;
const AT = "2026-12-01T09:00:00.000Z";
const patch = (id, set, { base_rev = 0, resolve = [] } = {}) => ({ id, base_rev, set, resolve, at: AT, local_day: 20_788 });
const pulled = (data, seq = 5) => ({ stream: "records", seq, kind: "observation", data });
const page = (changes, extra = {}) => ({ changes, cursors: { content: 0, records: 99 }, ackedThrough: 0, reset: [], content: null, ...extra });

describe("editedView (pure)", () => {
  test("queued patches go over the pulled state in client_seq order; a record made here starts blank", () => {
    const id = "o1";
    const server = { id, rev: 3, author_id: "c", rep_id: "r", shared: false, fields: { notes: "server", meeting_type: "demo" }, conflicts: { notes: [{ value: "x" }] } };
    const queued = [
      { client_seq: 9, kind: "observation", payload: patch(id, { shared: true }) },
      { client_seq: 8, kind: "observation", payload: patch(id, { notes: "mine", shared: false }) },
      { client_seq: 10, kind: "answer", payload: { id } },
      { client_seq: 11, kind: "observation", payload: patch("o2", { rep_id: "r2", observed_on: "2026-12-01" }) },
    ];
    const [one, two] = editedView("observation", [{ id, data: server }], queued);
    assert.deepEqual(one.data.fields, { notes: "mine", meeting_type: "demo", shared: true });
    assert.equal(one.data.shared, true, "the later patch wins");
    assert.deepEqual(one.data.conflicts, {}, "setting a field anew settles its conflict");
    assert.equal(one.pending, true);
    assert.equal(server.fields.notes, "server", "the pulled state is not changed");
    assert.deepEqual([two.id, two.data.rep_id, two.data.rev, two.data.shared, two.pending], ["o2", "r2", 0, false, true]);
    assert.deepEqual(editedView("observation", [{ id, data: server }], []).map((v) => v.pending), [false]);
  });

  test("a session's stage in the view never goes back", () => {
    const data = { id: "s", rev: 2, team_id: "t", case_owner_id: "u", stage: 3, fields: { stage: 3 } };
    const [view] = editedView("session", [{ id: "s", data }], [{ client_seq: 1, kind: "session", payload: patch("s", { stage: 2, ideas: "x" }) }]);
    assert.equal(view.data.stage, 3);
    assert.equal(view.data.fields.ideas, "x");
  });
});

describe("IdbStore: coaching records", () => {
  test("observation (v2) and session (v1) patches are recorded with an outbox entry; other versions are refused", async () => {
    const store = await IdbStore.open({ name: dbName() });
    const o = patch(uuid7(), { rep_id: "r", observed_on: "2026-12-01", "rating:r1:b1": 2 });
    const entry = await store.record("observation", 2, o, uuid7());
    assert.equal(entry.client_seq, 1);
    await store.record("session", 1, patch(uuid7(), { team_id: "demo", case_owner_id: "r", held_on: "2026-12-01", stage: 1 }), uuid7());
    await assert.rejects(store.record("observation", 1, patch(uuid7(), {}), uuid7()), TypeError);
    await assert.rejects(store.record("session", 2, patch(uuid7(), {}), uuid7()), TypeError);
    assert.equal(await store.outboxSize(), 2);
    const [view] = await store.editedRecords("observation");
    assert.deepEqual([view.id, view.data.rep_id, view.data.fields["rating:r1:b1"], view.pending], [o.id, "r", 2, true]);
    // Acknowledged, then pulled back: the server's state, nothing pending.
    await store.ackThrough(2);
    await store.applyPullPage(page([pulled({ id: o.id, rev: 1, author_id: "c", rep_id: "r", shared: false, fields: { ...o.set }, conflicts: {} })]));
    const [back] = await store.editedRecords("observation");
    assert.deepEqual([back.data.rev, back.pending], [1, false]);
  });

  test("a draft is kept on every save, survives reopening, and sharing it records and deletes it in one step", async () => {
    const name = dbName();
    let store = await IdbStore.open({ name });
    const draft = { id: "d1", kind: "observation", values: { rep_id: "r", evidence: "asked first" }, updated_at: AT };
    await store.saveDraft(draft);
    await store.saveDraft({ ...draft, values: { ...draft.values, strengths: "calm" }, updated_at: "2026-12-01T09:00:01.000Z" });
    await store.saveDraft({ id: "s1", kind: "session", values: {}, updated_at: AT });
    store.close();
    store = await IdbStore.open({ name }); // the app was closed mid-form
    assert.deepEqual((await store.draft("d1")).values, { rep_id: "r", evidence: "asked first", strengths: "calm" });
    assert.deepEqual((await store.drafts("observation")).map((d) => d.id), ["d1"]);
    const payload = patch(uuid7(), { rep_id: "r", observed_on: "2026-12-01", shared: true });
    const entry = await store.shareDraft("d1", "observation", payload);
    assert.deepEqual([entry.kind, entry.payload_version, entry.payload], ["observation", 2, payload]);
    assert.equal(await store.draft("d1"), null);
    assert.equal(await store.outboxSize(), 1);
    // A payload the device cannot record leaves the draft where it was, and queues nothing.
    await assert.rejects(store.shareDraft("s1", "badge", {}), TypeError);
    assert.ok(await store.draft("s1"));
    assert.equal(await store.outboxSize(), 1);
    await store.deleteDraft("s1");
    assert.deepEqual(await store.drafts("session"), []);
  });

  test("drafts keep another person from signing in on the device, like unsynced records", async () => {
    const store = await IdbStore.open({ name: dbName() });
    await store.signIn("coach@example.com");
    await store.saveDraft({ id: "d", kind: "observation", values: {}, updated_at: AT });
    assert.deepEqual(await store.signInDevice("rep@example.com"), { ok: false, unsynced: 1, user: "coach@example.com" });
    await store.deleteDraft("d");
    assert.equal((await store.signInDevice("rep@example.com")).ok, true);
  });

  test("`me` is kept from the page that carries it, kept by pages without it, and forgotten when another person signs in", async () => {
    const store = await IdbStore.open({ name: dbName() });
    await store.signIn("coach@example.com");
    assert.equal(await store.me(), null);
    const me = { user_id: "u1", name: "Coach", roles: ["coach"], teams: [{ id: "demo", name: "Demo", role: "coach", members: [] }] };
    await store.applyPullPage(page([], { me }));
    await store.applyPullPage(page([], { me: null }));
    await store.applyPullPage(page([], { me: { roles: "coach" } })); // malformed: ignored
    assert.deepEqual(await store.me(), me);
    await store.signIn("rep@example.com", () => "new-device");
    assert.equal(await store.me(), null);
  });

  test("the thread of an observation: own and pulled acknowledgements, oldest first; rejected own ones left out", async () => {
    const store = await IdbStore.open({ name: dbName() });
    const ack = (id, at, comment) => ({ id, item_kind: "observation", item_id: "o1", acknowledged: true, at, local_day: 20_788, comment });
    const mine = ack(uuid7(), "2026-12-01T10:00:00.000Z", "Thanks, will try");
    await store.record("acknowledgement", 1, mine, uuid7());
    const refused = ack(uuid7(), "2026-12-01T11:00:00.000Z", "again");
    const refusedEntry = await store.record("acknowledgement", 1, refused, uuid7());
    const theirs = { ...ack(uuid7(), "2026-12-01T09:30:00.000Z", null), user_id: "rep", device_id: "x" };
    await store.applyPullPage(page([{ stream: "records", seq: 3, kind: "acknowledgement", data: theirs }]));
    await store.ackThrough(2, [{ kind: "acknowledgement", recordId: refused.id, mutationId: refusedEntry.id, clientSeq: 2, reason: "no" }]);
    const thread = await store.acknowledgementsOf("observation", "o1");
    assert.deepEqual(thread.map((e) => [e.id, e.user_id, e.comment, e.pending]), [
      [theirs.id, "rep", null, false],
      [mine.id, null, "Thanks, will try", true],
    ]);
    assert.deepEqual(await store.acknowledgementsOf("observation", "other"), []);
  });

  test("schema step 5 adds drafts and keeps a queued outbox from version 4", async () => {
    const name = dbName();
    const old = await openDB(name, 4, { upgrade });
    const entry = { id: uuid7(), client_seq: 3, kind: "observation", payload_version: 2, payload: patch(uuid7(), { rep_id: "r", observed_on: "2026-12-01" }) };
    await old.put("outbox", entry);
    old.close();
    assert.ok(SCHEMA_VERSION >= 5, "step 5 and any later step");
    const store = await IdbStore.open({ name });
    assert.deepEqual(await store.outboxBatch(5), [entry]);
    assert.deepEqual(await store.drafts("observation"), []);
  });
});

test("a session's commitment marked done is an acknowledgement of payload version 2; a nugget's stays version 1", async () => {
  const { SyncClient } = await import("../src/sync/client.js");
  const store = await IdbStore.open({ name: dbName() });
  const offline = async () => {
    throw new TypeError("offline");
  };
  const client = new SyncClient({ baseUrl: "http://127.0.0.1:9/", store, deviceId: "d", fetch: offline, getAuthHeader: async () => null });
  await client.acknowledge({ item_kind: "session", item_id: "s1", local_day: 20_788 });
  await client.acknowledge({ item_kind: "nugget", item_id: "n1", local_day: 20_788 });
  assert.deepEqual((await store.outboxBatch(5)).map((e) => [e.payload.item_kind, e.payload_version]), [["session", 2], ["nugget", 1]]);
  assert.deepEqual([...(await store.acknowledgedItems("session"))], ["s1"]);
});

test("opening a refresher is an acknowledgement of payload version 3, recorded once a day per refresher", async () => {
  const { SyncClient } = await import("../src/sync/client.js");
  const { recordOpened } = await import("../src/screens/refreshers.js");
  const store = await IdbStore.open({ name: dbName() });
  const offline = async () => {
    throw new TypeError("offline");
  };
  const client = new SyncClient({ baseUrl: "http://127.0.0.1:9/", store, deviceId: "d", fetch: offline, getAuthHeader: async () => null });
  let day = 20_788;
  const app = { today: () => day, acknowledge: (kind, id) => client.acknowledge({ item_kind: kind, item_id: id, local_day: day }) };
  recordOpened(app, "how-to-ask-who-else");
  recordOpened(app, "how-to-ask-who-else"); // again the same day: not recorded twice
  recordOpened(app, "how-to-build-a-why-change-message");
  day += 1;
  recordOpened(app, "how-to-ask-who-else"); // the next day: once more
  recordOpened(undefined, "anything"); // no app (a preview): nothing, and no error
  await new Promise((resolve) => setTimeout(resolve, 50));
  const entries = await store.outboxBatch(10);
  assert.deepEqual(
    entries.map((e) => [e.payload.item_kind, e.payload.item_id, e.payload.local_day, e.payload_version]),
    [
      ["refresher", "how-to-ask-who-else", 20_788, 3],
      ["refresher", "how-to-build-a-why-change-message", 20_788, 3],
      ["refresher", "how-to-ask-who-else", 20_789, 3],
    ],
  );
});
