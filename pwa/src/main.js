// The app's entry point: open the store, start the app, register the service worker.
// The stylesheet, in cascade order (esbuild bundles them into one file).
import "./styles/base.css";
import "./styles/study.css";
import "./styles/controls.css";
import "./styles/reading.css";
import "./styles/sessions.css";
import "./styles/feedback.css";
import "./styles/coaching.css";
import "./styles/pitch-review.css";
import "./styles/pitches.css";
import { App } from "./app.js";
import { IdbStore } from "./store.js";
import { registerServiceWorker } from "./sw-register.js";
import { startUploads } from "./pitches/uploader.js";
import { pickLanguage, translator } from "./i18n.js";

function fatal(key) {
  const t = translator(pickLanguage(null, navigator.languages ?? [navigator.language]));
  const main = document.getElementById("app");
  main.replaceChildren();
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = t(key);
  main.append(p);
}

async function start() {
  let store;
  try {
    store = await IdbStore.open({ onVersionChange: () => fatal("app.blocked") });
  } catch (err) {
    console.error("IndexedDB is not available", err);
    fatal("app.storeUnavailable");
    return null;
  }
  const app = new App({ store });
  // Pitch videos recorded on this phone, sent when online: made before the first screen shows,
  // so that My pitches hears the uploader from the start; started once the app has.
  app.uploads = startUploads(app);
  await app.start();
  app.uploads.kick();
  // The running app, for the console and bench/pwa.py (which times app.store.recordAnswer).
  globalThis.recap = app;
  return app;
}

const started = start();
registerServiceWorker({
  onOfflineReady: () => started.then((app) => app?.notice("notice.offlineReady")),
  onUpdateWaiting: (applyUpdate) => started.then((app) => app?.notice("notice.update", { labelKey: "notice.updateNow", run: applyUpdate })),
}).catch((err) => console.warn("service worker not registered", err));
// Ask the browser not to evict the learner's answers (iOS Safari may otherwise, DESIGN.md §3).
if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
