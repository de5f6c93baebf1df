// Repeatable rows of the editor's forms (options, steps, a campaign's questions, translations):
// add a row, remove one, move one up or down. Without this script the form still works: it
// shows one blank row more than there are values, and each save adds another.
//
// A row's inputs are named `field.N` (or `field.N.sub`) with ids `f-field-N…`, and N is the
// order the server reads them in; after any change the rows are numbered again in page order.
// An option's "right answer" tick (`correct`) carries its row number as its value.

const ROW_NAME = /^([a-z_]+)\.(\d+)(\..*)?$/;
const ROW_ID = /^(f-[a-z_]+-)(\d+)(.*)$/;

function renumber(list) {
  const field = list.dataset.rows;
  [...list.children].forEach((row, i) => {
    row.dataset.row = String(i);
    for (const el of row.querySelectorAll("[name], [id], label[for]")) {
      const name = el.getAttribute("name");
      const match = name && ROW_NAME.exec(name);
      if (match && match[1] === field) el.setAttribute("name", `${field}.${i}${match[3] ?? ""}`);
      for (const attr of ["id", "for"]) {
        const value = el.getAttribute(attr);
        const m = value && ROW_ID.exec(value);
        if (m && (m[1] === `f-${field}-` || m[1] === "f-correct-")) el.setAttribute(attr, `${m[1]}${i}${m[3]}`);
      }
      if (el.getAttribute("name") === "correct") el.value = String(i);
    }
    for (const label of row.querySelectorAll("label")) {
      // "Step 2", "Option C": the number (or an option's letter, as the app shows it) after the
      // field's word follows the row's place.
      if (field === "options") label.textContent = label.textContent.replace(/ [A-Z]$/, ` ${String.fromCharCode(65 + i)}`);
      else label.textContent = label.textContent.replace(/(\D)\d+(\)?)$/, `$1${i + 1}$2`);
    }
  });
  const add = list.parentElement.querySelector(`button[data-add="${field}"]`);
  const max = Number(list.dataset.max || 0);
  if (add) add.disabled = Boolean(max) && list.children.length >= max;
}

function changed(list) {
  renumber(list);
  list.closest("form")?.dispatchEvent(new Event("input", { bubbles: true }));
}

function tools(list, row) {
  const box = row.querySelector(".row-tools");
  if (!box) return;
  const label = () => row.querySelector("label")?.textContent.trim() ?? "row";
  const button = (text, describe, act) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", () => {
      act();
      changed(list);
      b.focus();
    });
    b.addEventListener("focus", () => b.setAttribute("aria-label", `${describe} ${label()}`));
    b.setAttribute("aria-label", `${describe} ${label()}`);
    return b;
  };
  box.replaceChildren(
    button("↑", "Move up:", () => row.previousElementSibling && list.insertBefore(row, row.previousElementSibling)),
    button("↓", "Move down:", () => row.nextElementSibling && list.insertBefore(row.nextElementSibling, row)),
    button("Remove", "Remove", () => {
      if (list.children.length > 1) row.remove();
      else for (const el of row.querySelectorAll("input, textarea")) (el.type === "checkbox" ? (el.checked = false) : (el.value = ""));
    }),
  );
  box.hidden = false;
}

/** Add an empty row at the end of a list (used by "Add a row" and when restoring a saved copy). */
export function addRow(list) {
  const last = list.lastElementChild;
  if (!last) return null;
  const row = last.cloneNode(true);
  for (const el of row.querySelectorAll("input, textarea, select")) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = false;
    else if (el.tagName === "SELECT") el.selectedIndex = 0;
    else el.value = "";
    el.removeAttribute("aria-invalid");
  }
  list.append(row);
  tools(list, row);
  renumber(list);
  return row;
}

export function enhanceRows(form) {
  for (const list of form.querySelectorAll("ol.rows[data-rows]")) {
    for (const row of list.children) tools(list, row);
    const add = form.querySelector(`button[data-add="${list.dataset.rows}"]`);
    if (add) {
      add.hidden = false;
      add.addEventListener("click", () => {
        const row = addRow(list);
        changed(list);
        row?.querySelector("input, textarea")?.focus();
      });
    }
    renumber(list);
  }
}
