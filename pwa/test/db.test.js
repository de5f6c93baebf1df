// Tests for src/db/: the database module (the one place that opens IndexedDB and its
// transactions) and the repositories, which work inside a transaction they are handed
// (fake-indexeddb). What the app's store does with them is tested in store.test.js.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDB } from "idb";

import { Database } from "../src/db/database.js";
import { SCHEMA_VERSION } from "../src/db/schema.js";
import * as answers from "../src/db/answers.js";
import * as outbox from "../src/db/outbox.js";
import { IdbStore } from "../src/store.js";
import { uuid7 } from "../src/uuid7.js";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
let dbs = 0;
const dbName = () => `recap-db-test-${process.pid}-${++dbs}`;

const answer = (questionId = "who-else") => {
  const ms = Date.UTC(2026, 11, 1, 9) + ++dbs * 1000;
  return { id: uuid7(ms), question_id: questionId, content_version: 1, choice: [2], correct: true, answered_at: new Date(ms).toISOString(), local_day: 20423, duration_ms: 1 };
};

describe("Database", () => {
  test("repositories write inside the caller's transaction: a failure after them undoes all of it", async () => {
    const db = await Database.open({ name: dbName() });
    const a = answer();
    await assert.rejects(
      db.write(["answers", "outbox", "meta"], async (tx) => {
        await answers.addOwn(tx, a, 1);
        await outbox.enqueue(tx, "answer", 1, a, uuid7());
        throw new Error("the step after them failed");
      }),
      /the step after them failed/,
    );
    assert.deepEqual(await db.read(["answers", "outbox", "meta"], async (tx) => [await answers.all(tx), await outbox.size(tx), await outbox.nextSeq(tx)]), [[], 0, 1]);
    db.close();
  });

  test("a newer app in another tab is not blocked: this connection closes and says so", async () => {
    const name = dbName();
    let told = 0;
    const db = await Database.open({ name, onVersionChange: () => told++ });
    const newer = await openDB(name, SCHEMA_VERSION + 1, { upgrade() {} });
    assert.equal(told, 1);
    assert.equal(newer.version, SCHEMA_VERSION + 1);
    newer.close();
    await assert.rejects(db.read(["meta"], () => null), "the old connection is closed");
  });
});

describe("outbox repository", () => {
  test("any kind of mutation, with its payload version, on one client_seq sequence", async () => {
    const db = await Database.open({ name: dbName() });
    const a = answer();
    const entries = await db.write(["outbox", "meta"], async (tx) => [
      await outbox.enqueue(tx, "answer", 1, a, "m1"),
      await outbox.enqueue(tx, "observation", 3, { id: "o1", text: "asked about budget" }, "m2"),
    ]);
    assert.deepEqual(entries, [
      { id: "m1", client_seq: 1, kind: "answer", payload_version: 1, payload: a },
      { id: "m2", client_seq: 2, kind: "observation", payload_version: 3, payload: { id: "o1", text: "asked about budget" } },
    ]);
    await db.read(["outbox", "meta"], async (tx) => {
      assert.deepEqual(await outbox.batch(tx, 10), entries);
      assert.equal(await outbox.nextSeq(tx), 3);
      assert.deepEqual([...(await outbox.queuedPayloadIds(tx, "answer"))], [a.id]);
    });
    const removed = await db.write(["outbox"], (tx) => outbox.removeThrough(tx, 1));
    assert.deepEqual(removed, [entries[0]]);
    await db.write(["outbox", "meta"], (tx) => outbox.renumber(tx, 7));
    assert.deepEqual(await db.read(["outbox", "meta"], async (tx) => [(await outbox.batch(tx, 10)).map((e) => [e.client_seq, e.id]), await outbox.nextSeq(tx)]), [[[7, "m2"]], 8]);
    db.close();
  });

  test("the store acknowledges entries of any kind, and marks only answers' as on the server", async () => {
    const name = dbName();
    const store = await IdbStore.open({ name });
    const [a, b] = [answer(), answer("next-step")];
    await store.recordAnswer(a, uuid7());
    // Another kind of mutation whose payload happens to carry an answer's id.
    const other = await Database.open({ name });
    await other.write(["outbox", "meta"], (tx) => outbox.enqueue(tx, "observation", 1, { id: b.id }, uuid7()));
    other.close();
    await store.recordAnswer(b, uuid7());
    assert.deepEqual((await store.outboxBatch(10)).map((e) => [e.client_seq, e.kind]), [[1, "answer"], [2, "observation"], [3, "answer"]]);
    assert.equal(await store.ackThrough(2), 2);
    assert.deepEqual((await store.outboxBatch(10)).map((e) => e.client_seq), [3]);
    assert.deepEqual(await store.knownOnServerIds(), [a.id], "b's own entry is not acknowledged yet");
    store.close();
  });
});

describe("one module owns IndexedDB", () => {
  const modules = (dir, base = dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? modules(path.join(dir, e.name), base) : e.name.endsWith(".js") ? [path.relative(base, path.join(dir, e.name))] : [],
    );
  const code = (file) => readFileSync(path.join(SRC, file), "utf8").replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "");
  const using = (pattern) => modules(SRC).filter((file) => pattern.test(code(file))).sort();

  test("only db/database.js opens the database or a transaction; only db/ touches object stores", () => {
    assert.deepEqual(using(/\bopenDB\b|\.transaction\(|\bindexedDB\b/), ["db/database.js"]);
    assert.ok(using(/\.objectStore\(|IDBKeyRange/).every((file) => file.startsWith("db/")));
    assert.deepEqual(using(/from "idb"/), ["db/database.js"]);
  });
});
