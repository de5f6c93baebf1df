// A pitch as a coach reviews it (#/pitches/<id>, opened from Team; docs/coaching.md "Pitch
// reviews"): the video, the prompt's situation, a score per behaviour the prompt judges (radios
// "1"–"4" named by the behaviour, rubric-fields.js), comments pinned to moments of the video,
// overall feedback and "Propose as a good example". "Share review with rep" records ONE pitch
// patch (pitching.js reviewPatch) through the outbox, so it works offline and syncs later.
//
// The form is kept as a draft on every change (kind "pitch-review", one per pitch), so closing
// the app mid-review loses nothing; sharing records the patch and deletes the draft in one
// transaction (store.shareDraft). A manager reads the review and never writes one.
//
// A stale draft never undoes another reviewer's work: the draft keeps the review as the pitch
// held it when the form last drew from it (`base`), and each time the form is drawn the coach's
// own changes since then are applied to what the pitch now holds (pitching.js rebaseReview): a
// comment added meanwhile stays, a score changed meanwhile is taken unless this coach changed
// it too. Feedback both changed is shown ("Another reviewer changed…") until shared.
import { focus, h, replace, uid } from "../dom.js";
import { peopleById, teamReps } from "../coaching.js";
import { coachingThread } from "../coaching-thread.js";
import { StorageFullError } from "../store.js";
import { rubricFields } from "../rubric-fields.js";
import { formatTimestamp } from "../sync/rules.js";
import { PITCH_LIMITS, addComment, completeReview, formatClock, judgedBehaviours, promptOf, rebaseReview, reviewPatch, reviewProblems, reviewValues } from "../pitching.js";
import { commentList, credentialOf, pitchPlayer } from "../pitch-player.js";
import { pitchFacts, reviewDetails } from "./pitch-view.js";

export const titleKey = "pitchReview.title";

export const draftIdOf = (pitchId) => `pitch-review:${pitchId}`;

