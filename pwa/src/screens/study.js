// The study loop: today's questions one at a time. A scenario, its options as a labelled radio
// group (checkboxes when more than one is right), "Check answer", then the verdict, the
// explanation, the teaching point and when the question comes back, in a role="status"
// region; then "Next". When nothing is due, says so and when the next question comes.
import { focus, h, replace, reveal } from "../dom.js";
import { formatDay } from "../i18n.js";
import { StorageFullError } from "../store.js";
import { StudySession } from "../study-session.js";
import { questionCard, showFeedback } from "../cards.js";
import { relatedReading } from "../library.js";

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
    const shownAt = performance.now();
    const parts = questionCard(q, {
      t,
      heading: t("study.progress", { i: view.position, n: view.total }),
      repeat: view.item.repeat,
      campaignTitle: view.campaign?.title ?? null,
      onSubmit: () => submit(),
      onChange: () => (dirty = true),
    });
    const { inputs, error, feedback, check } = parts;
    replace(root, parts.card);

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
      // The lesson and refreshers to offer: from the library on the device, so also offline.
      const reading = relatedReading((await ctx.store.content().catch(() => null))?.snapshot, q, language);
      if (gone) return;
      phase = "feedback";
      dirty = false;
      const next = showFeedback(parts, q, result, choice, { t, onNext, reading });
      reveal(feedback);
      focus(next);
      app.syncSoon();
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
