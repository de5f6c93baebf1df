// The rep's day on the study screen, drawn from a StudyView (study-session.js): how far through
// today's questions (a progressbar the screen reader reads as "1 of 3 answered today") with the
// week's goal, the summary after the day's last question, and "nothing to answer" otherwise.
// Pure DOM drawing: the numbers come from day-summary.js through the view.
import { h } from "./dom.js";
import { formatDay } from "./i18n.js";

/** "This week: 2 of 5 days", or that the goal is reached. */
function weekLine({ week, weekGoal }, t) {
  return t(week >= weekGoal ? "study.weekDone" : "study.week", { n: week, goal: weekGoal });
}

/** When the next question comes ("tomorrow", "on Monday 7 December"), or that none is planned. */
function nextLine(view, { t, language }) {
  if (view.nextDay == null) return t("study.noMore");
  if (view.nextDay === view.day + 1) return t("study.nextTomorrow");
  return t("study.nextOn", { date: formatDay(view.nextDay, language) });
}

/**
 * Above a question: today's progress and the week's goal. `update` redraws the numbers in place
 * (after an answer; when a sync changed the day's total).
 * @param {{answeredToday: number, total: number, standing: {answered: number, week: number, weekGoal: number}}} view
 * @returns {{element: HTMLElement, update: (numbers: {answeredToday: number, total: number, standing: object}) => void}}
 */
export function dayProgress(view, { t }) {
  const fill = h("span", { class: "bar-fill" });
  const meter = h("span", { class: "bar meter", role: "progressbar", "aria-valuemin": "0", "aria-label": t("study.todayLabel") }, fill);
  const count = h("span", { class: "day-count", "aria-hidden": "true" });
  const week = h("span", { class: "week" });
  const element = h("div", { class: "day-progress" }, h("div", { class: "day-row" }, meter, count), week);
  const update = ({ answeredToday, total, standing }) => {
    const text = t("study.todayProgress", { i: answeredToday, n: total });
    meter.setAttribute("aria-valuemax", String(total));
    meter.setAttribute("aria-valuenow", String(answeredToday));
    meter.setAttribute("aria-valuetext", text);
    // Through the CSSOM: the app's Content-Security-Policy refuses inline style attributes.
    fill.style.width = `${total ? Math.round((100 * answeredToday) / total) : 0}%`;
    count.textContent = text;
    week.textContent = weekLine(standing, t);
  };
  update(view);
  return { element, update };
}

/** The summary after the day's last question: right answers, the streak, the week, what comes back when. */
export function daySummary(view, { t, language }) {
  const { standing } = view;
  const stat = (value, label) => h("li", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-label" }, label));
  const back = (view.comingBack ?? []).map(({ day, n }) =>
    h("li", {}, t(day === view.day + 1 ? "study.backTomorrow" : "study.backOn", { n, date: formatDay(day, language) })),
  );
  return h(
    "section",
    { class: "card done summary" },
    h("h2", {}, t("study.doneTitle")),
    h(
      "ul",
      { class: "stats" },
      stat(t("study.rightOf", { right: standing.right, n: standing.answered }), t("study.rightToday", { n: standing.answered })),
      stat(String(standing.streak), t("study.streak", { n: standing.streak })),
      stat(t("study.weekOf", { n: standing.week, goal: standing.weekGoal }), t("study.weekLabel")),
    ),
    standing.week >= standing.weekGoal ? h("p", { class: "week-goal" }, weekLine(standing, t)) : null,
    back.length ? [h("h3", {}, t("study.comingBack")), h("ul", { class: "coming-back" }, back)] : null,
    h("p", { class: "next-day" }, nextLine(view, { t, language })),
  );
}

/** Nothing to answer (yet) today: when the next question comes, and the week's goal. */
export function nothingDue(view, { t, language }) {
  return h(
    "section",
    { class: "card done" },
    h("h2", {}, t("study.nothingTitle")),
    h("p", { class: "next-day" }, nextLine(view, { t, language })),
    view.standing ? h("p", { class: "week-goal" }, weekLine(view.standing, t)) : null,
  );
}
