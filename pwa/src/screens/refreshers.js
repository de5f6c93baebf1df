// "How do I…?" refreshers: browse them by competency, or search them (offline, MiniSearch over
// title, steps, tags and body). One tap on a result opens it (#/refreshers/<id>): its steps as
// an ordered list, then the body. Opening one is recorded for the adoption dashboard (recordOpened).
import { h, replace, uid } from "../dom.js";
import { refresherArticle } from "../cards.js";
import { competencyName, groupByCompetency, inLanguage, languageName, splitByLanguage } from "../library.js";
import { refresherIndex } from "../refresher-search.js";

export const titleKey = "refreshers.title";

const MAX_RESULTS = 20;
const opened = new Set(); // "<refresher id>\n<local day>": each recorded once a day (docs/sync.md, v3)
let lastQuery = ""; // kept while the app runs, so "back" from a refresher shows the same results
let cached = null; // {version, language, items, index}

function indexFor(snapshot, language) {
  if (cached?.version !== snapshot.version || cached?.language !== language) {
    const items = inLanguage(snapshot.refreshers, language);
    cached = { version: snapshot.version, language, items, index: refresherIndex(items) };
  }
  return cached;
}

/**
 * Record that the rep opened a refresher (an acknowledgement, payload v3, for the adoption
 * dashboard), at most once per refresher and local day while the app runs. It never gets in
 * the way of reading: a failure to record is left at that.
 */
export function recordOpened(app, refresherId) {
  if (!app?.acknowledge) return;
  const key = `${refresherId}\n${app.today()}`;
  if (opened.has(key)) return;
  opened.add(key);
  app.acknowledge("refresher", refresherId).catch(() => opened.delete(key));
}

export function mount(root, ctx) {
  const { app, store, t, language, param } = ctx;
  let gone = false;
  let version;

  async function load({ onlyIfChanged = false } = {}) {
    const content = await store.content();
    if (gone || (onlyIfChanged && (content?.version ?? null) === version)) return;
    version = content?.version ?? null;
    const snapshot = content?.snapshot;
    if (!snapshot) {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("refreshers.title")), h("p", {}, t("study.noLibrary"))));
      return;
    }
    const refresher = param ? (snapshot.refreshers ?? []).find((r) => r.id === param) : null;
    if (refresher) showRefresher(snapshot, refresher);
    else showBrowse(snapshot);
  }

  const link = (r) =>
    h("a", { class: "item", href: `#/refreshers/${encodeURIComponent(r.id)}` }, h("span", { class: "item-title", lang: r.language ?? null }, r.title));

  function showBrowse(snapshot) {
    const { items, index } = indexFor(snapshot, language);
    const inputId = uid("q");
    const hintId = uid("hint");
    const input = h("input", {
      type: "search",
      id: inputId,
      name: "q",
      value: lastQuery,
      autocomplete: "off",
      enterkeyhint: "search",
      "aria-describedby": hintId,
      on: { input: () => draw(input.value) },
    });
    const count = h("p", { class: "result-count", role: "status" });
    const results = h("div", { class: "results" });
    const form = h(
      "form",
      { role: "search", class: "search", on: { submit: (e) => (e.preventDefault(), draw(input.value)) } },
      h("label", { for: inputId }, t("refreshers.searchLabel")),
      h("p", { class: "hint", id: hintId }, t("refreshers.searchHint")),
      input,
    );

    function draw(query) {
      lastQuery = query;
      if (!query.trim()) {
        count.textContent = "";
        // The learner's language by competency; untranslated originals apart (a list in one
        // language does not mix in another's titles).
        const { mine, untranslated } = splitByLanguage(items, language);
        const tags = [...new Set(untranslated.map((r) => r.language ?? "en"))];
        replace(
          results,
          groupByCompetency(snapshot, mine, language).map((group) =>
            h(
              "section",
              { class: "group", "aria-labelledby": `g-${group.id}` },
              h("h3", { id: `g-${group.id}` }, group.name),
              h("ul", { class: "item-list" }, group.items.map((r) => h("li", {}, link(r)))),
            ),
          ),
          tags.map((tag) =>
            h(
              "section",
              { class: "group untranslated", "aria-labelledby": `l-${tag}` },
              h("h3", { id: `l-${tag}` }, t("reading.onlyIn", { language: languageName(tag, language) })),
              h("p", { class: "hint" }, t("reading.untranslated")),
              h("ul", { class: "item-list" }, groupByCompetency(snapshot, untranslated.filter((r) => (r.language ?? "en") === tag), language).flatMap((g) => g.items.map((r) => h("li", {}, link(r))))),
            ),
          ),
        );
        return;
      }
      const hits = index.search(query).slice(0, MAX_RESULTS);
      count.textContent = hits.length ? t("refreshers.results", { n: hits.length }) : t("refreshers.noResults", { query: query.trim() });
      replace(
        results,
        hits.length
          ? h(
              "ul",
              { class: "item-list" },
              hits.map(({ refresher: r }) =>
                h("li", {}, h("a", { class: "item", href: `#/refreshers/${encodeURIComponent(r.id)}` },
                  h("span", { class: "item-title", lang: r.language ?? null }, r.title),
                  h("span", { class: "item-meta" }, competencyName(snapshot, r.competency, language)),
                )),
              ),
            )
          : null,
      );
    }

    replace(
      root,
      h("section", { class: "card" }, h("h2", {}, t("refreshers.title")), h("p", { class: "muted" }, t("refreshers.intro")), form, count, results),
    );
    draw(lastQuery);
  }

  function showRefresher(snapshot, r) {
    const back = h("a", { href: "#/refreshers" }, h("span", { "aria-hidden": "true" }, "← "), t(lastQuery.trim() ? "refreshers.backToResults" : "refreshers.all"));
    replace(root, refresherArticle(snapshot, r, { t, language, back }));
    recordOpened(app, r.id);
  }

  load();
  return {
    refresh: () => load({ onlyIfChanged: true }),
    unmount: () => {
      gone = true;
    },
  };
}
