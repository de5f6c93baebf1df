// A pitch prompt's behaviours (server/templates/editor/_fields.html, widget `behaviours`): the
// checkboxes are those of the rubric chosen in the `rubric` select. Choosing another rubric
// redraws them from the map the page carries (data-behaviours: rubric id -> [[id, text], …]),
// keeping ticked the ones the new rubric has too. Without this script the form still works:
// saving shows the new rubric's behaviours.

function draw(fieldset, rubricId, ticked) {
  let map = {};
  try {
    map = JSON.parse(fieldset.dataset.behaviours || "{}");
  } catch {
    return;
  }
  const list = fieldset.querySelector(".picks-list");
  const none = fieldset.querySelector(".picks-none");
  const name = fieldset.id.replace(/^f-/, "");
  const offered = Array.isArray(map[rubricId]) ? map[rubricId] : [];
  list.replaceChildren(
    ...offered.map(([id, text]) => {
      const item = document.createElement("li");
      const box = document.createElement("input");
      Object.assign(box, { type: "checkbox", id: `${fieldset.id}-${id}`, name, value: id, checked: ticked.has(id) });
      box.setAttribute("aria-describedby", `p-${name}`);
      const label = document.createElement("label");
      label.htmlFor = box.id;
      const code = document.createElement("code");
      code.textContent = id;
      label.append(`${text} `, code);
      item.append(box, label);
      return item;
    }),
  );
  if (none) none.hidden = offered.length > 0;
}

export function enhanceBehaviours(form) {
  for (const fieldset of form.querySelectorAll("fieldset[data-picks-of]")) {
    const select = form.querySelector(`#${fieldset.dataset.picksOf}`);
    if (!select) continue;
    select.addEventListener("change", () => {
      const ticked = new Set([...fieldset.querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value));
      draw(fieldset, select.value, ticked);
    });
  }
}
