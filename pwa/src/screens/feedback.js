// "Feedback": the observations a coach shared with the rep, newest first. Each shows the
// situation, the competencies, every rated behaviour in the rubric's words ("2 of 4" and that
// level's description) with the evidence, the strengths, the agreed next step and its due date,
// the refreshers the coaching suggests, and the thread (coaching-thread.js). The rep
// acknowledges it, with an optional comment, and may mark the next step done. Both are recorded
// through the outbox (an acknowledgement; an observation patch of the rep's field
// `next_step_done`), so they work offline and sync later (docs/sync.md).
import { focus, h, replace, uid } from "../dom.js";
import { formatDay } from "../i18n.js";
import { competencyName } from "../library.js";
import { coachingThread, peopleNames } from "../coaching-thread.js";
import { MAX_COMMENT, isAcknowledged, ratedBehaviours, sharedWithMe } from "../feedback.js";
import { practiceRefreshers } from "../practice.js";
import { dayOfDate } from "../study-plan.js";
import { formatTimestamp } from "../sync/rules.js";

export const titleKey = "feedback.title";

/**
 * Whether the navigation offers Feedback: to a rep, or, before the device knows who it is
 * signed in as (no `me` pulled yet), when observations were shared with them.
 * @param {{me: {roles?: string[]}|null, sharedWithMe: boolean}} audience
 */
export function shownTo({ me, sharedWithMe: shared }) {
  return me ? (me.roles ?? []).includes("rep") : shared;
}

