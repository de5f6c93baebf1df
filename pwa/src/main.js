import { describeLibrary } from "./library.js";
import { registerServiceWorker } from "./sw-register.js";

function notice(text, action) {
  let bar = document.getElementById("notice");
  if (!bar) {
    bar = document.createElement("div");
    bar.id = "notice";
    bar.setAttribute("role", "status");
    document.body.append(bar);
  }
  bar.textContent = text;
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", action.run);
    bar.append(" ", button);
  }
}

async function showLibrary() {
  const el = document.getElementById("library");
  try {
    const latest = await (await fetch("/content/latest")).json();
    if (!latest.version) {
      el.textContent = describeLibrary(null);
      return;
    }
    const snapshot = await (await fetch(latest.snapshot)).json();
    el.textContent = describeLibrary(snapshot);
  } catch (err) {
    el.textContent = `Could not load the library (${err.message}).`;
  }
}

showLibrary();
registerServiceWorker({
  onOfflineReady: () => notice("Ready to work offline"),
  onUpdateWaiting: (applyUpdate) => notice("Update available", { label: "Update now", run: applyUpdate }),
}).catch((err) => console.warn("service worker not registered", err));
if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
