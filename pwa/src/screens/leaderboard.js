// "Leaderboard" (docs/app.md "Leaderboard"): when the organisation has them on, the top 10 reps
// and the teams by their average, from the last pull's `leaderboard` kept on this device (works
// offline; says "as of" which day). The rep's own place is a separate line marked as private:
// the server never sends anyone else's place below the top 10.
import { h, replace } from "../dom.js";
import { average, ordinal } from "../leaderboard.js";
import { formatDay } from "../i18n.js";
import { dayOfDate } from "../study-plan.js";

export const titleKey = "leaderboard.title";

/** The navigation offers Leaderboard only while a leaderboard is kept (App#audience). */
export const shownTo = (audience) => Boolean(audience?.leaderboard);

export function mount(root, ctx) {
  const { store, t, language } = ctx;
  let gone = false;
  let shown = null;

  async function load() {
    const board = await store.leaderboard();
    if (gone) return;
    const key = JSON.stringify([board, language]);
    if (key === shown) return;
    shown = key;
    replace(root, board ? view(board) : h("section", { class: "card leaderboard" }, h("h2", {}, t("leaderboard.title")), h("p", {}, t("leaderboard.none"))));
  }

  function view(board) {
    const asOf = dayOfDate(board.as_of);
    return h(
      "section",
      { class: "card leaderboard" },
      h("h2", {}, t("leaderboard.title")),
      h("p", { class: "hint" }, t("leaderboard.asOf", { date: asOf == null ? board.as_of : formatDay(asOf, language), days: board.window_days })),
      h("p", { class: "hint" }, t("leaderboard.means")),
      mine(board.me),
      board.top.length
        ? table(
            t("leaderboard.topCaption"),
            [t("leaderboard.rank"), t("leaderboard.name"), t("leaderboard.score")],
            board.top.map((r) => [ordinal(r.rank, language), r.name, String(r.score)]),
          )
        : h("p", {}, t("leaderboard.noTop")),
      board.teams.length
        ? table(
            t("leaderboard.teamsCaption"),
            [t("leaderboard.rank"), t("leaderboard.team"), t("leaderboard.average"), t("leaderboard.reps")],
            board.teams.map((team) => [ordinal(team.rank, language), team.name, average(team.average, language), String(team.reps)]),
          )
        : h("p", {}, t("leaderboard.noTeams")),
      h("p", { class: "hint" }, t("leaderboard.teamsNote")),
    );
  }

  function mine(me) {
    return h(
      "section",
      { class: "leaderboard-mine", "aria-labelledby": "leaderboard-mine" },
      h("h3", { id: "leaderboard-mine" }, t("leaderboard.mineHeading")),
      h("p", { class: "leaderboard-me" }, me ? t("leaderboard.mine", { place: ordinal(me.rank, language), of: me.of, n: me.score }) : t("leaderboard.notRep")),
    );
  }

  function table(caption, headers, rows) {
    return h(
      "table",
      { class: "leaderboard-table" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((text, i) => h("th", { scope: "col", class: i === 0 || i >= 2 ? "num" : null }, text)))),
      h(
        "tbody",
        {},
        rows.map((cells) => h("tr", {}, cells.map((text, i) => (i === 1 ? h("th", { scope: "row" }, text) : h("td", { class: "num" }, text))))),
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