export function mount(root, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;
  let loads = 0;
  const drafts = new Map(); // observation id → comment being written, kept across redraws
  let saving = false;

  async function load({ focusOn = null } = {}) {
    const mine = ++loads;
    const [me, records, content, plan] = await Promise.all([
      store.me?.() ?? null,
      store.editedRecords?.("observation") ?? [],
      store.content().catch(() => null),
      store.plan().catch(() => null),
    ]);
    const observations = sharedWithMe(records, me);
    const threads = await Promise.all(observations.map((o) => store.acknowledgementsOf?.("observation", o.id) ?? []));
    if (gone || mine !== loads) return;
    draw({ me, observations, threads, snapshot: content?.snapshot ?? null, practice: plan?.practice ?? [] });
    if (focusOn) focus(root.querySelector(focusOn));
  }

  function draw({ me, observations, threads, snapshot, practice }) {
    const names = peopleNames(me);
    const heading = h("h2", {}, t("feedback.title"));
    if (!observations.length) {
      replace(root, h("section", { class: "card" }, heading, h("p", {}, t("feedback.none"))));
      return;
    }
    const unread = observations.filter((o, i) => !isAcknowledged(threads[i])).length;
    replace(
      root,
      h(
        "section",
        { class: "feedback-list" },
        heading,
        h("p", { class: "muted" }, unread ? t("feedback.unreadCount", { n: unread }) : t("feedback.allRead")),
        observations.map((o, i) => observationCard(o, threads[i], { me, names, snapshot, practice })),
      ),
    );
  }

  function observationCard(o, events, { me, names, snapshot, practice }) {
    const f = o.data.fields ?? {};
    const headingId = uid("obs");
    const acknowledged = isAcknowledged(events);
    const day = dayOfDate(f.observed_on);
    const coach = o.data.author_id ? names.get(o.data.author_id) : null;
    const situation = [
      ["feedback.meetingType", f.meeting_type],
      ["feedback.phase", f.phase],
      ["feedback.customer", f.customer],
      ["feedback.opportunity", f.opportunity],
    ].filter(([, v]) => typeof v === "string" && v.trim());
    const competencies = (Array.isArray(f.competencies) ? f.competencies : []).map((c) => competencyName(snapshot, c, language));
    const rated = ratedBehaviours(f, snapshot?.rubrics);
    const refreshers = practiceRefreshers(practice, o.id)
      .map((id) => (snapshot?.refreshers ?? []).find((r) => r.id === id) ?? null)
      .filter(Boolean);
    return h(
      "article",
      { class: "card observation", "aria-labelledby": headingId, "data-observation": o.id },
      h(
        "div",
        { class: "card-head" },
        h("h3", { id: headingId }, day != null ? t("feedback.observedOn", { date: formatDay(day, language) }) : t("feedback.observation")),
        acknowledged ? null : h("span", { class: "tag unread" }, t("feedback.unread")),
      ),
      coach ? h("p", { class: "campaign" }, t("feedback.coach", { name: coach })) : null,
      situation.length ? h("dl", { class: "situation" }, situation.map(([key, v]) => [h("dt", {}, t(key)), h("dd", {}, v)])) : null,
      competencies.length ? h("p", {}, h("strong", {}, t("feedback.competencies")), " ", competencies.join(", ")) : null,
      rated.length
        ? [
            h("h4", {}, t("feedback.ratings")),
            h(
              "ul",
              { class: "ratings" },
              rated.map((r) =>
                h(
                  "li",
                  { class: "rating" },
                  h("p", { class: "behaviour" }, r.text),
                  h("p", {}, h("strong", { class: `level level-${r.rating}` }, t("feedback.ratingOf", { rating: r.rating, n: 4 })), r.level ? [" — ", r.level] : null),
                  r.evidence ? h("p", { class: "evidence" }, h("span", { class: "muted" }, t("feedback.evidence")), " ", r.evidence) : null,
                ),
              ),
            ),
          ]
        : null,
      textBlock("feedback.strengths", f.strengths),
      nextStep(o, f),
      refreshers.length
        ? [
            h("h4", {}, t("feedback.practise")),
            h(
              "ul",
              { class: "practise" },
              refreshers.map((r) =>
                h("li", {}, h("a", { href: `#/refreshers/${encodeURIComponent(r.id)}` }, t("feedback.practiseRefresher", { title: r.title }))),
              ),
            ),
          ]
        : null,
      coachingThread(events, { t, language, me, names }),
      acknowledgeForm(o, acknowledged),
    );
  }

  function textBlock(key, text) {
    return typeof text === "string" && text.trim() ? [h("h4", {}, t(key)), h("p", { class: "long-text" }, text)] : null;
  }

  function nextStep(o, f) {
    if (typeof f.next_step !== "string" || !f.next_step.trim()) return null;
    const due = dayOfDate(f.next_step_due);
    const done = f.next_step_done === true;
    const error = h("p", { class: "error", role: "alert" });
    const button = h("button", { type: "button", class: "small", on: { click: () => markDone(o, error, button) } }, t("feedback.markDone"));
    return [
      h("h4", {}, t("feedback.nextStep")),
      h("p", { class: "long-text" }, f.next_step),
      due != null ? h("p", { class: "muted" }, t("feedback.due", { date: formatDay(due, language) })) : null,
      done ? h("p", { class: "done-mark", "data-done": o.id, tabindex: "-1" }, t("feedback.stepDone")) : [button, error],
    ];
  }

  async function markDone(o, error, button) {
    if (saving) return;
    saving = true;
    button.disabled = true;
    try {
      await app.client.record("observation", 2, {
        id: o.id,
        base_rev: o.data.rev ?? 0,
        set: { next_step_done: true },
        resolve: [],
        at: formatTimestamp(Date.now()),
        local_day: app.today(),
      });
    } catch (err) {
      error.textContent = t("feedback.saveFailed", { detail: err?.message ?? String(err) });
      button.disabled = false;
      return;
    } finally {
      saving = false;
    }
    app.syncSoon();
    await load({ focusOn: `[data-done="${o.id}"]` });
  }

  function acknowledgeForm(o, acknowledged) {
    const areaId = uid("comment");
    const hintId = uid("hint");
    const statusId = `ack-${o.id}`;
    const area = h("textarea", {
      id: areaId,
      name: "comment",
      rows: "3",
      maxlength: String(MAX_COMMENT),
      "aria-describedby": hintId,
      on: { input: () => drafts.set(o.id, area.value) },
    });
    area.value = drafts.get(o.id) ?? "";
    const error = h("p", { class: "error", role: "alert" });
    const button = h("button", { type: "submit", class: acknowledged ? "" : "primary" }, t(acknowledged ? "feedback.sendComment" : "feedback.acknowledge"));
    const submit = async (event) => {
      event.preventDefault();
      if (saving) return;
      const comment = area.value.trim();
      if (acknowledged && !comment) {
        error.textContent = t("feedback.writeFirst");
        focus(area);
        return;
      }
      if (comment.length > MAX_COMMENT) {
        error.textContent = t("feedback.tooLong", { n: MAX_COMMENT });
        focus(area);
        return;
      }
      saving = true;
      button.disabled = true;
      try {
        await app.client.acknowledge({ item_kind: "observation", item_id: o.id, acknowledged: true, local_day: app.today(), comment: comment || null });
      } catch (err) {
        error.textContent = t("feedback.saveFailed", { detail: err?.message ?? String(err) });
        button.disabled = false;
        return;
      } finally {
        saving = false;
      }
      drafts.delete(o.id);
      app.syncSoon();
      await load({ focusOn: `[id="${statusId}"]` });
    };
    return h(
      "form",
      { class: "acknowledge", novalidate: true, on: { submit } },
      acknowledged ? h("p", { class: "acknowledged", id: statusId, tabindex: "-1" }, t("feedback.acknowledged")) : null,
      h("label", { for: areaId }, t("feedback.comment")),
      h("p", { class: "hint", id: hintId }, t(acknowledged ? "feedback.commentHintMore" : "feedback.commentHint", { n: MAX_COMMENT.toLocaleString(language) })),
      area,
      error,
      h("div", { class: "form-actions" }, button),
    );
  }

  load();
  return {
    // A comment being written is never redrawn away by a sync.
    busy: () => saving || [...drafts.values()].some((v) => v.trim()),
    refresh: () => load(),
    unmount: () => {
      gone = true;
    },
  };
}
