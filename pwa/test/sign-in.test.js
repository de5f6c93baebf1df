// Tests for sign-in by emailed code on the device side: src/auth-client.js (requests and how
// each failure is named), the sign-in screen's pure helpers and messages, and the store's
// signInDevice()/signIn() with a device credential (fake-indexeddb).
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { logout, requestCode, retryAfterSeconds, returnPath, verifyCode } from "../src/auth-client.js";
import { failureMessage, normaliseCode, normaliseEmail } from "../src/screens/sign-in.js";
import { CATALOGUE, translator } from "../src/i18n.js";
import { IdbStore } from "../src/store.js";
import { uuid7 } from "../src/uuid7.js";

/** A fetch that records its calls and answers with `status` and `body` (or throws `error`). */
function fakeFetch({ status = 200, body = {}, headers = {}, error = null } = {}) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init, body: init?.body ? JSON.parse(init.body) : null });
    if (error) throw error;
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
  };
  fn.calls = calls;
  return fn;
}

const BASE = "https://recap.example/";

describe("auth-client", () => {
  test("after sign-in, back to the server page that asked for it, and only to one", () => {
    assert.equal(returnPath("?next=%2Feditor%2Fitems%2Fquestions%2Fq%3Fx%3D1"), "/editor/items/questions/q?x=1");
    assert.equal(returnPath("?next=/editor"), "/editor");
    assert.equal(returnPath("?next=/admin/people/x"), "/admin/people/x");
    for (const bad of ["", "?next=", "?next=https://evil.example/editor", "?next=//evil.example/editor", "?next=/editorial", "?next=/%5Cevil", "?next=/sync/push", "?next=/\\evil/editor"]) {
      assert.equal(returnPath(bad), null, bad);
    }
  });

  test("asks for a code with exactly the email", async () => {
    const fetch = fakeFetch({ body: { status: "sent" } });
    assert.deepEqual(await requestCode({ fetch, baseUrl: BASE, email: "ann@example.com" }), { ok: true, data: { status: "sent" } });
    assert.equal(fetch.calls[0].url, "https://recap.example/auth/code");
    assert.equal(fetch.calls[0].init.method, "POST");
    assert.deepEqual(fetch.calls[0].body, { email: "ann@example.com" });
  });

  test("verifies with the device id and returns the device credential", async () => {
    const data = { email: "ann@example.com", expires_at: "x", csrf_token: "c", device_token: "rcd_abc" };
    const fetch = fakeFetch({ body: data });
    const result = await verifyCode({ fetch, baseUrl: BASE, email: "ann@example.com", code: "123456", deviceId: "dev-1" });
    assert.deepEqual(result, { ok: true, data });
    assert.deepEqual(fetch.calls[0].body, { email: "ann@example.com", code: "123456", device_id: "dev-1" });
  });

  test("names each failure", async () => {
    const args = { baseUrl: BASE, email: "a@example.com", code: "000000", deviceId: "d" };
    assert.equal((await verifyCode({ ...args, fetch: fakeFetch({ status: 400, body: { error: "code_rejected" } }) })).reason, "rejected");
    assert.equal((await verifyCode({ ...args, fetch: fakeFetch({ status: 400, body: { error: "bad_request" } }) })).reason, "invalid");
    assert.equal((await verifyCode({ ...args, fetch: fakeFetch({ status: 500, body: {} }) })).reason, "server");
    assert.equal((await verifyCode({ ...args, fetch: fakeFetch({ body: { email: "a@example.com" } }) })).reason, "server", "no credential");
    assert.equal((await verifyCode({ ...args, fetch: fakeFetch({ error: new TypeError("Failed to fetch") }) })).reason, "offline");
    const limited = await requestCode({ ...args, fetch: fakeFetch({ status: 429, body: { error: "rate_limited" } }) });
    assert.deepEqual(limited, { ok: false, reason: "rate_limited", status: 429, retryAfter: null });
    const told = await requestCode({ ...args, fetch: fakeFetch({ status: 429, body: { error: "rate_limited" }, headers: { "Retry-After": "120" } }) });
    assert.equal(told.retryAfter, 120);
  });

  test("Retry-After as seconds or a date", () => {
    assert.equal(retryAfterSeconds("90"), 90);
    assert.equal(retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 0, 5)).toUTCString(), Date.UTC(2026, 0, 1, 0, 0)), 300);
    assert.equal(retryAfterSeconds(null), null);
    assert.equal(retryAfterSeconds("soon"), null);
  });

  test("logout sends the device credential", async () => {
    const fetch = fakeFetch({ body: { status: "signed out" } });
    await logout({ fetch, baseUrl: BASE, deviceToken: "rcd_old" });
    assert.equal(fetch.calls[0].url, "https://recap.example/auth/logout");
    assert.equal(fetch.calls[0].init.headers.Authorization, "Bearer rcd_old");
  });
});