export function mount(root, ctx) {
  const { app, store, t, language, param, settings } = ctx;
  const draftId = draftIdOf(param);
  let gone = false;
  let values = null;
  let base = null; // the review as the pitch held it when the form last drew from it
  let otherFeedback = null; // feedback another reviewer wrote meanwhile that this coach's replaces
  let dirty = false; // a change not saved yet
  let saving = null; // the draft save being written
  let sharing = false;
  let typing = false; // a comment being written
  let player = null;
  let shown = null;
  const note = h("p", { class: "hint draft-note", role: "status" });

  async function save() {
    if (!dirty || !values) return saving;
    if (saving) return saving.then(save);
    dirty = false;
    saving = store
      .saveDraft({ id: draftId, kind: "pitch-review", values: structuredClone(values), base: structuredClone(base), other_feedback: otherFeedback, updated_at: formatTimestamp(Date.now()) })
      .then(() => {
        if (!dirty && !gone) note.textContent = t("pitchReview.draftSaved");
      })
      .catch((err) => {
        dirty = true;
        note.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("pitchReview.saveFailed", { detail: err?.message ?? String(err) });
      })
      .finally(() => {
        saving = null;
      });
    return saving;
  }

  function changed() {
    dirty = true;
    note.textContent = t("pitchReview.draftSaving");
    save();
  }

  const onHidden = () => document.visibilityState === "hidden" && save();
  document.addEventListener("visibilitychange", onHidden);

  async function load({ focusOn = null } = {}) {
    const [me, content, pitches, draft, thread] = await Promise.all([
      store.me(),
      store.content(),
      store.editedRecords("pitch"),
      store.draft(draftId),
      store.acknowledgementsOf("pitch", param),
    ]);
    if (gone) return;
    const pitch = pitches.find((p) => p.id === param) ?? null;
    // The draft is this screen's own writing: saving it never redraws the form.
    const key = JSON.stringify([me, content?.version, pitch, thread]);
    if (key === shown && !focusOn) return;
    shown = key;
    const snapshot = content?.snapshot ?? null;
    player?.release();
    player = null;
    if (!pitch) {
      replace(root, h("section", { class: "card" }, back(), h("h2", {}, t("pitchReview.title")), h("p", {}, t("pitchReview.missing"))));
      return;
    }
    const prompt = promptOf(snapshot, pitch.data?.fields?.prompt_id);
    const repName = peopleById(me).get(pitch.data?.rep_id) ?? pitch.data?.rep_id ?? "";
    const writer = teamReps(me, language).some((r) => r.user_id === pitch.data?.rep_id && r.canObserve);
    const held = reviewValues(pitch, prompt);
    if (draft) {
      const drafted = completeReview(draft.values);
      const rebased = rebaseReview(held, draft.base ? completeReview(draft.base) : null, drafted);
      values = rebased.values;
      // Said until shared: while the feedback held is still the other reviewer's and not this coach's.
      const kept = typeof draft.other_feedback === "string" && draft.other_feedback === held.feedback ? draft.other_feedback : null;
      otherFeedback = rebased.otherFeedback ?? (kept !== values.feedback ? kept : null);
      // Kept with the new base (below) when anything moved.
      if (JSON.stringify(draft.base ?? null) !== JSON.stringify(held) || JSON.stringify(values) !== JSON.stringify(drafted)) dirty = true;
    } else {
      values = completeReview(held);
      otherFeedback = null;
    }
    base = held;
    player = pitchPlayer(pitch, { t, label: t("pitchReview.videoOf", { name: repName }), headers: credentialOf(settings) });
    const heading = h("h2", {}, t("pitchReview.of", { name: repName }));
    replace(
      root,
      h(
        "article",
        { class: "card pitch-review" },
        back(),
        heading,
        pitchFacts(pitch, prompt, { t, language, pending: pitch.pending }),
        player.element,
        prompt?.situation_html ? [h("h3", {}, t("pitchReview.situation")), h("div", { class: "pitch-situation body", lang: prompt.language ?? null, html: prompt.situation_html })] : null,
        writer ? form(pitch, prompt, snapshot, repName, Boolean(draft)) : [h("p", { class: "hint" }, t("pitchReview.readOnly")), reviewDetails(pitch, prompt, snapshot, { t, language, seek: player.seek })],
        coachingThread(thread, { t, language, me, names: peopleById(me) }),
      ),
    );
    if (focusOn) focus(root.querySelector(focusOn));
    if (dirty) save(); // the draft, rebased on what the pitch now holds
  }

  const back = () => h("p", { class: "back" }, h("a", { href: "#/team" }, h("span", { "aria-hidden": "true" }, "← "), t("observe.backToTeam")));

  function form(pitch, prompt, snapshot, repName, hasDraft) {
    const judged = judgedBehaviours(prompt, snapshot, language);
    const errors = h("div", { class: "error", role: "alert", id: uid("errors") });
    // The prompt's rubric, its judged behaviours in the coach's language; keys stay the prompt's rubric id.
    const rubric = { id: prompt?.rubric ?? "", title: t("pitchReview.scores"), language: judged[0]?.language ?? null, behaviours: judged.map((b) => ({ id: b.behaviourId, text: b.text, levels: b.levels })) };
    const scores = judged.length
      ? rubricFields(rubric, {
          t,
          values: { ratings: values.scores, evidence: {} },
          onRate: (key, level) => {
            if (level) values.scores[key] = level;
            else delete values.scores[key];
            changed();
          },
        })
      : h("p", { class: "hint" }, t("pitchReview.noBehaviours"));

    const comments = h("div", { class: "comments-slot" });
    const drawComments = () =>
      replace(
        comments,
        commentList(values.comments, {
          t,
          seek: player.seek,
          onRemove: (i) => {
            values.comments = values.comments.filter((_, j) => j !== i);
            changed();
            drawComments();
            focus(commentBox);
          },
        }) ?? h("p", { class: "hint" }, t("pitchReview.noComments")),
      );
    const commentId = uid("comment");
    const commentBox = h("textarea", { id: commentId, rows: "2", maxlength: String(PITCH_LIMITS.comment), on: { input: () => (typing = commentBox.value.trim().length > 0) } });
    const addButton = h("button", { type: "button", class: "small" }, t("pitchReview.addAt", { time: formatClock(player.nowMs()) }));
    const relabel = () => (addButton.textContent = t("pitchReview.addAt", { time: formatClock(player.nowMs()) }));
    for (const type of ["timeupdate", "seeked", "pause"]) player.video?.addEventListener(type, relabel);
    addButton.addEventListener("click", () => {
      const text = commentBox.value.trim();
      if (!text) {
        errors.textContent = t("pitchReview.writeComment");
        focus(commentBox);
        return;
      }
      if (values.comments.length >= PITCH_LIMITS.comments) {
        errors.textContent = t("pitchReview.tooManyComments");
        return;
      }
      errors.textContent = "";
      values.comments = addComment(values.comments, player.nowMs(), text);
      commentBox.value = "";
      typing = false;
      changed();
      drawComments();
      focus(commentBox);
    });
    drawComments();

    const feedbackId = uid("feedback");
    const feedback = h("textarea", { id: feedbackId, rows: "5", maxlength: String(PITCH_LIMITS.feedback), on: { input: () => ((values.feedback = feedback.value), changed()) } });
    feedback.value = values.feedback;
    const propose = h("input", { type: "checkbox", id: uid("propose"), checked: values.exemplar_proposed, on: { change: () => ((values.exemplar_proposed = propose.checked), changed()) } });
    const share = h("button", { type: "submit", class: "primary" }, t("pitchReview.share"));
    const submit = async (event) => {
      event.preventDefault();
      if (sharing) return;
      const problems = reviewProblems(values, prompt);
      if (problems.length) {
        errors.textContent = problems.map((p) => t(p.key)).join(" ");
        focus(problems[0].field === "feedback" ? feedback : problems[0].field === "comments" ? commentBox : root.querySelector(".rubric input"));
        return;
      }
      sharing = true;
      share.disabled = true;
      try {
        await save();
        await store.shareDraft(draftId, "pitch", reviewPatch(values, prompt, pitch, { at: formatTimestamp(Date.now()), localDay: app.today() }));
      } catch (err) {
        errors.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("pitchReview.saveFailed", { detail: err?.message ?? String(err) });
        share.disabled = false;
        return;
      } finally {
        sharing = false;
      }
      dirty = false;
      app.syncSoon();
      await load({ focusOn: ".shared-note" });
    };
    const reviewed = pitch.data?.fields?.reviewed === true;
    return h(
      "form",
      { class: "pitch-review-form", novalidate: true, on: { submit } },
      reviewed && !hasDraft ? h("p", { class: "shared-note", tabindex: "-1" }, t(pitch.pending ? "pitchReview.sharedPending" : "pitchReview.shared", { name: repName })) : null,
      scores,
      h("h3", {}, t("pitchReview.comments")),
      comments,
      h("div", { class: "field" }, h("label", { for: commentId }, t("pitchReview.comment")), commentBox, h("p", {}, addButton)),
      h(
        "div",
        { class: "field" },
        h("label", { for: feedbackId }, t("pitchReview.feedback")),
        feedback,
        otherFeedback ? h("p", { class: "conflict" }, t("pitchReview.otherFeedback", { text: otherFeedback })) : null,
        (pitch.data?.conflicts?.feedback ?? []).map((c) => h("p", { class: "conflict" }, t("pitchReview.otherVersion", { text: String(c.value ?? "") }))),
      ),
      h("div", { class: "field check" }, propose, h("label", { for: propose.id }, t("pitchReview.propose"))),
      errors,
      note,
      h("div", { class: "form-actions" }, share),
    );
  }

  load();
  return {
    // Never redrawn under a coach who is writing or watching.
    busy: () => sharing || dirty || typing || Boolean(saving) || (player?.video ? !player.video.paused : false),
    refresh: () => load(),
    unmount: () => {
      gone = true;
      save();
      player?.release();
      document.removeEventListener("visibilitychange", onHidden);
    },
  };
}
