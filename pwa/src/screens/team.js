// "Team" (coach mode, docs/coaching.md): the reps of the teams a coach (or manager) looks after,
// each with their last observation, the behaviours they are weakest at and their practice from
// coaching (the `summary` the server sends in `me`), and the coach's own observations of them
// ("Shared", "Draft", "Not synced"), and their video pitches: "Pitches to review (N)" first, then
// those reviewed (docs/coaching.md "Pitch reviews"). Drafts on this device are listed first, to resume; "New
// observation" starts one (coaches only: a manager reads). Works offline on what the last sync
// brought; before any sync it says to sync once online.
import { focus, h, replace } from "../dom.js";
import { canObserve, formatDate, practiceOf, peopleById, seesTeam, statusOf, teamReps, weakestLines } from "../coaching.js";
import { pitchesByRep, promptOf } from "../pitching.js";

export const titleKey = "team.title";

/** The navigation offers Team to coaches and managers (App#audience: the pull's `me`); never to a rep. */
export const shownTo = (audience) => seesTeam(audience?.me ?? null);

export function mount(root, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;
  let shown = null;

  async function load() {
    const [me, content, records, drafts, pitches] = await Promise.all([
      store.me(),
      store.content(),
      store.editedRecords("observation"),
      store.drafts("observation"),
      store.editedRecords("pitch"),
    ]);
    if (gone) return;
    const key = JSON.stringify([me, content?.version, records, drafts, pitches]);
    if (key === shown) return;
    shown = key;
    const hadFocus = root.contains(document.activeElement) && document.activeElement !== root;
    show(me, content?.snapshot ?? null, records, drafts, pitchesByRep(pitches));
    if (hadFocus) focus(root.querySelector("h2"));
  }

  function show(me, snapshot, records, drafts, pitches) {
    const card = h("section", { class: "card team" }, h("h2", {}, t("team.title")));
    if (!me) {
      replace(root, h("section", { class: "card team" }, h("h2", {}, t("team.title")), h("p", {}, t("team.syncFirst"))));
      return;
    }
    if (!seesTeam(me)) {
      replace(root, h("section", { class: "card team" }, h("h2", {}, t("team.title")), h("p", {}, t("team.notCoach"))));
      return;
    }
    const reps = teamReps(me, language);
    const names = peopleById(me);
    const writer = canObserve(me);
    if (writer) {
      card.append(h("p", {}, h("button", { type: "button", class: "primary", on: { click: () => app.navigate("observe") } }, t("team.newObservation"))));
    } else {
      card.append(h("p", { class: "hint" }, t("team.readOnly")));
    }
    if (drafts.length) card.append(draftList(drafts, names));
    const byRep = new Map();
    // Mine only: observations shared with me (a coach who is also a rep elsewhere) are Feedback's.
    const mine = records.filter((r) => r.data?.author_id == null || r.data.author_id === me.user_id);
    for (const record of mine) {
      const repId = record.data?.rep_id ?? record.data?.fields?.rep_id ?? "";
      if (!byRep.has(repId)) byRep.set(repId, []);
      byRep.get(repId).push(record);
    }
    card.append(h("h3", {}, t("team.reps")));
    if (!reps.length) card.append(h("p", {}, t("team.noReps")));
    card.append(h("ul", { class: "rep-list" }, reps.map((rep) => repItem(rep, snapshot, byRep.get(rep.user_id) ?? [], pitches.get(rep.user_id)))));
    const others = [...byRep.entries()].filter(([repId]) => !reps.some((r) => r.user_id === repId));
    if (others.length) {
      card.append(h("h3", {}, t("team.otherObservations")));
      card.append(h("ul", { class: "item-list" }, others.flatMap(([repId, list]) => list.map((r) => observationItem(r, names.get(repId) ?? repId)))));
    }
    replace(root, card);
  }

  function draftList(drafts, names) {
    const sorted = [...drafts].sort((a, b) => String(b.updated_at ?? "").localeCompare(String(a.updated_at ?? "")));
    return h(
      "section",
      { class: "group", "aria-labelledby": "team-drafts" },
      h("h3", { id: "team-drafts" }, t("team.drafts")),
      h(
        "ul",
        { class: "item-list" },
        sorted.map((d) => {
          const rep = d.values?.rep_id ? (names.get(d.values.rep_id) ?? d.values.rep_id) : null;
          return h(
            "li",
            {},
            h(
              "a",
              { class: "item", href: `#/observe/${encodeURIComponent(d.id)}` },
              h("span", { class: "item-title" }, rep ? t("team.resumeDraft", { name: rep }) : t("team.resumeDraftNoRep")),
              h("span", { class: "item-meta" }, d.values?.observed_on ? t("team.observedOn", { date: formatDate(d.values.observed_on, language) }) : null, h("span", { class: "badge pending" }, t("team.statusDraft"))),
            ),
          );
        }),
      ),
    );
  }

  function repItem(rep, snapshot, records, pitches) {
    const s = rep.summary;
    const practice = practiceOf(s);
    const weakest = weakestLines(s, snapshot, language);
    const headingId = `rep-${rep.user_id}`;
    return h(
      "li",
      { class: "rep" },
      h(
        "section",
        { "aria-labelledby": headingId },
        h("h4", { id: headingId }, rep.name),
        h("p", { class: "item-meta" }, rep.teams.join(", ")),
        h("p", {}, s?.last_observed_on ? t("team.lastObserved", { date: formatDate(s.last_observed_on, language), n: s.observations ?? 0 }) : t("team.notObserved")),
        weakest.length
          ? [
              h("p", { class: "rep-label" }, t("team.weakest")),
              h(
                "ul",
                { class: "weakest" },
                weakest.map((w) => h("li", {}, h("span", { lang: w.language }, w.text), " ", h("span", { class: "tag" }, t("team.rating", { rating: w.rating })))),
              ),
            ]
          : null,
        h(
          "p",
          {},
          practice.assigned
            ? t("team.practice", { answered: practice.answered, n: practice.assigned, right: practice.right })
            : t("team.noPractice"),
          practice.last_on ? ` ${t("team.lastPractice", { date: formatDate(practice.last_on, language) })}` : null,
        ),
        records.length
          ? [h("p", { class: "rep-label" }, t("team.yourObservations")), h("ul", { class: "item-list" }, records.slice().reverse().map((r) => observationItem(r, null)))]
          : null,
        pitchList(pitches, snapshot),
      ),
    );
  }

  /** A rep's pitches: those to review (with their number), then those reviewed. */
  function pitchList(pitches = { toReview: [], reviewed: [] }, snapshot) {
    const item = (p, reviewed) => {
      const f = p.data?.fields ?? {};
      return h(
        "li",
        {},
        h(
          "a",
          { class: "item", href: `#/pitches/${encodeURIComponent(p.id)}` },
          h("span", { class: "item-title" }, promptOf(snapshot, f.prompt_id)?.title ?? f.prompt_id ?? t("team.pitch")),
          h(
            "span",
            { class: "item-meta" },
            f.recorded_on ? formatDate(f.recorded_on, language) : null,
            reviewed ? h("span", { class: "badge" }, t("pitchView.status.reviewed")) : null,
            p.data?.video_uploaded ? null : h("span", { class: "badge pending" }, t("team.videoNotArrived")),
            p.pending ? h("span", { class: "badge pending" }, t("team.statusUnsynced")) : null,
          ),
        ),
      );
    };
    return [
      h("p", { class: "rep-label" }, t("team.pitchesToReview", { n: pitches.toReview.length })),
      pitches.toReview.length ? h("ul", { class: "item-list pitches-to-review" }, pitches.toReview.map((p) => item(p, false))) : null,
      pitches.reviewed.length ? [h("p", { class: "rep-label" }, t("team.pitchesReviewed")), h("ul", { class: "item-list" }, pitches.reviewed.map((p) => item(p, true)))] : null,
    ];
  }

  function observationItem(record, repName) {
    const fields = record.data?.fields ?? {};
    const { shared, pending } = statusOf(record);
    const date = fields.observed_on ? formatDate(fields.observed_on, language) : t("team.noDate");
    const title = [repName, date, fields.customer].filter(Boolean).join(" · ");
    return h(
      "li",
      {},
      h(
        "a",
        { class: "item", href: `#/observation/${encodeURIComponent(record.id)}` },
        h("span", { class: "item-title" }, title),
        h(
          "span",
          { class: "item-meta" },
          fields.meeting_type ?? null,
          h("span", { class: shared ? "badge" : "badge pending" }, t(shared ? "team.statusShared" : "team.statusDraft")),
          pending ? h("span", { class: "badge pending" }, t("team.statusUnsynced")) : null,
        ),
      ),
    );
  }

  load();
  return {
    refresh: () => load(),
    unmount: () => {
      gone = true;
    },
  };
}
