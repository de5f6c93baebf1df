// One observation as its coach reads it (#/observation/<id>, opened from Team): the situation,
// each rating with its behaviour's text and level, the evidence, strengths and the agreed next
// step, then the rep's side (their response, whether the next step is done) and the thread of
// their acknowledgements and comments. Read-only; what the device has (the pulled record with
// this device's unsynced patches on top, store.editedRecords).
import { h, replace } from "../dom.js";
import { competencyName } from "../library.js";
import { formatDate, peopleById, ratingsOf, statusOf } from "../coaching.js";

export const titleKey = "observation.title";

export function mount(root, ctx) {
  const { store, t, language, param } = ctx;
  let gone = false;
  let shown = null;

  async function load() {
    const [me, content, records, thread] = await Promise.all([
      store.me(),
      store.content(),
      store.editedRecords("observation"),
      param ? store.acknowledgementsOf("observation", param) : [],
    ]);
    if (gone) return;
    const record = records.find((r) => r.id === param) ?? null;
    const key = JSON.stringify([me, content?.version, record, thread]);
    if (key === shown) return;
    shown = key;
    if (!record) {
      replace(root, h("section", { class: "card" }, back(), h("h2", {}, t("observation.title")), h("p", {}, t("observation.missing"))));
      return;
    }
    show(record, content?.snapshot ?? null, peopleById(me), thread);
  }

  const back = () => h("p", { class: "back" }, h("a", { href: "#/team" }, h("span", { "aria-hidden": "true" }, "← "), t("observe.backToTeam")));

  /** A term and its value, when there is a value. */
  const row = (term, value) => (value == null || value === "" ? null : [h("dt", {}, term), h("dd", {}, value)]);
  const long = (text) => h("p", { class: "long-text" }, text);

  function show(record, snapshot, names, thread) {
    const f = record.data?.fields ?? {};
    const repId = record.data?.rep_id ?? f.rep_id;
    const repName = names.get(repId) ?? repId ?? "";
    const { shared, pending } = statusOf(record);
    const groups = ratingsOf(f, snapshot, language);
    const competencies = Array.isArray(f.competencies) ? f.competencies.map((c) => competencyName(snapshot, c, language)).join(", ") : null;
    const conflicts = record.data?.conflicts;
    const hasConflicts = Array.isArray(conflicts) ? conflicts.length > 0 : conflicts && typeof conflicts === "object" && Object.keys(conflicts).length > 0;
    replace(
      root,
      h(
        "article",
        { class: "card observation" },
        back(),
        h("h2", {}, t("observation.of", { name: repName })),
        h(
          "p",
          { class: "item-meta" },
          h("span", { class: shared ? "badge" : "badge pending" }, t(shared ? "team.statusShared" : "team.statusDraft")),
          pending ? h("span", { class: "badge pending" }, t("team.statusUnsynced")) : null,
        ),
        hasConflicts ? h("p", { class: "hint" }, t("observation.conflicts")) : null,
        h(
          "dl",
          { class: "facts" },
          row(t("observe.observedOn"), f.observed_on ? formatDate(f.observed_on, language) : null),
          row(t("observe.meetingType"), f.meeting_type),
          row(t("observe.customer"), f.customer),
          row(t("observe.opportunity"), f.opportunity),
          row(t("observe.phase"), f.phase),
          row(t("observe.competencies"), competencies),
        ),
        h("h3", {}, t("observation.ratings")),
        groups.length ? null : h("p", {}, t("observation.noRatings")),
        groups.map((g) =>
          h(
            "section",
            { class: "group" },
            h("h4", {}, g.title),
            h(
              "ul",
              { class: "ratings" },
              g.behaviours.map((b) =>
                h(
                  "li",
                  {},
                  h("p", { class: "rating-line" }, h("span", { lang: b.language }, b.text), " ", b.rating == null ? null : h("span", { class: "tag" }, t("team.rating", { rating: b.rating }))),
                  b.level ? h("p", { class: "hint", lang: b.language }, b.level) : null,
                  b.evidence ? h("p", { class: "long-text" }, h("strong", {}, `${t("observe.evidence")}: `), b.evidence) : null,
                ),
              ),
            ),
          ),
        ),
        f.strengths ? [h("h3", {}, t("observe.strengths")), long(f.strengths)] : null,
        f.next_step
          ? [h("h3", {}, t("observe.nextStep")), long(f.next_step), f.next_step_due ? h("p", {}, t("observation.due", { date: formatDate(f.next_step_due, language) })) : null]
          : null,
        f.notes ? [h("h3", {}, t("observe.notes")), long(f.notes)] : null,
        h("h3", {}, t("observation.repSide", { name: repName })),
        !shared
          ? h("p", {}, t("observation.notSharedYet"))
          : [
              f.next_step ? h("p", {}, t(f.next_step_done === true ? "observation.stepDone" : "observation.stepNotDone")) : null,
              f.rep_response ? [h("p", { class: "rep-label" }, t("observation.response")), long(f.rep_response)] : null,
              f.next_step || f.rep_response ? null : h("p", {}, t("observation.noReply")),
            ],
        h("h3", {}, t("observation.thread")),
        thread.length
          ? h(
              "ol",
              { class: "thread" },
              thread.map((e) =>
                h(
                  "li",
                  {},
                  h(
                    "p",
                    { class: "item-meta" },
                    t(e.acknowledged === false ? "observation.unacknowledgedBy" : "observation.acknowledgedBy", {
                      name: e.user_id ? (names.get(e.user_id) ?? e.user_id) : t("observation.you"),
                      date: formatDate(String(e.at ?? "").slice(0, 10), language),
                    }),
                  ),
                  e.comment ? long(e.comment) : null,
                ),
              ),
            )
          : h("p", {}, t("observation.noThread", { name: repName })),
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
