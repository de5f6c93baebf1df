// A pitch prompt as a rep reads it before recording (docs/content.md "Pitch prompt"): its title,
// the client situation (the snapshot's sanitised situation_html), the time limit, and the rubric
// behaviours the coach will look at. Pure DOM building: the editor's phone preview draws it, and
// a recording screen can put it above its controls.
import { h } from "./dom.js";
import { behaviourOf } from "./coaching.js";

/** Seconds as a clock: 90 → "1:30", 60 → "1:00", 45 → "0:45". */
export function clockTime(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * The behaviours a prompt is judged on, in its order, each with its text in `language` (the
 * rubric's translation into it when the library has one): [{id, text}]. An id the library does
 * not know shows as itself.
 */
export function judgedBehaviours(snapshot, prompt, language) {
  const ids = Array.isArray(prompt?.behaviours) ? prompt.behaviours : [];
  return ids.map((id) => ({ id, text: behaviourOf(snapshot, prompt.rubric, id, language)?.text ?? id }));
}

/** The prompt's card: an <article> with a heading, the situation, the time limit and what is judged. */
export function promptCard(prompt, behaviours, { t, headingLevel = 2 } = {}) {
  return h(
    "article", { class: "card reader prompt", lang: prompt.language ?? null },
    h(`h${headingLevel}`, {}, prompt.title ?? prompt.id),
    prompt.audience ? h("p", { class: "muted" }, t("prompt.audience", { audience: prompt.audience })) : null,
    h("div", { class: "body", html: prompt.situation_html ?? "" }),
    h("p", { class: "prompt-limit" }, h("strong", {}, t("prompt.timeLimit", { time: clockTime(prompt.time_limit_s) }))),
    behaviours.length ? [h("p", {}, t("prompt.judgedOn")), h("ul", {}, behaviours.map((b) => h("li", {}, b.text)))] : null,
  );
}
