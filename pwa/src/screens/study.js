// The study loop: today's questions one at a time. A scenario, its options as a labelled radio
// group (checkboxes when more than one is right), "Check answer", then the verdict, the
// explanation, the teaching point and when the question comes back, in a role="status"
// region; then "Next". When nothing is due, says so and when the next question comes.
import { focus, h, replace, reveal, uid } from "../dom.js";
import { formatDay } from "../i18n.js";
import { StorageFullError } from "../store.js";
import { StudySession } from "../study-session.js";
import { answerKey } from "../answer-key.js";

export const titleKey = "study.title";

export function mount(root, ctx) {
  const { app, t, language } = ctx;
  const session = new StudySession({
    store: ctx.store,
    client: { recordAnswer: (fields) => app.client.recordAnswer(fields) },
    language,
    rolloverHour: ctx.settings.rollover_hour,
  });
  let phase = "loading"; // loading | question | saving | feedback | idle
  let dirty = false; // an option is chosen but not checked yet
  let gone = false;
  let loads = 0;
  let shown = null; // what is on screen, to skip redrawing the same thing

  const keyOf = (view) => JSON.stringify([view.kind, view.day, view.item?.questionId, view.position, view.total, view.nextDay, view.contentVersion, app.contentLoading]);

  async function load({ focusHeading = false, onlyIfChanged = false } = {}) {
    const mine = ++loads;
    if (!onlyIfChanged) phase = "loading";
    const view = await session.load();
    if (gone || mine !== loads) return;
    // A refresh leaves the screen alone if it is unchanged, or if the learner started meanwhile.
    if (onlyIfChanged && (keyOf(view) === shown || dirty || phase === "saving" || phase === "feedback")) return;
    shown = keyOf(view);
    dirty = false;
    if (view.kind === "question") showQuestion(view);
    else showEmpty(view);
    if (focusHeading) focus(root.querySelector("h2"));
  }

  function showEmpty(view) {
    phase = "idle";
    if (view.kind === "no-library") {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("study.title")), h("p", {}, t(app.contentLoading ? "study.loading" : "study.noLibrary"))));
      return;
    }
    if (view.kind === "no-campaigns") {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("study.title")), h("p", {}, t("study.noCampaigns"))));
      return;
    }
    const next =
      view.nextDay == null
        ? t("study.noMore")
        : view.nextDay === view.day + 1
          ? t("study.nextTomorrow")
          : t("study.nextOn", { date: formatDay(view.nextDay, language) });
    replace(
      root,
      h(
        "section",
        { class: "card done" },
        h("h2", {}, t(view.answeredToday ? "study.doneTitle" : "study.nothingTitle")),
        view.answeredToday ? h("p", {}, t("study.answeredToday", { n: view.answeredToday })) : null,
        h("p", { class: "next-day" }, next),
      ),
    );
  }

  function showQuestion(view) {
    phase = "question";
    const q = view.question;
    const multiple = answerKey(q).multiple;
    const stemId = uid("stem");
    const hintId = uid("hint");
    const shownAt = performance.now();
    const inputs = q.options.map((text, i) =>
      h("input", { type: multiple ? "checkbox" : "radio", name: "choice", value: String(i + 1), on: { change: () => (dirty = true) } }),
    );
    const lang = q.language ?? null; // the content's language, which may differ from the app's
    const labels = q.options.map((text, i) => h("label", { class: "option" }, inputs[i], h("span", { class: "option-text", lang }, text)));
    const error = h("p", { class: "error", role: "alert" });
    const feedback = h("div", { id: "feedback", class: "feedback", role: "status" });
    const check = h("button", { type: "submit", class: "primary" }, t("study.check"));
    const actions = h("div", { class: "actions" }, check);
    const form = h(
      "form",
      { class: "question", novalidate: true, on: { submit: (event) => (event.preventDefault(), submit()) } },
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
    replace(
      root,
      h(
        "section",
        { class: "card" },
        h(
          "div",
          { class: "card-head" },
          h("h2", {}, t("study.progress", { i: view.position, n: view.total })),
          h("span", { class: view.item.repeat ? "tag repeat" : "tag" }, t(view.item.repeat ? "study.repeat" : "study.new")),
        ),
        view.campaign?.title ? h("p", { class: "campaign" }, view.campaign.title) : null,
        form,
      ),
    );

    async function submit() {
      if (phase !== "question") return;
      const choice = inputs.filter((i) => i.checked).map((i) => Number(i.value));
      if (!choice.length) {
        error.textContent = t("study.pickFirst");
        focus(inputs[0]);
        return;
      }
      error.textContent = "";
      phase = "saving";
      check.disabled = true;
      let result;
      try {
        result = await session.answer(view, choice, performance.now() - shownAt);
      } catch (err) {
        phase = "question";
        check.disabled = false;
        error.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("study.saveFailed", { detail: err?.message ?? String(err) });
        return;
      }
      if (gone) return;
      phase = "feedback";
      dirty = false;
      showFeedback(result, choice);
      app.syncSoon();
    }

    function showFeedback(result, choice) {
      const right = new Set(answerKey(q).options);
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
      );
      const next = h("button", { type: "button", class: "primary", on: { click: onNext } }, t("study.next"));
      replace(actions, next);
      reveal(feedback);
      focus(next);
    }
  }

  function onNext() {
    phase = "loading";
    if (app.idle()) return; // the app had something to show first (sign-in)
    load({ focusHeading: true });
  }

  load();
  return {
    busy: () => phase === "saving" || phase === "feedback" || (phase === "question" && dirty),
    refresh: () => load({ onlyIfChanged: true }),
    unmount: () => {
      gone = true;
    },
  };
}
