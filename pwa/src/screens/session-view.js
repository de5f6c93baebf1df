// One intervision session (#/sessions/<id>): the confidentiality rule, the four stages in order
// and what was recorded in each. The moderator writes only the current stage's fields; the
// earlier stages are read-only and the later ones not open yet; "Next stage" moves on exactly one
// stage (the last stage has "Save"). Every other member sees the session read-only.
//
// What the moderator types is kept as a draft on every change (store.saveDraft, one per stage),
// so closing the app mid-stage loses nothing: reopened, the stage shows the draft. "Next stage"
// and "Save" record the stage's patch against the revision last pulled and delete the draft in
// one transaction (store.shareDraft). Why a stage is recorded once: intervision.js.
import { focus, h, replace, uid } from "../dom.js";
import { LAST_STAGE, MAX_TEXT, STAGES, draftId, editableFields, problems, sessionView, stagePatch } from "../intervision.js";
import { StorageFullError } from "../store.js";
import { formatTimestamp } from "../sync/rules.js";
import { confidentialityRule, dateInWords, stageLine } from "./session-parts.js";

/** The edited record of session `id` and `me`, as the device holds them now. */
async function current(store, id) {
  const me = await store.me();
  const record = (await store.editedRecords("session")).find((r) => r.id === id) ?? null;
  return { me, record };
}

