// Recap's service worker: the app shell offline, the content snapshot cached by version, and
// updates only when the user agrees. Only same-origin GET requests are handled; everything
// else (sync pushes and pulls, sign-in) goes to the network untouched, so the app's own
// outbox, not this worker, decides what is retried.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { setCacheNameDetails } from "workbox-core";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";
import { ExpirationPlugin } from "workbox-expiration";

// Cache names carry the app's name and version, so a new version never reads an old cache.
// eslint-disable-next-line no-undef
const VERSION = __APP_VERSION__;
setCacheNameDetails({ prefix: "recap", suffix: `v${VERSION}` });

// The shell: the list is written in at build time by workbox-build (injectManifest).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any navigation (including an unknown route while offline) gets the app, which routes itself.
// Server pages and APIs are excluded: they must reach the server or fail visibly.
const SERVER_PATHS = [/^\/(api|sync|content|auth|reminders|schema|admin|editor|-)\//, /^\/(schema|admin|editor)$/];
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
