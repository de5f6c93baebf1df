// Progress: answers given, questions seen, mastered, the streak of local days; then per
// competency what the learner knows now (predicted recall today, the scheduler's model estimate)
// and what will fade in the next 30 days, always with the counts behind each figure and a
// warning when there are few answers (forecast.js). A competency never answered says "not
// started", not 0 %. Every bar has its numbers in text; the bar itself is decoration.
import { h, replace } from "../dom.js";
import { campaignsFor, planQuestionIds } from "../study-plan.js";
import { summary } from "../stats.js";
import { HORIZON_DAYS, competencyForecast } from "../forecast.js";

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
    const today = app.today();
    const numbers = summary(answers, states, today);
    const rows = snapshot ? competencyForecast(snapshot, ids, answers, states, today, language) : [];
    const stat = (value, label) => h("li", { class: "stat" }, h("span", { class: "stat-value" }, String(value)), h("span", { class: "stat-label" }, label));
    replace(
      root,
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("progress.title")),
        h(
          "ul",
          { class: "stats" },
          stat(numbers.answers, t("progress.answers", { n: numbers.answers })),
          stat(numbers.seen, t("progress.seen", { n: numbers.total })),
          stat(numbers.retired, t("progress.retired", { n: numbers.retired })),
          stat(numbers.streak, t("progress.streak", { n: numbers.streak })),
        ),
        h("p", { class: "hint" }, t("progress.numbersExplained")),
        h("h3", {}, t("progress.byCompetency")),
        h("p", { class: "hint" }, t("progress.forecastExplained", { days: HORIZON_DAYS })),
        rows.length ? h("ul", { class: "bars" }, rows.map(row)) : h("p", {}, t(snapshot ? "progress.noQuestions" : "study.noLibrary")),
      ),
    );
  }

  function row(r) {
    const name = h("span", { class: "bar-name" }, r.name);
    if (!r.seen) {
      return h("li", { class: "bar-row not-started" }, name, h("span", { class: "bar-text" }, t("progress.notStarted", { n: r.total })));
    }
    const percent = Math.round(100 * r.recall);
    const target = Math.round(100 * r.target);
    const fade = r.fading ? t("progress.fading", { n: r.fading, target, days: HORIZON_DAYS }) : t("progress.noneFading", { target, days: HORIZON_DAYS });
    return h(
      "li",
      { class: "bar-row" },
      name,
      h("span", { class: "bar-text recall" }, t("progress.recallNow", { percent })),
      h("span", { class: "bar", "aria-hidden": "true" }, fill(percent)),
      h(
        "span",
        { class: "bar-text basis" },
        `${t("progress.basisAnswers", { n: r.answers })}, ${t("progress.basisSeen", { seen: r.seen, n: r.total })}; ${t("progress.lastRight", { right: r.right, n: r.seen })}`,
      ),
      r.weak ? h("span", { class: "bar-text weak" }, t("progress.weak", { n: r.answers })) : null,
      r.below ? h("span", { class: "bar-text below" }, t("progress.belowNow", { n: r.below, target })) : null,
      h("span", { class: "bar-text fading" }, fade),
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
