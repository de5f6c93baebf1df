// The study loop: today's questions one at a time. A scenario, its options as a labelled radio
// group (checkboxes when more than one is right), "Check answer", then the verdict, the
// explanation, the teaching point and when the question comes back, in a role="status"
// region; then "Next", which opens the next question at the top of the page with its heading
// focused. Above each question, how far through today's questions (a progressbar) and the
// week's goal. After the last one, the day's summary; when nothing is due, says so and when the
// next question comes (both drawn by study-day.js). Practice from coaching (practice.js) comes
// first, each with its reason ("From your coaching on 12 March").
//
// A question on screen is never redrawn by a background sync (DESIGN.md §3: sync runs on
// `online`, on visibility, on "Sync now"): what a pull changes applies after the current
// question, when "Next" loads the next one. Only its "Question i of n" line and the progress
// are updated in place. Today's queue is kept once shown (study-plan.js keptQueue), so the
// question on screen stays today's next one unless the day changes, the server's first plan
// arrives, or it is withdrawn or answered on another device: then, if no option is chosen yet,
// the screen moves on to the next one.
import { focus, h, replace, reveal } from "../dom.js";
import { StorageFullError } from "../store.js";
import { StudySession } from "../study-session.js";
import { questionCard, showFeedback } from "../cards.js";
import { relatedReading } from "../library.js";
import { dayProgress, daySummary, nothingDue } from "../study-day.js";
import { mountCommitments } from "../commitment-card.js";
import { formatObservedOn } from "../practice.js";

export const titleKey = "study.title";

export function mount(screen, ctx) {
  const { app, t, language } = ctx;
  // The study loop draws into `root`; an intervision commitment that is due shows below it, in
  // a container of its own, so it never moves or redraws the question (commitment-card.js).
  const root = h("div", { class: "study-loop" });
  const below = h("div", { class: "commitments" });
  screen.append(root, below);
  const commitments = mountCommitments(below, ctx);
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
  let current = null; // the question view on screen, and its progress line: {view, update}
  let again = false; // a refresh came while a load was running: load once more after it

  const keyOf = (view) =>
    JSON.stringify([view.kind, view.day, view.item?.questionId, view.position, view.total, view.nextDay, view.contentVersion, view.standing, app.contentLoading]);

  async function load({ focusHeading = false } = {}) {
    const mine = ++loads;
    phase = "loading";
    again = false;
    const view = await viewNow();
    if (gone || mine !== loads) return;
    show(view);
    if (focusHeading) {
      // The next question opens at the top of the page (the feedback had scrolled it down).
      window.scrollTo({ top: 0, behavior: "instant" });
      focus(root.querySelector("h2"));
    }
    if (again) refresh(); // a sync finished meanwhile: look again (a question on screen stays if still today's next)
  }

  /** What to show now; right after a sign-in, "getting your questions" until the first sync ends. */
  const viewNow = () => (app.planPending ? Promise.resolve({ kind: "waiting", day: session.today() }) : session.load());

  function show(view) {
    shown = keyOf(view);
    dirty = false;
    current = null;
    if (view.kind === "question") showQuestion(view);
    else showEmpty(view);
  }

  /** Data changed (a sync, the library, a new day): never redraw a question under the learner. */
  async function refresh() {
    if (phase === "loading") {
      again = true; // the running load may have read before the change
      return;
    }
    if (phase === "saving" || phase === "feedback") return; // "Next" loads afresh
    const mine = ++loads;
    const view = await viewNow();
    if (gone || mine !== loads || phase === "loading" || phase === "saving" || phase === "feedback") return;
    if (keyOf(view) === shown) return;
    if (phase === "question" && current) {
      if (view.kind === "question" && view.item.questionId === current.view.item.questionId && view.day === current.view.day) {
        current.update(view); // the same question: only "Question i of n" and the progress change
        return;
      }
      // Today's next question is another now (a new day, the server's first plan, this one
      // withdrawn or answered on another device): move on, unless an option is chosen.
      if (!dirty) moveOn(view);
      return;
    }
    moveOn(view);
  }

  /** Show `view` in place of what is on screen; focus stays on the screen's heading if it was in it. */
  function moveOn(view) {
    const hadFocus = root.contains(document.activeElement);
    show(view);
    if (hadFocus) focus(root.querySelector("h2"));
  }

  function showEmpty(view) {
    phase = "idle";
    if (view.kind === "waiting") {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("study.title")), h("p", {}, t("study.waiting"))));
      return;
    }
    if (view.kind === "no-library") {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("study.title")), h("p", {}, t(app.contentLoading ? "study.loading" : "study.noLibrary"))));
      return;
    }
    if (view.kind === "no-campaigns") {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("study.title")), h("p", {}, t("study.noCampaigns"))));
      return;
    }
    replace(root, view.answeredToday ? daySummary(view, { t, language }) : nothingDue(view, { t, language }));
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
      reason: view.item.reason
        ? t(view.item.reason.source === "pitch" ? "study.fromPitchReview" : "study.fromCoaching", { date: formatObservedOn(view.item.reason.observed_on, language) })
        : null,
      onSubmit: () => submit(),
      onChange: () => (dirty = true),
    });
    const { inputs, error, feedback, check } = parts;
    const progress = dayProgress(view, { t });
    replace(root, progress.element, parts.card);
    const heading = parts.card.querySelector("h2");
    current = {
      view,
      update: (newer) => {
        heading.textContent = t("study.progress", { i: newer.position, n: newer.total });
        progress.update(newer);
        shown = keyOf(newer);
      },
    };

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
      const studiedToday = view.standing.answered > 0; // else this answer makes today a day studied this week
      progress.update({ ...view, answeredToday: view.answeredToday + 1, standing: { ...view.standing, week: view.standing.week + (studiedToday ? 0 : 1) } });
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
    refresh: () => {
      commitments.refresh();
      refresh();
    },
    unmount: () => {
      gone = true;
      commitments.unmount();
    },
  };
}
