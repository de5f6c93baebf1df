// The editor's phone preview (server/editor/preview.py): one item drawn by the app's own cards
// (cards.js) and styles, from the snapshot entry the server built for the draft. The page
// carries it as JSON in #preview-data; `data-screen` on #app says what to show:
//   question  the question, ready to answer (answering it shows the feedback, as in the app)
//   right     the feedback after choosing the right option(s), with the reading it offers
//   wrong     the feedback after choosing a wrong option
//   item      a refresher or a lesson in the reader; a rubric as its behaviours and their four
//             levels; a pitch prompt as a rep reads it before recording; a competency or a
//             campaign as a card
// Nothing is recorded: no store, no outbox, no sync.
import "./styles/base.css";
import "./styles/study.css";
import "./styles/controls.css";
import "./styles/reading.css";
import { h, replace, reveal } from "./dom.js";
import { nuggetArticle, questionCard, refresherArticle, showFeedback } from "./cards.js";
import { answerKey } from "./answer-key.js";
import { isCorrect } from "./study-plan.js";
import { LANGUAGES, translator } from "./i18n.js";
import { relatedReading } from "./library.js";
import { judgedBehaviours, promptCard } from "./prompt-card.js";

function read() {
  const node = document.getElementById("preview-data");
  return node ? JSON.parse(node.textContent) : null;
}

function question(root, q, t, screen, campaign, reading) {
  const draw = (mode) => {
    const parts = questionCard(q, {
      t,
      heading: t("study.progress", { i: 1, n: 3 }),
      campaignTitle: campaign?.title ?? null,
      onSubmit: () => answer(parts),
    });
    replace(root, parts.card);
    if (mode === "right" || mode === "wrong") {
      const right = answerKey(q).options;
      const wrong = q.options.map((_, i) => i + 1).find((n) => !right.includes(n)) ?? 1;
      const choice = mode === "right" ? right : [wrong];
      parts.inputs.forEach((input, i) => (input.checked = choice.includes(i + 1)));
      answer(parts);
    }
  };
  const answer = (parts) => {
    const choice = parts.inputs.filter((i) => i.checked).map((i) => Number(i.value));
    if (!choice.length) {
      parts.error.textContent = t("study.pickFirst");
      return;
    }
    parts.error.textContent = "";
    parts.check.disabled = true;
    // A new question's first right answer brings it back in a few days; the preview says so
    // without a scheduler: the wording, not the number, is what is previewed.
    const correct = isCorrect(q, choice);
    showFeedback(parts, q, { correct, backInDays: correct ? 3 : 1 }, choice, { t, onNext: () => draw("question"), reading });
    reveal(parts.feedback); // as the app does after "Check answer"
  };
  draw(screen);
}

/** A rubric as a coach reads it: each behaviour, then what levels 1 to 4 look like. */
function rubricCard(entry) {
  const behaviours = Array.isArray(entry.behaviours) ? entry.behaviours : [];
  return h(
    "article", { class: "card reader", lang: entry.language ?? null },
    h("h2", {}, entry.title ?? entry.id),
    behaviours.map((b) =>
      h("section", {},
        h("h3", {}, b.text ?? b.id),
        h("ol", {}, [1, 2, 3, 4].map((n) => h("li", { value: n }, b.levels?.[n] ?? b.levels?.[String(n)] ?? ""))),
      ),
    ),
  );
}

function start() {
  const root = document.getElementById("app");
  const data = read();
  if (!root || !data) return;
  const entry = data.entry;
  const language = LANGUAGES.includes(entry.language) ? entry.language : "en";
  const t = translator(language);
  document.documentElement.lang = language; // the app's words; the item's own text carries its lang
  const snapshot = { competencies: data.competencies ?? [] };
  const screen = root.dataset.screen || "question";
  const library = { nuggets: data.nuggets ?? [], refreshers: data.refreshers ?? [] };
  if (data.kind === "question") question(root, entry, t, screen, data.campaign, relatedReading(library, entry, language));
  else if (data.kind === "refresher") replace(root, refresherArticle(snapshot, entry, { t, language }));
  else if (data.kind === "nugget") {
    const done = h("button", { type: "button", class: "primary" }, t("nuggets.markDone"));
    replace(root, nuggetArticle(snapshot, entry, { t, language, after: [h("div", { class: "actions" }, done)] }));
  } else if (data.kind === "rubric") replace(root, rubricCard(entry));
  else if (data.kind === "pitch_prompt") {
    const library = { rubrics: data.rubrics ?? [] };
    replace(root, promptCard(entry, judgedBehaviours(library, entry, language), { t }));
  }
  else {
    const title = entry.title ?? entry.name ?? entry.id;
    replace(root, h("article", { class: "card reader" }, h("h2", { lang: entry.language ?? null }, title), h("div", { class: "body", html: entry.description_html ?? "" })));
  }
}

start();
