// How an item looks on screen: the question card and its feedback, a refresher, a lesson.
// Pure DOM drawing from a snapshot entry, with no store, session or sync: the screens
// (screens/study.js, refreshers.js, nuggets.js) draw with these, and so does the editor's phone
// preview (preview.js), so that what an editor previews is exactly what a rep sees.
import { h, replace, uid } from "./dom.js";
import { answerKey } from "./answer-key.js";
import { competencyName } from "./library.js";

/** The label of option `n` (1 = first) on screen: A, B, C, … */
export function optionLetter(n) {
  return String.fromCharCode(64 + n);
}

/**
 * A question, ready to answer: the card (heading, new/repeat tag, campaign line), the stem, the
 * options as a labelled radio group (checkboxes when more than one is right), "Check answer".
 * @param {object} q the question's snapshot entry
 * @param {object} options
 * @param {Function} options.t the translator
 * @param {string} options.heading e.g. "Question 1 of 5"
 * @param {boolean} [options.repeat]
 * @param {string|null} [options.campaignTitle]
 * @param {string|null} [options.reason] why it is asked today, e.g. "From your coaching on 12 March"
 * @param {() => void} options.onSubmit "Check answer"
 * @param {() => void} [options.onChange] an option was (un)ticked
 * @returns {{card: HTMLElement, inputs: HTMLInputElement[], labels: HTMLElement[], error: HTMLElement, feedback: HTMLElement, actions: HTMLElement, check: HTMLButtonElement}}
 */
export function questionCard(q, { t, heading, repeat = false, campaignTitle = null, reason = null, onSubmit, onChange = () => {} }) {
  const multiple = answerKey(q).multiple;
  const stemId = uid("stem");
  const hintId = uid("hint");
  const inputs = q.options.map((text, i) =>
    h("input", { type: multiple ? "checkbox" : "radio", name: "choice", value: String(i + 1), on: { change: onChange } }),
  );
  const lang = q.language ?? null; // the content's language, which may differ from the app's
  // Options are labelled A, B, C, … and explanations name them so (docs/content.md).
  const labels = q.options.map((text, i) =>
    h("label", { class: "option" }, inputs[i], h("span", { class: "option-letter" }, optionLetter(i + 1)), h("span", { class: "option-text", lang }, text)),
  );
  const error = h("p", { class: "error", role: "alert" });
  const feedback = h("div", { id: "feedback", class: "feedback", role: "status" });
  const check = h("button", { type: "submit", class: "primary" }, t("study.check"));
  const actions = h("div", { class: "actions" }, check);
  const form = h(
    "form",
    { class: "question", novalidate: true, on: { submit: (event) => (event.preventDefault(), onSubmit()) } },
    h("div", { class: "stem", id: stemId, lang, html: q.stem_html }),
    h(
      "fieldset",
      { class: "options", role: multiple ? null : "radiogroup", "aria-labelledby": `${stemId} ${hintId}` },
      h("p", { class: "hint", id: hintId }, t(multiple ? "study.chooseAll" : "study.chooseOne")),
      labels,
    ),
    error,
    feedback,
    actions,
  );
  const card = h(
    "section",
    { class: "card" },
    h(
      "div",
      { class: "card-head" },
      h("h2", {}, heading),
      h("span", { class: repeat ? "tag repeat" : "tag" }, t(repeat ? "study.repeat" : "study.new")),
    ),
    campaignTitle ? h("p", { class: "campaign" }, campaignTitle) : null,
    reason ? h("p", { class: "reason" }, reason) : null,
    form,
  );
  return { card, inputs, labels, error, feedback, actions, check };
}

/**
 * After "Check answer": the options marked right and wrong (and disabled), then the verdict, when
 * the question comes back, the explanation and the teaching point, and a "Next" button.
 * @param {ReturnType<typeof questionCard>} parts
 * @param {object} q the question's snapshot entry
 * @param {{correct: boolean, retired?: boolean, backInDays?: number|null}} result
 * @param {number[]} choice the chosen option numbers (1 = first)
 * @param {{t: Function, onNext: () => void, reading?: {nugget: object|null, refreshers: object[]}|null}} options
 *   `reading`: the lesson and refreshers to offer after the teaching point (library.js relatedReading)
 * @returns {HTMLButtonElement} the "Next" button
 */
