// A rep's own pitch (#/pitches/<id>, opened from Pitches; docs/coaching.md "Pitch reviews"): the
// video (from this phone while it has not uploaded, else from the server), where it stands, and
// once the coach shared the review: the scores in the rubric's words, the comments at their
// moments (each moves the video there), the feedback and "Acknowledge" with an optional comment
// (acknowledgement v4, like an observation's on Feedback). When the coach proposes it as a good
// example the rep says yes or no, and may stop sharing later (a patch of `exemplar_consent`).
// Everything is recorded through the outbox: it works offline and syncs later.
import { focus, h, replace, uid } from "../dom.js";
import { formatDate, peopleById } from "../coaching.js";
import { coachingThread } from "../coaching-thread.js";
import { MAX_COMMENT, isAcknowledged } from "../feedback.js";
import { practiceRefreshers } from "../practice.js";
import { formatTimestamp } from "../sync/rules.js";
import { PITCH_PAYLOAD_VERSION, consentPatch, exemplarState, formatClock, pitchStatus, promptOf, scoresOf } from "../pitching.js";
import { commentList, credentialOf, pitchPlayer } from "../pitch-player.js";

export const titleKey = "pitchView.title";

/** The prompt, the day, the length and where the pitch stands, as a short list. */
export function pitchFacts(pitch, prompt, { t, language, pending = false }) {
  const f = pitch.data?.fields ?? {};
  const status = pitchStatus(pitch);
  return [
    h("p", { class: "pitch-prompt" }, h("strong", {}, prompt?.title ?? f.prompt_id ?? "")),
    h(
      "p",
      { class: "item-meta" },
      f.recorded_on ? t("pitchView.recordedOn", { date: formatDate(f.recorded_on, language) }) : null,
      Number.isInteger(f.duration_ms) ? h("span", {}, ` · ${formatClock(f.duration_ms)}`) : null,
      " ",
      h("span", { class: status === "reviewed" ? "badge" : "badge pending", "data-status": status }, t(`pitchView.status.${status}`)),
      pending ? h("span", { class: "badge pending" }, t("team.statusUnsynced")) : null,
    ),
  ];
}

/** A shared review as the rep (or a manager) reads it: scores, comments at their moments, feedback. */
export function reviewDetails(pitch, prompt, snapshot, { t, language, seek }) {
  const f = pitch.data?.fields ?? {};
  const scores = scoresOf(pitch, prompt, snapshot, language);
  const comments = commentList(f.comments, { t, seek });
  return h(
    "section",
    { class: "pitch-review-details" },
    h("h3", {}, t("pitchView.review")),
    scores.length
      ? h(
          "ul",
          { class: "ratings" },
          scores.map((s) =>
            h(
              "li",
              { class: "rating" },
              h("p", { class: "behaviour", lang: s.language }, s.text),
              h("p", {}, h("strong", { class: `level level-${s.score}` }, t("feedback.ratingOf", { rating: s.score, n: 4 })), s.level ? [" — ", h("span", { lang: s.language }, s.level)] : null),
            ),
          ),
        )
      : null,
    comments ? [h("h4", {}, t("pitchReview.comments")), comments] : null,
    typeof f.feedback === "string" && f.feedback.trim() ? [h("h4", {}, t("pitchReview.feedback")), h("p", { class: "long-text" }, f.feedback)] : null,
  );
}

