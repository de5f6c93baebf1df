// The app's side of daily reminders (src/reminders.js): what the service worker shows, where a
// click goes, and the calls to the server, with a fetch that answers as the server does.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { translator } from "../src/i18n.js";
import { TODAY_URL, clickTarget, enablePush, keyBytes, loadChoices, notificationFor, openUrl, openedReminder, sameKey, saveChoices } from "../src/reminders.js";

const KEY = "BOfXpcrrtonWuIDveqDGa5OpmJTkp0FYp5Ik-E91lJqdHTmZD7xm9ykQ-ShUb7LtqtrQG6Y6RaEAmxi5CdAkzHo";
const ORIGIN = "https://recap.example.com";

function fakeFetch(answer) {
  const calls = [];
  const fn = async (url, init = {}) => {
    calls.push({ url, init });
    const { status = 200, body = {} } = typeof answer === "function" ? answer(url, init) : answer;
    return { ok: status < 300, status, json: async () => body };
  };
  fn.calls = calls;
  return fn;
}

describe("reminders", () => {
  test("the server's key becomes the 65 bytes of a P-256 point, and a subscription's key is compared by value", () => {
    const bytes = keyBytes(KEY);
    assert.equal(bytes.length, 65);
    assert.equal(bytes[0], 4);
    assert.ok(sameKey(bytes.buffer, KEY));
    assert.ok(!sameKey(new Uint8Array(65).buffer, KEY));
    assert.ok(!sameKey(null, KEY));
  });

  test("the notification speaks the app's languages and replaces an unread one", () => {
    for (const [language, title] of [["en", "Your questions for today"], ["nl", "Je vragen voor vandaag"]]) {
      const { title: shown, options } = notificationFor({ kind: "daily-reminder", url: "/#/study" }, translator(language), ORIGIN);
      assert.equal(shown, title);
      assert.equal(options.tag, "recap-daily");
      assert.equal(options.lang, language);
      assert.equal(options.data.url, "/#/study");
    }
  });

  test("a click carries the reminder's day, so the app can record that it was opened", () => {
    const { options } = notificationFor({ kind: "daily-reminder", date: "2026-12-01", url: "/#/study" }, translator("en"), ORIGIN);
    assert.equal(options.data.date, "2026-12-01");
    assert.equal(notificationFor({ date: "1 Dec" }, translator("en"), ORIGIN).options.data.date, null);
    assert.equal(openUrl("/#/study", "2026-12-01"), "/?reminder=2026-12-01#/study");
    assert.equal(openUrl("/#/study", null), "/#/study");
    assert.equal(openUrl("/?next=%2Feditor#/study", "2026-12-01"), "/?next=%2Feditor&reminder=2026-12-01#/study");
    assert.equal(openedReminder("?reminder=2026-12-01"), "2026-12-01");
    assert.equal(openedReminder("?reminder=2026-12-01x"), null);
    assert.equal(openedReminder(""), null);
    assert.equal(openedReminder("?next=%2Feditor"), null);
  });

  test("a click opens today's question, and never another site", () => {
    assert.equal(clickTarget({ url: "/#/study" }, ORIGIN), "/#/study");
    assert.equal(clickTarget({}, ORIGIN), TODAY_URL);
    assert.equal(clickTarget(null, ORIGIN), TODAY_URL);
    assert.equal(clickTarget({ url: "https://evil.example/#/study" }, ORIGIN), TODAY_URL);
    assert.equal(clickTarget({ url: "//evil.example/x" }, ORIGIN), TODAY_URL);
    assert.equal(clickTarget({ url: "/#/progress" }, ORIGIN), "/#/progress");
  });

  test("choices go to the server with the device credential and this device's time zone", async () => {
    const fetch = fakeFetch({ body: { enabled: true, time: "08:00" } });
    const conn = { fetch, baseUrl: `${ORIGIN}/`, token: "rcd_x" };
    const saved = await saveChoices(conn, { enabled: true, time: "08:00", quiet_start: "21:00", quiet_end: "07:00", email: true });
    assert.ok(saved.ok);
    const [{ url, init }] = fetch.calls;
    assert.equal(url, `${ORIGIN}/reminders/settings`);
    assert.equal(init.method, "POST");
    assert.equal(init.headers.Authorization, "Bearer rcd_x");
    assert.equal(JSON.parse(init.body).time_zone, Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  test("failures come back as reasons, never as exceptions", async () => {
    assert.deepEqual(await loadChoices({ fetch: fakeFetch({}), baseUrl: ORIGIN, token: null }), { ok: false, reason: "signed_out" });
    const expired = await loadChoices({ fetch: fakeFetch({ status: 401, body: { detail: "sign in again" } }), baseUrl: ORIGIN, token: "rcd_x" });
    assert.equal(expired.reason, "signed_out");
    const refused = await saveChoices({ fetch: fakeFetch({ status: 400, body: { detail: "time must be HH:MM" } }), baseUrl: ORIGIN, token: "rcd_x" }, {});
    assert.deepEqual([refused.reason, refused.detail], ["server", "time must be HH:MM"]);
    const offline = await loadChoices({ fetch: async () => { throw new TypeError("Failed to fetch"); }, baseUrl: ORIGIN, token: "rcd_x" });
    assert.equal(offline.reason, "offline");
  });

  test("notifications need a browser that has push, and the person's permission", async () => {
    const conn = { fetch: fakeFetch({ body: { public_key: KEY } }), baseUrl: ORIGIN, token: "rcd_x" };
    assert.equal((await enablePush(conn, { navigator: {} })).reason, "unsupported");
    const denying = { navigator: { serviceWorker: {} }, PushManager: class {}, Notification: { requestPermission: async () => "denied" } };
    assert.equal((await enablePush(conn, denying)).reason, "denied");
    assert.equal(conn.fetch.calls.length, 0); // nothing asked of the server before permission
  });
});
