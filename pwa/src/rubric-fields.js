// A rubric as form fields for the observation form (screens/observe.js): per behaviour a radio
// group named exactly by the behaviour's text, its options named "1" to "4" with each level's
// description as visible help (aria-describedby, so the description is not part of the name),
// a "Clear" button once rated, and an evidence box.
import { h, uid } from "./dom.js";
import { LEVELS, LIMITS, behaviourKey } from "./coaching.js";

/**
 * @param {object} rubric the library's rubric ({id, title, language, behaviours})
 * @param {{t: Function, values: object, onRate: (key: string, level: string|null) => void, onEvidence?: (key: string, text: string) => void, only?: string[]}} options
 *   `only`: the ids of the behaviours to show, in that order (a pitch prompt's); without
 *   `onEvidence` no evidence boxes
 * @returns {HTMLElement} a section with the rubric's title and its behaviours
 */
export function rubricFields(rubric, { t, values, onRate, onEvidence = null, only = null }) {
  const headingId = uid("rubric");
  const behaviours = only ? only.map((id) => (rubric.behaviours ?? []).find((b) => b.id === id) ?? { id, text: id, levels: {} }) : (rubric.behaviours ?? []);
  return h(
    "section",
    { class: "rubric", "aria-labelledby": headingId, lang: rubric.language ?? null, "data-rubric": rubric.id },
    h("h3", { id: headingId }, rubric.title ?? rubric.id),
    behaviours.map((behaviour) => behaviourFields(rubric, behaviour, { t, values, onRate, onEvidence })),
  );
}

function behaviourFields(rubric, behaviour, { t, values, onRate, onEvidence }) {
  const key = behaviourKey(rubric.id, behaviour.id);
  const legendId = uid("behaviour");
  const name = uid("rating");
  const inputs = [];
  const clear = h("button", { type: "button", class: "link clear-rating", hidden: !values.ratings[key] }, t("observe.clearRating"));
  const group = h(
    "fieldset",
    { class: "levels", role: "radiogroup", "aria-labelledby": legendId },
    h("legend", { id: legendId }, behaviour.text ?? behaviour.id),
    LEVELS.map((level) => {
      const descId = uid("level");
      const input = h("input", {
        type: "radio",
        name,
        value: level,
        checked: String(values.ratings[key] ?? "") === level,
        "aria-describedby": descId,
        "data-key": key,
        on: {
          change: () => {
            clear.hidden = false;
            onRate(key, level);
          },
        },
      });
      inputs.push(input);
      const description = behaviour.levels?.[level] ?? behaviour.levels?.[Number(level)] ?? "";
      return h(
        "div",
        { class: "level" },
        h("label", { class: "level-choice" }, input, h("span", { class: "level-number" }, level)),
        h("p", { class: "level-text", id: descId }, description),
      );
    }),
  );
  clear.addEventListener("click", () => {
    for (const input of inputs) input.checked = false;
    clear.hidden = true;
    onRate(key, null);
    inputs[0].focus();
  });
  if (!onEvidence) return h("div", { class: "behaviour" }, group, clear);
  const evidenceId = uid("evidence");
  const evidence = h("textarea", {
    id: evidenceId,
    rows: "2",
    maxlength: String(LIMITS.long),
    "data-key": key,
    on: { input: (e) => onEvidence(key, e.target.value) },
  });
  evidence.value = values.evidence[key] ?? "";
  return h(
    "div",
    { class: "behaviour" },
    group,
    clear,
    h("div", { class: "field" }, h("label", { for: evidenceId }, t("observe.evidence"), h("span", { class: "visually-hidden" }, `: ${behaviour.text ?? behaviour.id}`)), evidence),
  );
}
