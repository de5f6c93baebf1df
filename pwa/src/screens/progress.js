// Progress: answers given, questions answered and mastered, the streak of local days, and a
// bar per competency: the share of its questions answered right the last time they were
// answered. Every bar has its numbers in text; the bar itself is decoration.
import { h, replace } from "../dom.js";
import { campaignsFor, planQuestionIds } from "../study-plan.js";
import { competencyBars, summary } from "../stats.js";

export const titleKey = "progress.title";

export function mount(root, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;

  async function load() {
    const [content, answers, plan] = await Promise.all([store.content(), store.answers(), store.plan()]);
    const snapshot = content?.snapshot;
    const ids = snapshot ? planQuestionIds(snapshot, campaignsFor(snapshot, language, plan)) : [];
    const states = await store.states(ids);
    if (gone) return;
    const numbers = summary(answers, states, app.today());
    const bars = snapshot ? competencyBars(snapshot, ids, answers, language) : [];
    const stat = (value, label) => h("li", { class: "stat" }, h("span", { class: "stat-value" }, String(value)), h("span", { class: "stat-label" }, label));
    const percent = (bar) => (bar.total ? Math.round((100 * bar.right) / bar.total) : 0);
    replace(
      root,
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("progress.title")),
        h(
          "ul",
          { class: "stats" },
          stat(numbers.questions, t("progress.questions", { n: numbers.questions })),
          stat(numbers.answers, t("progress.answers", { n: numbers.answers })),
          stat(numbers.retired, t("progress.retired", { n: numbers.retired })),
          stat(numbers.streak, t("progress.streak", { n: numbers.streak })),
        ),
        h("p", { class: "hint" }, t("progress.streakHint")),
        h("h3", {}, t("progress.byCompetency")),
        h("p", { class: "hint" }, t("progress.barsExplained")),
        bars.length
          ? h(
              "ul",
              { class: "bars" },
              bars.map((bar) =>
                h(
                  "li",
                  { class: "bar-row" },
                  h("span", { class: "bar-name" }, bar.name),
                  h("span", { class: "bar-text" }, t("progress.barText", { right: bar.right, n: bar.total, percent: percent(bar) })),
                  h("span", { class: "bar", "aria-hidden": "true" }, fill(percent(bar))),
                ),
              ),
            )
          : h("p", {}, t(snapshot ? "progress.noQuestions" : "study.noLibrary")),
      ),
    );
  }

  // Through the CSSOM: the app's Content-Security-Policy refuses inline style attributes.
  function fill(percent) {
    const el = h("span", { class: "bar-fill" });
    el.style.width = `${percent}%`;
    return el;
  }

  load();
  return {
    refresh: () => load(),
    unmount: () => {
      gone = true;
    },
  };
}
