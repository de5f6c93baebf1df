// The editor's script (server/templates/editor/): rows that can be added, removed and moved, a
// pitch prompt's behaviours redrawn for the rubric chosen,
// autosave with a copy in this browser, and the live Markdown preview. Every page works
// without it; it only makes them quicker to use.
import { enhanceAutosave } from "./autosave.js";
import { enhanceBehaviours } from "./behaviours.js";
import { enhanceMarkdown } from "./markdown.js";
import { enhanceRows } from "./rows.js";

function start() {
  const form = document.getElementById("item-form");
  if (!form) return;
  const csrf = form.elements.namedItem("csrf_token")?.value ?? "";
  enhanceRows(form);
  enhanceBehaviours(form);
  enhanceMarkdown(form, csrf);
  enhanceAutosave(form, csrf);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
