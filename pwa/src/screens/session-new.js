// "New session": a coach picks the team, the case owner (a member of it) and the date held; the
// session is recorded at once (a patch with base_rev 0, through the outbox, also offline) and
// opens at stage 1, with this coach as its moderator.
import { focus, h, replace, uid } from "../dom.js";
import { coachedTeams, createPatch, isoDate } from "../intervision.js";
import { formatTimestamp } from "../sync/rules.js";
import { uuid7 } from "../uuid7.js";
import { confidentialityRule } from "./session-parts.js";

function labelled(label, control) {
  const id = uid("session-new");
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export function mountNewSession(root, ctx) {
  const { app, store, t } = ctx;
  let gone = false;
  let saving = false;

  async function load() {
    const me = await store.me();
    if (gone) return;
    const teams = coachedTeams(me);
    if (!teams.length) {
      replace(root, h("section", { class: "card sessions" }, h("h2", {}, t("session.newTitle")), confidentialityRule(t), h("p", {}, t("session.noTeams"))));
      return;
    }
    const team = h(
      "select",
      { on: { change: () => fillOwners() } },
      teams.map((tm) => h("option", { value: tm.id }, tm.name ?? tm.id)),
    );
    const owner = h("select", { required: true });
    const heldOn = h("input", { type: "date", required: true, value: isoDate(app.today()) });
    const error = h("p", { class: "error", role: "alert" });
    const start = h("button", { type: "submit", class: "primary" }, t("session.start"));

    function fillOwners() {
      const chosen = teams.find((tm) => tm.id === team.value) ?? teams[0];
      replace(
        owner,
        h("option", { value: "" }, t("session.pickOwner")),
        (chosen.members ?? []).map((m) => h("option", { value: m.user_id }, m.name ?? m.user_id)),
      );
    }
    fillOwners();

    async function submit(event) {
      event.preventDefault();
      if (saving) return;
      if (!owner.value) {
        error.textContent = t("session.pickOwner");
        focus(owner);
        return;
      }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(heldOn.value)) {
        error.textContent = t("session.needDate");
        focus(heldOn);
        return;
      }
      error.textContent = "";
      saving = true;
      start.disabled = true;
      const id = uuid7();
      try {
        const payload = createPatch({ id, teamId: team.value, caseOwnerId: owner.value, heldOn: heldOn.value, at: formatTimestamp(Date.now()), localDay: app.today() });
        await app.client.record("session", 1, payload);
      } catch (err) {
        saving = false;
        start.disabled = false;
        error.textContent = t("session.saveFailed", { detail: err?.message ?? String(err) });
        return;
      }
      app.syncSoon();
      if (!gone) app.navigate("sessions", id);
    }

    replace(
      root,
      h(
        "section",
        { class: "card sessions" },
        h("h2", {}, t("session.newTitle")),
        confidentialityRule(t),
        h("p", {}, t("session.newIntro")),
        h(
          "form",
          { class: "session-form", novalidate: true, on: { submit } },
          labelled(t("session.team"), team),
          labelled(t("session.caseOwnerLabel"), owner),
          labelled(t("session.heldOnLabel"), heldOn),
          error,
          h(
            "div",
            { class: "actions" },
            start,
            h("button", { type: "button", class: "secondary", on: { click: () => app.navigate("sessions") } }, t("session.cancel")),
          ),
        ),
      ),
    );
  }

  load();
  return {
    busy: () => true, // a form being filled in is never redrawn by a sync
    unmount: () => {
      gone = true;
    },
  };
}
