// Autosave for the editor's item form, and a copy of unsaved edits in this browser.
//
// Every edit is kept in localStorage at once (a closed tab, a crash or a lost connection loses
// nothing), then saved as the draft's next revision shortly after typing stops: the form, sent
// as a form would be, with the CSRF token in X-CSRF-Token, asking for JSON. The answer carries
// the draft's new revision (sent with the next save, so the server can tell a stale one) and
// the problems the checks found, shown beside their fields. A 409 means someone else saved or
// published meanwhile: autosave stops, and "Compare and merge" sends the form the ordinary way,
// which answers with the merge page. Reopening the page restores a copy that was not saved.
//
// A new item is only kept locally until "Create the draft" gives it its id for good.
import { addRow } from "./rows.js";

const WAIT_MS = 1200;
const RETRY_MS = 5000;

const keyOf = (form) => `recap-editor:${form.dataset.folder}/${form.dataset.item || "new"}`;
const fieldsOf = (form) => [...new FormData(form).entries()].filter(([k, v]) => typeof v === "string" && k !== "csrf_token");
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const clock = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** Put saved fields back into the form, adding rows where the copy had more. */
function restore(form, fields) {
  for (const el of form.elements) {
    if (!el.name || el.readOnly) continue;
    if (el.type === "checkbox" || el.type === "radio") el.checked = false;
  }
  for (const [name, value] of fields) {
    if (name === "id" && form.dataset.new !== "yes") continue;
    let matches = [...form.elements].filter((el) => el.name === name);
    if (!matches.length) {
      const row = /^([a-z_]+)\.(\d+)/.exec(name);
      const list = row && form.querySelector(`ol.rows[data-rows="${row[1]}"]`);
      while (list && list.children.length <= Number(row[2]) && addRow(list));
      matches = [...form.elements].filter((el) => el.name === name);
    }
    for (const el of matches) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.value === value) el.checked = true;
      } else if (!el.readOnly) el.value = value;
    }
  }
}

