// "New observation" (#/observe/<draft id>): a coach's ride-along notes on one rep, entirely
// offline. The rep, the situation, the competencies observed, a rating with evidence for each
// behaviour of their rubrics (rubric-fields.js), strengths, one agreed next step with a due date,
// and notes.
//
// Every change is kept on the device as a draft at once (store.saveDraft, one save at a time:
// keys typed while one is written go into the next), and whatever is left when the app is hidden
// or closed, so closing the app mid-form loses nothing: Team lists the draft and this screen
// restores every field.
// "Share with rep" checks the form (a rep and at least one rating), then turns the draft into
// the observation's creating patch in ONE store call (store.shareDraft: the outbox entry and the
// draft's deletion in one transaction), says "Shared" and syncs when online.
import { focus, h, replace, uid } from "../dom.js";
import { competencyName } from "../library.js";
import { formatTimestamp } from "../sync/rules.js";
import { uuid7 } from "../uuid7.js";
import { StorageFullError } from "../store.js";
import { rubricFields } from "../rubric-fields.js";
import { LIMITS, completeValues, observationPayload, problemsOf, rubricsByCompetency, teamReps } from "../coaching.js";

export const titleKey = "observe.title";

const PHASES = ["observe.phaseStatusQuo", "observe.phaseExploring", "observe.phaseChoosing", "observe.phaseCommitting"];
const MEETING_TYPES = ["observe.meetingFirst", "observe.meetingDiscovery", "observe.meetingDemo", "observe.meetingProposal", "observe.meetingNegotiation", "observe.meetingReview"];

