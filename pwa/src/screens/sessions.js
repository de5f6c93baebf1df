// Intervision sessions: the list of my teams' sessions (newest first), "New session" for a coach,
// and one session (#/sessions/<id>), guided through its four stages (session-view.js). Shown in
// the navigation to members of any team (screens/index.js). The sessions are the device's edited
// records of kind "session" (pulled, with its own unsynced patches on top: store.editedRecords).
import { h, replace } from "../dom.js";
import { coachedTeams, newestFirst, sessionView } from "../intervision.js";
import { confidentialityRule, dateInWords, stageLine } from "./session-parts.js";
import { mountNewSession } from "./session-new.js";
import { mountSession } from "./session-view.js";

export const titleKey = "sessions.title";

/** Shown in the navigation to a member of any team (the pull's `me`; screens/index.js shownTo). */
export function shownTo({ me }) {
  return Boolean(me?.teams?.length);
}

export function mount(root, ctx) {
  if (ctx.param === "new") return mountNewSession(root, ctx);
  if (ctx.param) return mountSession(root, ctx, ctx.param);
  return mountList(root, ctx);
}

function mountList(root, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;
  let loads = 0;

  async function load() {
    const mine = ++loads;
    const me = await store.me();
    const records = me ? await store.editedRecords("session") : [];
    if (gone || mine !== loads) return;
    const views = newestFirst(records.map((r) => sessionView(r, me)));
    const hadFocus = root.contains(document.activeElement);
    replace(
      root,
      h(
        "section",
        { class: "card sessions" },
        h("h2", {}, t("sessions.title")),
        h("p", {}, t("sessions.intro")),
        confidentialityRule(t),
        coachedTeams(me).length
          ? h("p", {}, h("button", { type: "button", class: "primary", on: { click: () => app.navigate("sessions", "new") } }, t("sessions.new")))
          : null,
        !me ? h("p", {}, t("sessions.noMe")) : views.length ? list(views) : h("p", {}, t("sessions.none")),
      ),
    );
    if (hadFocus) root.querySelector("h2")?.focus({ preventScroll: true });
  }

  function list(views) {
    return h(
      "ul",
      { class: "session-list", "aria-label": t("sessions.listLabel") },
      views.map((v) =>
        h(
          "li",
          {},
          h("a", { href: `#/sessions/${encodeURIComponent(v.id)}` }, t("sessions.heldOn", { date: dateInWords(v.heldOn, language) })),
          h("span", { class: "session-meta" }, t("sessions.team", { team: v.teamName ?? "?" })),
          h("span", { class: "session-meta" }, t("sessions.caseOwner", { name: v.caseOwnerName ?? t("sessions.someone") })),
          h("span", { class: "session-meta" }, stageLine(t, v.stage)),
          v.pending ? h("span", { class: "tag pending" }, t("sessions.notSynced")) : null,
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