export function mount(root, ctx) {
  const { app, store, t, language, param, settings } = ctx;
  let gone = false;
  let saving = false;
  let comment = ""; // an acknowledgement comment being written, kept across redraws
  let player = null;
  let shown = null;

  async function load({ focusOn = null } = {}) {
    const [me, content, pitches, thread, plan, local] = await Promise.all([
      store.me(),
      store.content(),
      store.editedRecords("pitch"),
      store.acknowledgementsOf("pitch", param),
      store.plan().catch(() => null),
      store.pitchVideo?.(param)?.catch?.(() => null) ?? null, // the recording on this phone (Pitches' store part)
    ]);
    if (gone) return;
    const pitch = pitches.find((p) => p.id === param) ?? null;
    const blob = local?.blob instanceof Blob ? local.blob : null;
    const key = JSON.stringify([me, content?.version, pitch, thread, plan?.practice ?? null, Boolean(blob)]);
    if (key === shown && !focusOn) return;
    shown = key;
    player?.release();
    player = null;
    const back = h("p", { class: "back" }, h("a", { href: "#/pitches" }, h("span", { "aria-hidden": "true" }, "← "), t("pitchView.back")));
    if (!pitch) {
      replace(root, h("section", { class: "card" }, back, h("h2", {}, t("pitchView.title")), h("p", {}, t("pitchView.missing"))));
      return;
    }
    const snapshot = content?.snapshot ?? null;
    const prompt = promptOf(snapshot, pitch.data?.fields?.prompt_id);
    player = pitchPlayer(pitch, { t, blob, label: t("pitchView.video"), headers: credentialOf(settings) });
    const reviewed = pitch.data?.fields?.reviewed === true;
    const refreshers = practiceRefreshers(plan?.practice ?? [], pitch.id)
      .map((id) => (snapshot?.refreshers ?? []).find((r) => r.id === id) ?? null)
      .filter(Boolean);
    replace(
      root,
      h(
        "article",
        { class: "card pitch-view", "data-pitch": pitch.id },
        back,
        h("h2", {}, t("pitchView.title")),
        pitchFacts(pitch, prompt, { t, language, pending: pitch.pending }),
        player.element,
        prompt?.situation_html ? h("details", { class: "pitch-situation" }, h("summary", {}, t("pitchReview.situation")), h("div", { class: "body", lang: prompt.language ?? null, html: prompt.situation_html })) : null,
        reviewed
          ? [
              reviewDetails(pitch, prompt, snapshot, { t, language, seek: player.seek }),
              refreshers.length
                ? [h("h4", {}, t("feedback.practise")), h("ul", { class: "practise" }, refreshers.map((r) => h("li", {}, h("a", { href: `#/refreshers/${encodeURIComponent(r.id)}` }, t("feedback.practiseRefresher", { title: r.title })))))]
                : null,
              coachingThread(thread, { t, language, me, names: peopleById(me) }),
              acknowledgeForm(pitch, isAcknowledged(thread)),
              exemplar(pitch),
            ]
          : h("p", {}, t(pitchStatus(pitch) === "waiting" ? "pitchView.waitingNote" : "pitchView.uploadedNote")),
      ),
    );
    if (focusOn) focus(root.querySelector(focusOn));
  }

  function acknowledgeForm(pitch, acknowledged) {
    const areaId = uid("comment");
    const area = h("textarea", { id: areaId, name: "comment", rows: "3", maxlength: String(MAX_COMMENT), on: { input: () => (comment = area.value) } });
    area.value = comment;
    const error = h("p", { class: "error", role: "alert" });
    const submit = async (event) => {
      event.preventDefault();
      const text = area.value.trim();
      if (acknowledged && !text) {
        error.textContent = t("feedback.writeFirst");
        return focus(area);
      }
      const record = async () => {
        await app.client.acknowledge({ item_kind: "pitch", item_id: pitch.id, acknowledged: true, local_day: app.today(), comment: text || null });
        comment = "";
      };
      await act(error, record, ".acknowledged");
    };
    return h(
      "form",
      { class: "acknowledge", novalidate: true, on: { submit } },
      acknowledged ? h("p", { class: "acknowledged", tabindex: "-1" }, t("feedback.acknowledged")) : null,
      h("label", { for: areaId }, t("feedback.comment")),
      h("p", { class: "hint" }, t(acknowledged ? "feedback.commentHintMore" : "pitchView.commentHint", { n: MAX_COMMENT.toLocaleString(language) })),
      area,
      error,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: acknowledged ? "" : "primary" }, t(acknowledged ? "feedback.sendComment" : "feedback.acknowledge"))),
    );
  }

  function exemplar(pitch) {
    const state = exemplarState(pitch);
    if (state === "none") return null;
    const error = h("p", { class: "error", role: "alert" });
    const answer = (consent) => () =>
      act(error, () => app.client.record("pitch", PITCH_PAYLOAD_VERSION, consentPatch(pitch, consent, { at: formatTimestamp(Date.now()), localDay: app.today() })), ".exemplar-state");
    const button = (key, consent, primary = false) => h("button", { type: "button", class: primary ? "primary" : "", on: { click: answer(consent) } }, t(key));
    const headingId = uid("exemplar");
    return h(
      "section",
      { class: "exemplar", "aria-labelledby": headingId },
      h("h3", { id: headingId }, t("pitchView.exemplar")),
      h("p", { class: "exemplar-state", tabindex: "-1" }, t(`pitchView.exemplar.${state}`)),
      h(
        "div",
        { class: "form-actions" },
        state === "shared" ? button("pitchView.stopSharing", false) : [button("pitchView.share", true, true), state === "asked" ? button("pitchView.dontShare", false) : null],
      ),
      error,
    );
  }

  /** Record something through the outbox, then sync soon and redraw with the focus on `focusOn`. */
  async function act(error, record, focusOn) {
    if (saving) return;
    saving = true;
    try {
      await record();
    } catch (err) {
      error.textContent = t("feedback.saveFailed", { detail: err?.message ?? String(err) });
      return;
    } finally {
      saving = false;
    }
    app.syncSoon();
    await load({ focusOn });
  }

  load();
  return {
    busy: () => saving || comment.trim().length > 0 || (player?.video ? !player.video.paused : false),
    refresh: () => load(),
    unmount: () => {
      gone = true;
      player?.release();
    },
  };
}
