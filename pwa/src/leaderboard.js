// Leaderboards (docs/app.md "Leaderboard", docs/measures.md "Leaderboards"): the pull's
// `leaderboard` checked before it is kept, and the words around it. Pure: no DOM, no storage.

const isCount = (n) => Number.isSafeInteger(n) && n >= 0;
const isRank = (n) => Number.isSafeInteger(n) && n >= 1;
const isText = (s) => typeof s === "string" && s.length > 0 && s.length <= 200;

/**
 * The pull's `leaderboard` as the device keeps it, or null when it is not well formed (a
 * malformed one is never kept: the screen then shows the last good one, or nothing).
 * Only the fields the screen uses are kept.
 */
export function checkLeaderboard(board) {
  if (!board || typeof board !== "object") return null;
  const { as_of: asOf, window_days: windowDays, top, me, teams } = board;
  if (typeof asOf !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !isRank(windowDays)) return null;
  if (!Array.isArray(top) || !Array.isArray(teams) || top.length > 10) return null;
  if (!top.every((r) => r && isRank(r.rank) && isText(r.name) && isCount(r.score))) return null;
  if (!teams.every((t) => t && isRank(t.rank) && isText(t.team_id) && isText(t.name) && Number.isFinite(t.average) && t.average >= 0 && isRank(t.reps))) return null;
  if (me != null && !(isRank(me.rank) && isRank(me.of) && me.rank <= me.of && isCount(me.score))) return null;
  return {
    as_of: asOf,
    window_days: windowDays,
    top: top.map(({ rank, name, score }) => ({ rank, name, score })),
    me: me == null ? null : { rank: me.rank, of: me.of, score: me.score },
    teams: teams.map(({ rank, team_id, name, average, reps }) => ({ rank, team_id, name, average, reps })),
  };
}

const SUFFIX_EN = { one: "st", two: "nd", few: "rd", other: "th" };

/** A rank as an ordinal: 1st, 2nd, 23rd, 11th (en); 1e, 23e (nl). */
export function ordinal(rank, language) {
  if (language === "nl") return `${rank}e`;
  return `${rank}${SUFFIX_EN[new Intl.PluralRules("en", { type: "ordinal" }).select(rank)] ?? "th"}`;
}

/** A team's average as people read it, one decimal, in the language's notation. */
export function average(value, language) {
  return new Intl.NumberFormat(language === "nl" ? "nl-NL" : "en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}