export function showFeedback(parts, q, result, choice, { t, onNext, reading = null }) {
  const { inputs, labels, feedback, actions } = parts;
  const right = new Set(answerKey(q).options);
  const lang = q.language ?? null;
  inputs.forEach((input, i) => {
    input.disabled = true;
    const n = i + 1;
    const mark = right.has(n) ? ["right", "✓", t("study.rightAnswer")] : choice.includes(n) ? ["wrong", "✗", t("study.yourAnswer")] : null;
    if (mark) {
      labels[i].classList.add(mark[0]);
      labels[i].append(h("span", { class: "mark" }, h("span", { "aria-hidden": "true" }, `${mark[1]} `), mark[2]));
    }
  });
  const when = result.retired
    ? t("study.retired")
    : result.backInDays != null
      ? t("study.backIn", { n: Math.max(1, result.backInDays) })
      : "";
  replace(
    feedback,
    h("p", { class: result.correct ? "verdict ok" : "verdict bad" }, h("strong", {}, t(result.correct ? "study.correct" : "study.wrong"))),
    when ? h("p", { class: "when" }, when) : null,
    h("div", { class: "explanation", lang, html: q.explanation_html ?? "" }),
    q.teaching_point ? h("p", { class: "teaching" }, h("strong", {}, `${t("study.teachingPoint")}: `), h("span", { lang }, q.teaching_point)) : null,
    readingLinks(reading, t),
  );
  const next = h("button", { type: "button", class: "primary", on: { click: onNext } }, t("study.next"));
  replace(actions, next);
  return next;
}

/**
 * "Read the lesson" and "Related refreshers" after an answer: links into the library on the
 * device, so they work offline. Nothing when there is nothing to read.
 * @param {{nugget: object|null, refreshers: object[]}|null} reading
 * @param {Function} t
 */
function readingLinks(reading, t) {
  const nugget = reading?.nugget ?? null;
  const refreshers = reading?.refreshers ?? [];
  if (!nugget && !refreshers.length) return null;
  const link = (href, item) => h("a", { href }, h("span", { lang: item.language ?? null }, item.title));
  return h(
    "nav",
    { class: "reading", "aria-label": t("study.readMore") },
    nugget
      ? h("p", { class: "read-lesson" }, h("strong", {}, `${t("study.readLesson")}: `), link(`#/nuggets/${encodeURIComponent(nugget.id)}`, nugget))
      : null,
    refreshers.length
      ? [
          h("p", { class: "related-title" }, h("strong", {}, t("study.relatedRefreshers", { n: refreshers.length }))),
          h("ul", { class: "related" }, refreshers.map((r) => h("li", {}, link(`#/refreshers/${encodeURIComponent(r.id)}`, r)))),
        ]
      : null,
  );
}

/**
 * A refresher: its title, its competency, its steps as an ordered list, then the body.
 * @param {object} snapshot the library (for the competency's name)
 * @param {object} r the refresher's snapshot entry
 * @param {{t: Function, language: string, back: HTMLElement|null}} options `back`: the link above it
 */
export function refresherArticle(snapshot, r, { t, language, back = null }) {
  const lang = r.language ?? null;
  return h(
    "article",
    { class: "card reader" },
    back ? h("p", { class: "back" }, back) : null,
    h("h2", { lang }, r.title),
    h("p", { class: "item-meta" }, competencyName(snapshot, r.competency, language)),
    r.steps?.length ? [h("h3", {}, t("refreshers.steps")), h("ol", { class: "steps", lang }, r.steps.map((s) => h("li", {}, s)))] : null,
    r.body_html ? [h("h3", {}, t("refreshers.more")), h("div", { class: "body", lang, html: r.body_html })] : null,
  );
}

/**
 * A lesson in the reader: its title, competency and reading time, the text, then whatever the
 * screen puts after it (`after`: the "Mark as done" status and button).
 * @param {object} snapshot the library (for the competency's name)
 * @param {object} nugget the nugget's snapshot entry
 * @param {{t: Function, language: string, back: HTMLElement|null, after?: HTMLElement[]}} options
 */
export function nuggetArticle(snapshot, nugget, { t, language, back = null, after = [] }) {
  return h(
    "article",
    { class: "card reader" },
    back ? h("p", { class: "back" }, back) : null,
    h("h2", { lang: nugget.language ?? null }, nugget.title),
    h("p", { class: "item-meta" }, `${competencyName(snapshot, nugget.competency, language)} · ${t("nuggets.minutes", { n: nugget.minutes ?? 2 })}`),
    h("div", { class: "body", lang: nugget.language ?? null, html: nugget.body_html ?? "" }),
    after,
  );
}