describe("sign-in screen helpers", () => {
  test("emails and codes as typed or pasted", () => {
    assert.equal(normaliseEmail("  Ann@Example.COM "), "ann@example.com");
    assert.equal(normaliseEmail("not an email"), null);
    assert.equal(normaliseCode(" 123 456 "), "123456");
    assert.equal(normaliseCode("123-456"), "123456");
    assert.equal(normaliseCode("12345"), null);
    assert.equal(normaliseCode("12345a"), null);
  });

  test("every failure has a message in both languages", () => {
    const reasons = [
      { reason: "offline" },
      { reason: "rejected" },
      { reason: "rate_limited", retryAfter: null },
      { reason: "rate_limited", retryAfter: 61 },
      { reason: "invalid" },
      { reason: "other_user", unsynced: 2, user: "a@example.com" },
      { reason: "server" },
    ];
    for (const language of Object.keys(CATALOGUE)) {
      const t = translator(language);
      for (const result of reasons) {
        for (const signedIn of [false, true]) {
          const message = failureMessage(t, result, { signedIn });
          assert.doesNotMatch(message, /^signin\.|\{/, `${language} ${result.reason}: ${message}`);
        }
      }
    }
    const t = translator("en");
    assert.equal(failureMessage(t, { reason: "rate_limited", retryAfter: 61 }), "Too many attempts. Try again in 2 minutes.");
    assert.match(failureMessage(t, { reason: "offline" }, { signedIn: true }), /studying does not/);
  });
});

let dbs = 0;
const openIdb = () => IdbStore.open({ name: `recap-signin-test-${process.pid}-${++dbs}` });
const answer = () => {
  const ms = Date.UTC(2026, 11, 1, 9, 0, 0) + ++dbs * 1000;
  return { id: uuid7(ms), question_id: "q", content_version: 1, choice: [0], correct: true, answered_at: new Date(ms).toISOString(), local_day: 20_000, duration_ms: 1 };
};

describe("store: sign-in with a device credential", () => {
  test("the first sign-in keeps the device id and the credential", async () => {
    const store = await openIdb();
    const device = await store.deviceId();
    assert.deepEqual(await store.signInDevice("a@example.com"), { ok: true, deviceId: device, previous: null });
    assert.deepEqual(await store.signIn("a@example.com", () => "unused", { deviceToken: "rcd_1" }), { ok: true });
    assert.equal(await store.deviceId(), device);
    const settings = await store.settings();
    assert.equal(settings.user, "a@example.com");
    assert.equal(settings.device_token, "rcd_1");
  });

  test("signing in again as the same person replaces the credential and keeps queued answers", async () => {
    const store = await openIdb();
    await store.signIn("a@example.com", undefined, { deviceToken: "rcd_1" });
    await store.recordAnswer(answer(), uuid7());
    const check = await store.signInDevice("a@example.com");
    assert.equal(check.deviceId, await store.deviceId());
    await store.signIn("a@example.com", undefined, { deviceToken: "rcd_2" });
    assert.equal((await store.settings()).device_token, "rcd_2");
    assert.equal(await store.outboxSize(), 1);
  });

  test("another person: refused while answers wait; else the fresh id checked before is the one kept", async () => {
    const store = await openIdb();
    await store.signIn("a@example.com", undefined, { deviceToken: "rcd_a" });
    await store.recordAnswer(answer(), uuid7());
    assert.deepEqual(await store.signInDevice("b@example.com"), { ok: false, unsynced: 1, user: "a@example.com" });
    await store.ackThrough(1);
    const check = await store.signInDevice("b@example.com", () => "fresh-device");
    assert.deepEqual(check, { ok: true, deviceId: "fresh-device", previous: "a@example.com" });
    assert.notEqual(await store.deviceId(), "fresh-device", "only checked, not kept yet");
    await store.signIn("b@example.com", () => check.deviceId, { deviceToken: "rcd_b" });
    assert.equal(await store.deviceId(), "fresh-device");
    assert.equal((await store.settings()).device_token, "rcd_b");
  });
});
