// Daily reminders (docs/api.md "Reminders"): the rep's choices on the server, this device's
// push subscription, and what the service worker shows when a reminder arrives.
//
// The server decides who is reminded and when (server/reminders/); the app only reports the
// choices, its time zone and where to push. Every call is made with the device credential, as
// sync is; nothing here throws: a failure comes back as {ok: false, reason, detail}.

export const NOTIFICATION_TAG = "recap-daily";
export const TODAY_URL = "/#/study";
// A push subscription that does not come back within this long will not: a browser without a
// reachable push service (no network, or none at all) otherwise waits for ever.
export const SUBSCRIBE_TIMEOUT_MS = 15_000;

/** The browser's IANA time zone ("Europe/Amsterdam"), or "UTC" when it does not say. */
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** base64url (the server's VAPID key) as bytes for PushManager.subscribe. */
export function keyBytes(base64url) {
  const base64 = String(base64url).replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** Whether a subscription was made with this key (an ArrayBuffer or null from the browser). */
export function sameKey(applicationServerKey, base64url) {
  if (!applicationServerKey) return false;
  const have = new Uint8Array(applicationServerKey);
  const want = keyBytes(base64url);
  return have.length === want.length && have.every((b, i) => b === want[i]);
}

/** What the service worker shows for a pushed message, in the language `t` speaks. */
export function notificationFor(data, t, origin) {
  return {
    title: t("reminders.notificationTitle"),
    options: {
      body: t("reminders.notificationBody"),
      tag: NOTIFICATION_TAG, // a new reminder replaces an unread one, never piles up
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      lang: t.language,
      data: { url: clickTarget(data, origin), date: reminderDate(data?.date) },
    },
  };
}

/** The reminder's day (YYYY-MM-DD as the server sent it), or null when it is not one. */
export function reminderDate(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

// Opening a reminder (a click on its notification) is recorded as an acknowledgement of the
// reminder's day (payload v3, docs/sync.md), for the adoption dashboard. The service worker
// tells an open window with this message, or opens one with `?reminder=<day>`.
export const REMINDER_OPENED = "reminder-opened";
export const REMINDER_PARAM = "reminder";

/** The URL to open for a click: the target with `?reminder=<day>` when the day is known. */
export function openUrl(target, date) {
  const day = reminderDate(date);
  if (!day) return target;
  const url = new URL(target, "http://app.invalid");
  url.searchParams.set(REMINDER_PARAM, day);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The reminder day a page was opened for (`?reminder=<day>`), or null. */
export function openedReminder(search) {
  return reminderDate(new URLSearchParams(search ?? "").get(REMINDER_PARAM));
}

/** Where a click on the notification goes: the path the message names, on this app only;
 * today's question otherwise. */
export function clickTarget(data, origin) {
  const wanted = typeof data?.url === "string" ? data.url : TODAY_URL;
  try {
    const url = new URL(wanted, origin);
    if (url.origin !== new URL(origin).origin) return TODAY_URL;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return TODAY_URL;
  }
}

async function call({ fetch: fetchFn, baseUrl, token }, method, path, body) {
  if (!token) return { ok: false, reason: "signed_out" };
  let res;
  try {
    res = await fetchFn(`${String(baseUrl).replace(/\/+$/, "")}${path}`, {
      method,
      headers: { Accept: "application/json", Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
  } catch (error) {
    return { ok: false, reason: "offline", detail: String(error?.message ?? error) };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (res.ok) return { ok: true, data };
  return { ok: false, reason: res.status === 401 ? "signed_out" : "server", status: res.status, detail: data?.detail ?? `HTTP ${res.status}` };
}

/** The rep's choices as the server holds them (its defaults until they save). */
export const loadChoices = (conn) => call(conn, "GET", "/reminders/settings");

/** Save the rep's choices; the time zone is this device's. */
export const saveChoices = (conn, choices) => call(conn, "POST", "/reminders/settings", { ...choices, time_zone: choices.time_zone ?? browserTimeZone() });

/** What a rep gets until they choose: a reminder at 09:00, quiet from 21:00 to 07:00, by email
 * when no device takes notifications. */
export const DEFAULT_CHOICES = Object.freeze({ enabled: true, time: "09:00", quiet_start: "21:00", quiet_end: "07:00", email: true });

/**
 * After sign-in: reminders on by default (the rep opts out in Settings). The server keeps these
 * only when the rep has chosen nothing yet, and starts them the next day (docs/api.md).
 */
export const adoptDefaults = (conn) => saveChoices(conn, { ...DEFAULT_CHOICES, defaults: true });

/** Whether this browser can take push at all. */
export function pushSupported(win = globalThis) {
  return Boolean(win.navigator?.serviceWorker && win.PushManager && win.Notification);
}

/**
 * Turn on notifications on this device: permission, a subscription with the server's key (a
 * subscription made with an older key is replaced), and the server told where to push.
 * @returns {Promise<{ok: true, data: any} | {ok: false, reason: string, detail?: string}>}
 */
export async function enablePush(conn, win = globalThis) {
  if (!pushSupported(win)) return { ok: false, reason: "unsupported" };
  const permission = await win.Notification.requestPermission();
  if (permission !== "granted") return { ok: false, reason: "denied" };
  let key;
  try {
    const res = await conn.fetch(`${String(conn.baseUrl).replace(/\/+$/, "")}/reminders/key`, { headers: { Accept: "application/json" } });
    key = (await res.json()).public_key;
  } catch (error) {
    return { ok: false, reason: "offline", detail: String(error?.message ?? error) };
  }
  try {
    const registration = await win.navigator.serviceWorker.ready;
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await withTimeout(
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }),
      SUBSCRIBE_TIMEOUT_MS,
    );
    return await call(conn, "POST", "/reminders/subscribe", subscription.toJSON());
  } catch (error) {
    return { ok: false, reason: "failed", detail: String(error?.message ?? error) };
  }
}

/** Turn notifications off on this device, here and on the server. */
export async function disablePush(conn, win = globalThis) {
  if (!pushSupported(win)) return { ok: true, data: null };
  try {
    const registration = await win.navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (!subscription) return { ok: true, data: null };
    const result = await call(conn, "POST", "/reminders/unsubscribe", { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
    return result;
  } catch (error) {
    return { ok: false, reason: "failed", detail: String(error?.message ?? error) };
  }
}

/** Whether this device has a push subscription now. */
export async function pushActive(win = globalThis) {
  if (!pushSupported(win)) return false;
  try {
    const registration = await win.navigator.serviceWorker.ready;
    return Boolean(await registration.pushManager.getSubscription());
  } catch {
    return false;
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the browser's push service did not answer")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
