// Recap's service worker: the app shell offline, the content snapshot cached by version, and
// updates only when the user agrees. Only same-origin GET requests are handled; everything
// else (sync pushes and pulls, sign-in) goes to the network untouched, so the app's own
// outbox, not this worker, decides what is retried.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { setCacheNameDetails } from "workbox-core";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";
import { ExpirationPlugin } from "workbox-expiration";
import { pickLanguage, translator } from "./i18n.js";
import { REMINDER_OPENED, clickTarget, notificationFor, openUrl, reminderDate } from "./reminders.js";

// Cache names carry the app's name and version, so a new version never reads an old cache.
// eslint-disable-next-line no-undef
const VERSION = __APP_VERSION__;
setCacheNameDetails({ prefix: "recap", suffix: `v${VERSION}` });

// The shell: the list is written in at build time by workbox-build (injectManifest).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any navigation (including an unknown route while offline) gets the app, which routes itself.
// Server pages and APIs are excluded: they must reach the server or fail visibly.
// Uploads (tus PATCHes of pitch videos) and videos (range requests) are never cached or answered
// here: a cached 206 or an app shell in place of a video would break both.
const SERVER_PATHS = [/^\/(api|sync|content|auth|reminders|schema|admin|editor|uploads|videos|-)\//, /^\/(schema|admin|editor)$/];
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: SERVER_PATHS }));

const sameOrigin = (url) => url.origin === self.location.origin;

// A published snapshot never changes (its URL carries its version): cache first, keep a few.
registerRoute(
  ({ url, request }) => request.method === "GET" && sameOrigin(url) && url.pathname.startsWith("/content/snapshot/"),
  new CacheFirst({
    cacheName: `recap-content-v${VERSION}`,
    plugins: [new ExpirationPlugin({ maxEntries: 3 })],
  }),
);

// Which version is the latest: ask the network, fall back to the last answer when offline.
registerRoute(
  ({ url, request }) => request.method === "GET" && sameOrigin(url) && url.pathname === "/content/latest",
  new NetworkFirst({ cacheName: `recap-latest-v${VERSION}`, networkTimeoutSeconds: 4 }),
);

// Updates never reload anyone mid-question: the page shows "Update available" and posts
// SKIP_WAITING only when the user says so.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

// Daily reminders (docs/operations.md "Reminders"): the server pushes {kind, date, url}; the
// words are the app's own, in the browser's language. A click opens today's question, in the
// app's window when one is open.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(showReminder(data));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openToday(event.notification.data));
});

function showReminder(data) {
  const t = translator(pickLanguage(null, self.navigator.languages ?? [self.navigator.language]));
  const { title, options } = notificationFor(data, t, self.location.origin);
  return self.registration.showNotification(title, options);
}

async function openToday(data) {
  const url = clickTarget(data, self.location.origin);
  const date = reminderDate(data?.date);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!open) return self.clients.openWindow(openUrl(url, date)); // the app records it from ?reminder=
  const focused = await open.focus();
  if (date) focused.postMessage({ type: REMINDER_OPENED, date }); // the open app records it
  // Already on today's questions: leave the screen as it is (the rep may be mid-answer).
  return new URL(focused.url).hash === new URL(url, self.location.origin).hash ? focused : focused.navigate(url);
}
