// Two-minute lessons ("nuggets"): the list by competency, with reading minutes and the ones
// marked as done; the reader (#/nuggets/<id>) with "Mark as done". Marking records an
// acknowledgement (app.acknowledge), so "done" follows the learner to their other devices; a
// sync that brings a change from another device redraws the screen.
import { focus, h, replace } from "../dom.js";
import { groupByCompetency, inLanguage, languageName, splitByLanguage } from "../library.js";
import { nuggetArticle } from "../cards.js";

export const titleKey = "nuggets.title";

export function mount(root, ctx) {
  const { app, store, t, language, param } = ctx;
  let gone = false;
  let version = null; // the library version on screen
  let shown = null; // keyOf what is on screen
  // The reader shows one nugget's state (true/false), the list every done nugget's id.
  const keyOf = (state) => JSON.stringify([version, state]);

  async function load({ onlyIfChanged = false } = {}) {
    const [content, done] = await Promise.all([store.content(), store.nuggetsDone()]);
    if (gone) return;
    const snapshot = content?.snapshot;
    const nugget = param && snapshot ? (snapshot.nuggets ?? []).find((n) => n.id === param) : null;
    version = content?.version ?? null;
    const key = keyOf(nugget ? done.has(nugget.id) : [...done].sort());
    if (onlyIfChanged && key === shown) return;
    shown = key;
    const nuggets = inLanguage(snapshot?.nuggets, language);
    if (!snapshot) {
      replace(root, h("section", { class: "card" }, h("h2", {}, t("nuggets.title")), h("p", {}, t("study.noLibrary"))));
      return;
    }
    if (nugget) showReader(snapshot, nugget, done);
    else showList(snapshot, nuggets, done);
  }

  function meta(nugget) {
    return t("nuggets.minutes", { n: nugget.minutes ?? 2 });
  }

  function item(n, done, extra = null) {
    return h(
      "li",
      {},
      h(
        "a",
        { class: done.has(n.id) ? "item done" : "item", href: `#/nuggets/${encodeURIComponent(n.id)}` },
        h("span", { class: "item-title", lang: n.language ?? null }, n.title),
        h(
          "span",
          { class: "item-meta" },
          extra ? `${extra} · ` : null,
          meta(n),
          done.has(n.id) ? h("span", { class: "badge" }, h("span", { "aria-hidden": "true" }, "✓ "), t("nuggets.done")) : null,
        ),
      ),
    );
  }

  function showList(snapshot, nuggets, done) {
    // The learner's language by competency; untranslated originals apart, by their language.
    const { mine, untranslated } = splitByLanguage(snapshot.nuggets, language);
    const groups = groupByCompetency(snapshot, mine, language);
    const byLanguage = new Map();
    for (const n of untranslated) {
      const tag = n.language ?? "en";
      if (!byLanguage.has(tag)) byLanguage.set(tag, []);
      byLanguage.get(tag).push(n);
    }
    const count = nuggets.filter((n) => done.has(n.id)).length;
    replace(
      root,
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("nuggets.title")),
        h("p", { class: "muted" }, t("nuggets.intro")),
        nuggets.length ? h("p", {}, t("nuggets.doneCount", { done: count, n: nuggets.length })) : h("p", {}, t("nuggets.none")),
        groups.map((group) =>
          h(
            "section",
            { class: "group", "aria-labelledby": `g-${group.id}` },
            h("h3", { id: `g-${group.id}` }, group.name),
            h("ul", { class: "item-list" }, group.items.map((n) => item(n, done))),
          ),
        ),
        [...byLanguage.entries()].map(([tag, list]) =>
          h(
            "section",
            { class: "group untranslated", "aria-labelledby": `l-${tag}` },
            h("h3", { id: `l-${tag}` }, t("reading.onlyIn", { language: languageName(tag, language) })),
            h("p", { class: "hint" }, t("reading.untranslated")),
            h("ul", { class: "item-list" }, groupByCompetency(snapshot, list, language).flatMap((g) => g.items.map((n) => item(n, done, g.name)))),
          ),
        ),
      ),
    );
  }

  function showReader(snapshot, nugget, done) {
    const status = h("p", { class: "saved", role: "status" });
    const actions = h("div", { class: "actions" });
    const drawActions = (isDone) => {
      const toggle = h(
        "button",
        {
          type: "button",
          class: isDone ? "secondary" : "primary",
          on: { click: () => mark(!isDone) },
        },
        t(isDone ? "nuggets.markNotDone" : "nuggets.markDone"),
      );
      replace(actions, toggle);
      return toggle;
    };
    async function mark(value) {
      try {
        await app.acknowledge("nugget", nugget.id, value);
      } catch (err) {
        status.textContent = t("nuggets.saveFailed", { detail: err?.message ?? String(err) });
        return;
      }
      if (gone) return;
      shown = keyOf(value); // what the reader now shows
      status.textContent = t(value ? "nuggets.markedDone" : "nuggets.markedNotDone");
      focus(drawActions(value));
    }
    const back = h("a", { href: "#/nuggets" }, h("span", { "aria-hidden": "true" }, "← "), t("nuggets.all"));
    replace(root, nuggetArticle(snapshot, nugget, { t, language, back, after: [status, actions] }));
    drawActions(done.has(nugget.id));
  }

  load();
  return {
    // A new library, or done states changed by a sync; otherwise the learner reads on.
    refresh: () => load({ onlyIfChanged: true }),
    unmount: () => {
      gone = true;
    },
  };
}