function showProblems(form, problems) {
  const byField = new Map();
  for (const p of problems) {
    const match = /^\$\.(\w+)(?:\[(\d+)\]|\.([\w-]+))?/.exec(p.where || "");
    const field = match ? match[1] : "";
    const inside = match?.[2] != null ? `row ${Number(match[2]) + 1}` : match?.[3] ?? "";
    if (!byField.has(field)) byField.set(field, []);
    byField.get(field).push(inside ? `${inside}: ${p.message}` : p.message);
  }
  for (const list of form.querySelectorAll("ul.problems[data-field]")) {
    const mine = byField.get(list.dataset.field) ?? [];
    list.replaceChildren(...mine.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    const wrapper = document.getElementById(`w-${list.dataset.field}`);
    for (const el of wrapper?.querySelectorAll("input:not([type=hidden]), textarea, select, fieldset") ?? []) {
      if (mine.length) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    }
  }
  const summary = document.getElementById("summary");
  if (!summary) return;
  const list = summary.querySelector("#summary-list");
  const items = problems.map((p) => {
    const li = document.createElement("li");
    const field = (/^\$\.(\w+)/.exec(p.where || "") ?? [])[1];
    if (field && document.getElementById(`w-${field}`)) {
      const a = Object.assign(document.createElement("a"), { href: `#w-${field}`, textContent: field.replace(/_/g, " ") });
      li.append(a, `: ${p.message}`);
    } else li.textContent = p.message;
    return li;
  });
  list?.replaceChildren(...items);
  summary.querySelector("h2").textContent = `${problems.length} problem${problems.length === 1 ? "" : "s"} to fix before publishing`;
  summary.hidden = problems.length === 0 && !summary.querySelector("p");
}

export function enhanceAutosave(form, csrf) {
  const status = document.getElementById("autosave");
  const conflict = document.getElementById("conflict");
  const isNew = form.dataset.new === "yes";
  const key = keyOf(form);
  const revisionInput = form.elements.namedItem("_revision");
  const baseInput = form.elements.namedItem("_base");
  let timer = null;
  let saving = false;
  let again = false;
  let stopped = false;
  let lastSaved = fieldsOf(form);
  let restored = ""; // said with the next save's outcome, so it is not missed

  const say = (text) => status && (status.textContent = text);
  const keep = (submitted = false) => {
    try {
      localStorage.setItem(key, JSON.stringify({ fields: fieldsOf(form), at: Date.now(), submitted }));
    } catch {
      // Storage full or refused: the server copy is all there is.
    }
  };
  const forget = () => localStorage.removeItem(key);

  async function save() {
    if (stopped || isNew) return;
    if (saving) {
      again = true;
      return;
    }
    const fields = fieldsOf(form);
    if (same(fields, lastSaved)) return;
    saving = true;
    say("Saving…");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
      });
    } catch {
      saving = false;
      say("Not saved: no connection. Your edits are kept in this browser; trying again…");
      timer = setTimeout(save, RETRY_MS);
      return;
    }
    saving = false;
    const body = await response.json().catch(() => ({}));
    if (response.status === 409) {
      stopped = true;
      say("Not saved: someone else changed this item.");
      if (conflict) {
        const go = Object.assign(document.createElement("button"), { type: "button", textContent: "Compare and merge" });
        go.addEventListener("click", () => form.requestSubmit(form.querySelector("button.primary")));
        conflict.replaceChildren(`${body.detail ?? "Someone else saved this item meanwhile."} Your edits are kept. `, go);
        conflict.hidden = false;
      }
      return;
    }
    if (response.status === 401 || response.status === 403) {
      stopped = true;
      say("Not saved: your session has ended. Sign in again; your edits are kept in this browser.");
      return;
    }
    if (!response.ok) {
      say(`Not saved: ${body.detail ?? `the server answered ${response.status}`}. Your edits are kept in this browser.`);
      if (body.problems) showProblems(form, body.problems);
      return;
    }
    if (revisionInput && body.revision != null) revisionInput.value = String(body.revision);
    if (baseInput && body.base_rev != null) baseInput.value = String(body.base_rev);
    const tokens = { _revision: revisionInput?.value, _base: baseInput?.value };
    lastSaved = fields.map(([k, v]) => [k, tokens[k] ?? v]);
    if (same(fieldsOf(form), lastSaved)) forget();
    else keep(); // typed on while saving: that copy stays until it is saved too
    if (body.saved === false) say(`No changes from the published item (${clock()}).`);
    else say(`${restored}Saved at ${clock()}: draft revision ${body.revision}${body.problems?.length ? `, ${body.problems.length} problem${body.problems.length === 1 ? "" : "s"} to fix` : ""}.`);
    restored = "";
    showProblems(form, body.problems ?? []);
    const change = document.getElementById("w-change");
    if (change && body.changed != null) change.dataset.unchanged = body.changed ? "" : "yes";
    const phone = document.getElementById("phone");
    if (phone && body.saved !== false) phone.src = phone.src; // the preview follows the save
    if (again) {
      again = false;
      save();
    }
  }

  form.addEventListener("input", () => {
    keep();
    if (isNew) {
      say("Kept in this browser. Create the draft to save it.");
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(save, WAIT_MS);
  });
  form.addEventListener("change", () => form.dispatchEvent(new Event("input")));
  form.addEventListener("submit", (event) => {
    if (event.submitter?.formAction && !event.submitter.formAction.endsWith(form.getAttribute("action"))) return; // a preview tab
    clearTimeout(timer);
    stopped = true;
    // The ordinary save takes over. The copy stays, marked as sent, until the server's answer
    // comes back as this page with what was done (`?done=`); if it answers with the merge page
    // instead and that is left, the copy comes back the next time the item is opened.
    keep(true);
  });

  const done = new URLSearchParams(location.search).has("done");
  if (done) {
    // The server took the last ordinary save (or merge) of this item: its copy, and the copy of
    // the new item it was created from, are in the page now.
    for (const other of [key, `recap-editor:${form.dataset.folder}/new`]) {
      try {
        const stored = JSON.parse(localStorage.getItem(other) ?? "null");
        const id = stored?.fields?.find(([k]) => k === "id")?.[1];
        if (stored?.submitted && (other === key || id === form.dataset.item)) localStorage.removeItem(other);
      } catch {
        localStorage.removeItem(other);
      }
    }
  }
  // A copy of edits this browser had not saved: put it back, with the revision it was made
  // from, and save it. If someone saved or published since, that save asks for a merge, so the
  // copy never overwrites anyone.
  let copy = null;
  try {
    copy = JSON.parse(localStorage.getItem(key) ?? "null");
  } catch {
    copy = null;
  }
  if (copy && Array.isArray(copy.fields) && !same(copy.fields, fieldsOf(form))) {
    restore(form, copy.fields);
    restored = `Restored edits from ${new Date(copy.at).toLocaleString()} that were not saved. `;
    say(`${restored}${isNew ? "" : "Saving them now…"}`);
    if (!isNew) timer = setTimeout(save, 50);
  } else if (copy) {
    forget(); // the page already has it
  }
}
