// Full-text search over the "How do I…?" refreshers, on the device (works offline), with
// MiniSearch: title, steps, tags and the body's text; prefix and fuzzy matching, so "stakeh"
// and "stakehoder" still find something. Pure: no DOM, testable under node.
import MiniSearch from "minisearch";
import { htmlToText } from "./library.js";

// Words that every refresher shares ("How do I …?") or that carry no meaning: left out of the
// query so they do not drown the words that matter.
const STOP = new Set(
  (
    "a an and are as at be by do does for from how i in is it me my of on or so that the this to we what when with you your " +
    "de een en het hoe ik in is je jij mijn om op te van voor wat wie bij met dat die er"
  ).split(" "),
);

const WORDS = /[\p{L}\p{N}]+/gu;

/** Lower-case words of a text, stop words left out. */
function tokenize(text) {
  return (String(text ?? "").toLowerCase().match(WORDS) ?? []).filter((w) => !STOP.has(w));
}

/**
 * A light suffix-stripping stem, the same for the index and the query, so that "decides",
 * "decided" and "decision" meet ("-sion" after a vowel comes from "-de": decide, decision).
 */
export function stem(word) {
  const w = word.toLowerCase();
  if (w.length <= 4) return w;
  let m;
  if ((m = /^(.*[aeiou])sions?$/.exec(w))) return `${m[1]}d`;
  if ((m = /^(.{3,})ies$/.exec(w))) return `${m[1]}y`;
  if ((m = /^(.{3,})(ing|ed|es)$/.exec(w))) return m[1];
  if ((m = /^(.{3,}[^s])s$/.exec(w))) return m[1];
  if ((m = /^(.{3,})e$/.exec(w))) return m[1];
  return w;
}

/**
 * A search index over these refreshers.
 * @param {object[]} refreshers from the snapshot document
 * @returns {{search(query: string): Array<{id: string, score: number, refresher: object}>}}
 */
export function refresherIndex(refreshers) {
  const byId = new Map(refreshers.map((r) => [r.id, r]));
  const index = new MiniSearch({
    fields: ["title", "steps", "tags", "body"],
    tokenize,
    processTerm: stem,
    searchOptions: {
      boost: { title: 3, tags: 2, steps: 1.5 },
      prefix: true,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false), // "who" is not a typo of "why"
      combineWith: "OR",
      tokenize,
      processTerm: stem,
    },
  });
  index.addAll(
    refreshers.map((r) => ({
      id: r.id,
      title: r.title ?? "",
      steps: (r.steps ?? []).join("\n"),
      tags: (r.tags ?? []).map((tag) => String(tag).replace(/-/g, " ")).join(" "),
      body: htmlToText(r.body_html ?? r.body ?? ""),
    })),
  );
  return {
    search(query) {
      if (!tokenize(query).length) return [];
      return index.search(query).map((hit) => ({ id: hit.id, score: hit.score, match: hit.match, refresher: byId.get(hit.id) }));
    },
  };
}