export function mountSession(root, ctx, id) {
  const { app, store, t, language } = ctx;
  const content = h("div", { class: "session" });
  const status = h("p", { class: "saved session-status", role: "status" });
  replace(root, content, status);
  let gone = false;
  let loads = 0;
  let saving = false;
  let editing = null; // {stage, values, draft} while the moderator writes a stage, else null
  let writing = null; // the draft write on its way, or null
  let again = false; // values changed while it was on its way: write once more

  async function load({ focusOn = null } = {}) {
    const mine = ++loads;
    const { me, record } = await current(store, id);
    const view = record ? sessionView(record, me) : null;
    const draft = view?.moderator ? await store.draft(draftId(id, view.stage)) : null;
    if (gone || mine !== loads) return;
    if (!focusOn && typing()) return; // typing began while this was read: the form stays as it is
    const hadFocus = root.contains(document.activeElement);
    if (!view) {
      editing = null;
      replace(content, h("section", { class: "card sessions" }, backLink(), h("h2", {}, t("sessions.title")), confidentialityRule(t), h("p", {}, t("session.notFound"))));
    } else {
      render(view, draft);
    }
    const target = focusOn ? content.querySelector(focusOn) : hadFocus ? content.querySelector("h2") : null;
    if (target) focus(target);
  }

  function backLink() {
    return h("p", { class: "back" }, h("a", { href: "#/sessions" }, t("session.back")));
  }

  function render(view, draft) {
    editing = null;
    const stages = h(
      "ol",
      { class: "stage-steps", "aria-label": t("session.stagesLabel") },
      STAGES.map((s) =>
        h(
          "li",
          { "aria-current": s.number === view.stage ? "step" : null, class: s.number < view.stage ? "done" : s.number === view.stage ? "now" : "later" },
          `${t(`session.stage.${s.number}`)} `,
          s.number < view.stage ? h("span", { class: "muted" }, t("session.done")) : s.number === view.stage ? h("span", { class: "muted" }, t("session.current")) : null,
        ),
      ),
    );
    const sections = STAGES.filter((s) => s.number <= view.stage).map((s) =>
      s.number === view.stage && view.moderator ? stageForm(view, draft) : stageRecord(view, s.number),
    );
    replace(
      content,
      h(
        "section",
        { class: "card sessions" },
        backLink(),
        h("h2", {}, t("session.title", { date: dateInWords(view.heldOn, language) })),
        h(
          "p",
          { class: "muted" },
          t("session.moderatedBy", { team: view.teamName ?? "?", name: view.caseOwnerName ?? t("sessions.someone") }),
          view.pending ? [" ", h("span", { class: "tag pending" }, t("sessions.notSynced"))] : null,
        ),
        confidentialityRule(t),
        stages,
        view.moderator ? null : h("p", { class: "hint" }, t("session.readOnly")),
        sections,
      ),
    );
  }

  /** The other versions of a long field kept by the merge rule (docs/sync.md), read-only. */
  function otherVersions(view, field) {
    return (view.conflicts?.[field] ?? []).map((c) => h("p", { class: "conflict" }, t("session.otherVersion", { text: String(c.value ?? "") })));
  }

  /** A stage as recorded: read-only. */
  function stageRecord(view, stage) {
    const headingId = uid("stage");
    return h(
      "section",
      { class: "stage", "aria-labelledby": headingId },
      h("h3", { id: headingId, "data-stage": String(stage) }, stageLine(t, stage)),
      h(
        "dl",
        { class: "stage-record" },
        editableFields(stage).map((field) => {
          const value = view.fields[field];
          const shown =
            field === "follow_up_on"
              ? value ? dateInWords(value, language) : t("session.noFollowUp")
              : String(value ?? "").trim() ? String(value) : t("session.nothing");
          return [h("dt", {}, t(`session.field.${field}`)), h("dd", { class: "recorded" }, shown, otherVersions(view, field))];
        }),
      ),
    );
  }

  /** The current stage, for the moderator: its guide, its fields (from the draft if any), and the one way on. */
  function stageForm(view, draft) {
    const stage = view.stage;
    const did = draftId(id, stage);
    const values = {};
    for (const field of editableFields(stage)) values[field] = draft?.values?.[field] ?? view.fields[field] ?? "";
    editing = { stage, values };
    const headingId = uid("stage");
    const guideId = uid("guide");
    const error = h("p", { class: "error", role: "alert" });

    // Every change is kept; while one write is on its way, later changes wait and go as one
    // (the latest values), so the draft on disk is never more than one write behind the typing.
    const keep = () => {
      if (writing) {
        again = true;
        return;
      }
      writing = (async () => {
        do {
          again = false;
          await store.saveDraft({ id: did, kind: "session", values: { ...values }, updated_at: new Date().toISOString() });
        } while (again);
      })()
        .catch((err) => {
          error.textContent = t("session.saveFailed", { detail: err?.message ?? String(err) });
        })
        .finally(() => {
          writing = null;
        });
    };

    const fields = editableFields(stage).map((field) => {
      const controlId = uid("field");
      const hintId = field === "follow_up_on" ? uid("hint") : null;
      const control =
        field === "follow_up_on"
          ? h("input", { type: "date", id: controlId, value: values[field] ?? "", "aria-describedby": hintId })
          : h("textarea", { id: controlId, rows: "5", maxlength: String(MAX_TEXT), "aria-describedby": guideId, value: values[field] ?? "" });
      control.addEventListener("input", () => {
        values[field] = control.value;
        keep();
      });
      if (field === "follow_up_on") control.addEventListener("change", () => ((values[field] = control.value), keep()));
      return h(
        "div",
        { class: "field" },
        h("label", { for: controlId }, t(`session.field.${field}`)),
        control,
        hintId ? h("p", { class: "hint", id: hintId }, t("session.followUpHint")) : null,
        otherVersions(view, field),
      );
    });

    const last = stage >= LAST_STAGE;
    const button = h("button", { type: "submit", class: "primary" }, t(last ? "session.save" : "session.next"));

    async function submit(event) {
      event.preventDefault();
      if (saving) return;
      const found = problems(stage, values, { moving: !last });
      if (found.length) {
        error.textContent = found.map((key) => t(key)).join(" ");
        focus(form.querySelector("textarea, input"));
        return;
      }
      error.textContent = "";
      status.textContent = t("session.saving");
      saving = true;
      button.disabled = true;
      try {
        await writing;
        const { me, record } = await current(store, id);
        const fresh = record ? sessionView(record, me) : null;
        if (!fresh || fresh.stage !== stage || !fresh.moderator) {
          // Moved on elsewhere (the moderator's other device): show the session as it is now; the draft stays.
          status.textContent = t("session.movedElsewhere");
          saving = false;
          await load({ focusOn: "h2" });
          return;
        }
        const payload = stagePatch(record.data, values, { moving: !last, at: formatTimestamp(Date.now()), localDay: app.today() });
        if (payload) {
          await store.saveDraft({ id: did, kind: "session", values: { ...values }, updated_at: new Date().toISOString() });
          await store.shareDraft(did, "session", payload);
        } else {
          await store.deleteDraft(did);
        }
      } catch (err) {
        saving = false;
        button.disabled = false;
        status.textContent = "";
        error.textContent = err instanceof StorageFullError ? t("study.storageFull") : t("session.saveFailed", { detail: err?.message ?? String(err) });
        return;
      }
      saving = false;
      app.syncSoon();
      if (gone) return;
      status.textContent = last ? t("session.saved") : t("session.moved", { n: stage + 1, name: t(`session.stage.${stage + 1}`) });
      await load({ focusOn: last ? "h2" : `h3[data-stage="${stage + 1}"]` });
    }

    const form = h(
      "form",
      { class: "session-form", novalidate: true, on: { submit } },
      fields,
      h("p", { class: "hint" }, t(last ? "session.draftHintLast" : "session.draftHint")),
      error,
      h("div", { class: "actions" }, button),
    );
    return h(
      "section",
      { class: "stage current", "aria-labelledby": headingId },
      h("h3", { id: headingId, "data-stage": String(stage) }, stageLine(t, stage)),
      h("p", { class: "guide", id: guideId }, t(`session.guide.${stage}`)),
      form,
    );
  }

  /** The moderator is in one of the stage's fields. */
  function typing() {
    const active = document.activeElement;
    return Boolean(editing && active && root.contains(active) && /^(TEXTAREA|INPUT)$/.test(active.tagName));
  }

  load();
  return {
    // Never redrawn under the moderator's typing or while a stage is being recorded.
    busy: () => saving || typing(),
    refresh: () => load(),
    unmount: () => {
      gone = true;
    },
  };
}
