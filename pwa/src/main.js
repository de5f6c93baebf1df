import { describeLibrary } from "./library.js";

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