export function mount(root, ctx) {
  const { app, store, t, language, param } = ctx;
  const draftId = param || uuid7();
  let gone = false;
  let phase = "loading"; // loading | form | sharing | shared | deleting
  let values = null;
  let unsaved = false; // a change not handed to the store yet
  let inFlight = null; // the save being written, or null
  let failed = false; // the last save failed: tried again on the next change, not in a loop
  const note = h("p", { class: "hint draft-note" });

  /**
   * Write the values to the store now, or, while a save is being written, right after it with
   * every change made meanwhile (one save at a time, none queued per keystroke). Resolves once
   * nothing is left unsaved (or a save failed).
   */
  function flush() {
    if (!unsaved || !values || phase === "shared" || phase === "deleting") return inFlight ?? Promise.resolve();
    if (inFlight) return inFlight.then(() => flush());
    unsaved = false;
    const copy = structuredClone(values);
    inFlight = store
      .saveDraft({ id: draftId, kind: "observation", values: copy, updated_at: formatTimestamp(Date.now()) })
      .then(() => {
        failed = false;
        // A new draft's address names it from its first save, so a reload reopens it.
        if (!param && !gone && location.hash !== `#/observe/${draftId}`) history.replaceState(null, "", `#/observe/${draftId}`);
        if (!unsaved && !gone) note.textContent = t("observe.draftSaved");
      })
      .catch((err) => {
        failed = true;
        unsaved = true;
        note.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("observe.draftFailed", { detail: err?.message ?? String(err) });
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight.then(() => (unsaved && !failed ? flush() : undefined));
  }

  /** A value changed: saved at once (typing too; see flush for how saves are paced). */
  function changed() {
    if (phase !== "form") return;
    unsaved = true;
    failed = false;
    note.textContent = t("observe.draftSaving");
    flush();
  }

  const onHidden = () => {
    if (document.visibilityState === "hidden") flush();
  };
  document.addEventListener("visibilitychange", onHidden);
  window.addEventListener("pagehide", flush);

  async function load() {
    const [me, content, draft] = await Promise.all([store.me(), store.content(), param ? store.draft(draftId) : null]);
    if (gone) return;
    if (param && !draft) {
      showGone();
      return;
    }
    values = completeValues(draft?.values, app.today());
    phase = "form";
    showForm(me, content?.snapshot ?? null);
  }

  function showGone() {
    phase = "idle";
    replace(
      root,
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("observe.title")),
        h("p", {}, t("observe.draftGone")),
        h("p", {}, h("a", { href: "#/team" }, t("observe.backToTeam"))),
      ),
    );
  }

  function showForm(me, snapshot) {
    const reps = teamReps(me, language).filter((r) => r.canObserve);
    const rubrics = rubricsByCompetency(snapshot, language);
    const allRubrics = snapshot?.rubrics ?? [];
    const errors = new Map(); // field -> error element
    const fields = new Map(); // field -> the control to focus

    const errorFor = (field) => {
      const el = h("p", { class: "error field-error", id: uid("error") });
      errors.set(field, el);
      return el;
    };

    /** A labelled control bound to values[name]. */
    function field(name, label, control, { hint = null, error = false } = {}) {
      const id = uid(name);
      control.id = id;
      const describedBy = [];
      const hintEl = hint ? h("p", { class: "hint", id: uid("hint") }, hint) : null;
      if (hintEl) describedBy.push(hintEl.id);
      const errorEl = error ? errorFor(name) : null;
      if (errorEl) describedBy.push(errorEl.id);
      if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" "));
      fields.set(name, control);
      return h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, errorEl);
    }

    const text = (name, max, attrs = {}) => {
      const input = h("input", { type: "text", maxlength: String(max), autocomplete: "off", ...attrs, on: { input: (e) => ((values[name] = e.target.value), changed()) } });
      input.value = values[name] ?? "";
      return input;
    };
    const area = (name) => {
      const box = h("textarea", { rows: "3", maxlength: String(LIMITS.long), on: { input: (e) => ((values[name] = e.target.value), changed()) } });
      box.value = values[name] ?? "";
      return box;
    };
    const date = (name) => {
      const input = h("input", { type: "date", on: { change: (e) => ((values[name] = e.target.value), changed()), input: (e) => ((values[name] = e.target.value), changed()) } });
      input.value = values[name] ?? "";
      return input;
    };

    // The rep: the reps of the teams I coach (a draft's rep stays even if the team changed since).
    const repOptions = reps.map((r) => [r.user_id, r.name]);
    if (values.rep_id && !repOptions.some(([id]) => id === values.rep_id)) repOptions.push([values.rep_id, values.rep_id]);
    const rep = h(
      "select",
      { on: { change: (e) => ((values.rep_id = e.target.value), changed()) } },
      h("option", { value: "" }, t("observe.chooseRep")),
      repOptions.map(([id, name]) => h("option", { value: id, selected: id === values.rep_id ? true : null }, name)),
    );

    const meetingList = h("datalist", { id: uid("meetings") }, MEETING_TYPES.map((key) => h("option", { value: t(key) })));
    const phaseOptions = PHASES.map((key) => t(key));
    if (values.phase && !phaseOptions.includes(values.phase)) phaseOptions.push(values.phase);
    const phaseSelect = h(
      "select",
      { on: { change: (e) => ((values.phase = e.target.value), changed()) } },
      h("option", { value: "" }, t("observe.phaseNone")),
      phaseOptions.map((label) => h("option", { value: label, selected: label === values.phase ? true : null }, label)),
    );

    // Competencies, then the rubric of each chosen one.
    const rubricArea = h("div", { class: "rubrics" });
    const ratingsError = errorFor("ratings");
    const drawRubrics = () => {
      replace(
        rubricArea,
        rubrics
          .filter(({ competency }) => values.competencies.includes(competency))
          .map(({ rubric }) =>
            rubricFields(rubric, {
              t,
              values,
              onRate: (key, level) => {
                if (level == null) delete values.ratings[key];
                else values.ratings[key] = level;
                changed();
              },
              onEvidence: (key, value) => {
                values.evidence[key] = value;
                changed();
              },
            }),
          ),
      );
    };
    const competencies = h(
      "fieldset",
      { class: "field choices" },
      h("legend", {}, t("observe.competencies")),
      rubrics.length ? null : h("p", { class: "hint" }, t("observe.noRubrics")),
      rubrics.map(({ competency }) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            value: competency,
            checked: values.competencies.includes(competency),
            on: {
              change: (e) => {
                const chosen = new Set(values.competencies);
                if (e.target.checked) chosen.add(competency);
                else chosen.delete(competency);
                values.competencies = rubrics.map((r) => r.competency).filter((c) => chosen.has(c));
                drawRubrics();
                changed();
              },
            },
          }),
          h("span", {}, competencyName(snapshot, competency, language)),
        ),
      ),
    );
    drawRubrics();

    const status = h("p", { class: "saved", role: "status" });
    const share = h("button", { type: "button", class: "primary", on: { click: () => submit() } }, t("observe.share"));
    const form = h(
      "div",
      { class: "observe-form" },
      h("p", { class: "back" }, h("a", { href: "#/team" }, h("span", { "aria-hidden": "true" }, "← "), t("observe.backToTeam"))),
      h("h2", {}, t("observe.title")),
      note,
      reps.length ? null : h("p", { class: "hint" }, t("team.syncFirst")),
      field("rep_id", t("observe.rep"), rep, { error: true }),
      h(
        "fieldset",
        { class: "field choices group-box" },
        h("legend", {}, t("observe.situation")),
        field("observed_on", t("observe.observedOn"), date("observed_on"), { error: true }),
        field("meeting_type", t("observe.meetingType"), text("meeting_type", LIMITS.short, { list: meetingList.id }), { hint: t("observe.meetingTypeHint") }),
        meetingList,
        field("customer", t("observe.customer"), text("customer", LIMITS.name)),
        field("opportunity", t("observe.opportunity"), text("opportunity", LIMITS.name)),
        field("phase", t("observe.phase"), phaseSelect),
      ),
      competencies,
      ratingsError,
      rubricArea,
      h(
        "fieldset",
        { class: "field choices group-box" },
        h("legend", {}, t("observe.afterwards")),
        field("strengths", t("observe.strengths"), area("strengths")),
        field("next_step", t("observe.nextStep"), area("next_step"), { hint: t("observe.nextStepHint") }),
        field("next_step_due", t("observe.nextStepDue"), date("next_step_due"), { error: true }),
        field("notes", t("observe.notes"), area("notes"), { hint: t("observe.notesHint") }),
      ),
    );
    // Deleting asks first: a draft holds notes the coach cannot get back.
    const remove = h("button", { type: "button", class: "link", on: { click: () => discard() } }, t("observe.deleteDraft"));
    // Only "Share with rep" stays under the thumb (the sticky bar); deleting is at the form's end.
    const removeRow = h("p", { class: "delete-draft" }, remove);
    replace(root, h("section", { class: "card observe" }, form, removeRow, status, h("div", { class: "actions" }, share)));

    async function discard() {
      if (phase !== "form" || !window.confirm(t("observe.deleteConfirm"))) return;
      phase = "deleting";
      while (inFlight) await inFlight; // a save on its way must not bring the draft back
      try {
        await store.deleteDraft(draftId);
      } catch (err) {
        phase = "form";
        status.textContent = t("observe.deleteFailed", { detail: err?.message ?? String(err) });
        return;
      }
      app.navigate("team");
    }

    function showProblems(problems) {
      for (const [name, el] of errors) {
        el.textContent = "";
        fields.get(name)?.removeAttribute("aria-invalid");
      }
      for (const { field: name, key } of problems) {
        const el = errors.get(name);
        if (el && !el.textContent) el.textContent = t(key);
        fields.get(name)?.setAttribute("aria-invalid", "true");
      }
      const first = problems[0];
      if (!first) return;
      if (first.field === "ratings") {
        // The first behaviour's first level, or the first competency when none is chosen.
        focus(rubricArea.querySelector("input[type=radio]") ?? competencies.querySelector("input"));
      } else focus(fields.get(first.field));
    }

    async function submit() {
      if (phase !== "form") return;
      const problems = problemsOf(values, allRubrics);
      showProblems(problems);
      if (problems.length) {
        status.textContent = "";
        return;
      }
      phase = "sharing";
      share.disabled = true;
      await flush(); // a save still on its way must not bring the draft back after sharing
      const now = Date.now();
      const payload = observationPayload(values, allRubrics, { id: uuid7(now), at: formatTimestamp(now), localDay: app.today() });
      try {
        await store.shareDraft(draftId, "observation", payload);
      } catch (err) {
        phase = "form";
        share.disabled = false;
        status.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("observe.shareFailed", { detail: err?.message ?? String(err) });
        return;
      }
      if (gone) return;
      phase = "shared";
      const repName = reps.find((r) => r.user_id === values.rep_id)?.name ?? values.rep_id;
      showShared(form, share, status, repName, payload.id);
      app.syncSoon();
    }
  }

  function showShared(form, share, status, repName, observationId) {
    const heading = h("h2", {}, t("observe.sharedTitle"));
    replace(
      form,
      heading,
      h("p", {}, t(navigator.onLine === false ? "observe.sharedOffline" : "observe.sharedOnline", { name: repName })),
      h("p", {}, h("a", { href: `#/observation/${encodeURIComponent(observationId)}` }, t("observe.viewShared"))),
    );
    status.textContent = t("observe.shared");
    status.parentElement?.querySelector(".delete-draft")?.remove();
    replace(
      share.parentElement,
      h("button", { type: "button", class: "secondary", on: { click: () => app.navigate("team") } }, t("observe.backToTeam")),
    );
    focus(heading);
  }

  load().catch((err) => {
    replace(root, h("section", { class: "card" }, h("h2", {}, t("observe.title")), h("p", { class: "error", role: "alert" }, t("observe.loadFailed", { detail: err?.message ?? String(err) }))));
  });
  return {
    // The form is never redrawn under the coach; the app does not leave it on its own either.
    busy: () => phase === "form" || phase === "sharing",
    unmount: () => {
      flush();
      gone = true;
      document.removeEventListener("visibilitychange", onHidden);
      window.removeEventListener("pagehide", flush);
    },
  };
}
