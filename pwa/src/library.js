// The library's reading material for the screens: pure functions over the snapshot document
// (docs/api.md). Nuggets and refreshers are shown in the learner's language: an item in that
// language, else the original when it has no translation into it.

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The items (nuggets or refreshers) for a learner reading `language`, in two parts: `mine`, those
 * in that language, and `untranslated`, originals in another language that have no translation
 * into it (shown apart, so that a list in one language does not mix in another's titles).
 */
export function splitByLanguage(items, language) {
  const all = [...(items ?? [])].sort(byId);
  const mine = all.filter((i) => (i.language ?? "en") === language);
  const translated = new Set(mine.map((i) => i.translation_of).filter(Boolean));
  const untranslated = all.filter((i) => (i.language ?? "en") !== language && !i.translation_of && !translated.has(i.id));
  return { mine, untranslated };
}

/** The items (nuggets or refreshers) to show a learner reading `language`: theirs, then the untranslated. */
export function inLanguage(items, language) {
  const { mine, untranslated } = splitByLanguage(items, language);
  return [...mine, ...untranslated];
}

/** A language's name in `language` ("Engels" for en in Dutch), or its tag. */
export function languageName(tag, language) {
  try {
    return new Intl.DisplayNames([language], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** A competency's name in `language` (its translation if it has one), or its id. */
export function competencyName(snapshot, id, language) {
  const c = (snapshot?.competencies ?? []).find((x) => x.id === id);
  if (!c) return id ?? "";
  return c.translations?.[language]?.name ?? c.name ?? id;
}

/**
 * Items grouped by competency: [{id, name, items}], groups in competency order of the
 * library (unknown competencies last), items by title.
 */
export function groupByCompetency(snapshot, items, language) {
  const order = (snapshot?.competencies ?? []).map((c) => c.id);
  const groups = new Map();
  for (const item of items) {
    const key = item.competency ?? "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  const collator = new Intl.Collator(language);
  return [...groups.entries()]
    .map(([id, list]) => ({ id, name: competencyName(snapshot, id, language), items: list.sort((a, b) => collator.compare(a.title, b.title)) }))
    .sort((a, b) => rank(a.id) - rank(b.id) || collator.compare(a.name, b.name));
}

/** Plain text of server-rendered HTML (for searching; never for display). */
export function htmlToText(html) {
  return String(html ?? "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'", nbsp: " " })[e])
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/\s+/g, " ")
    .trim();
}

/** How many related refreshers the feedback after an answer offers at most. */
export const RELATED_REFRESHERS = 3;

/**
 * What to read after answering question `q`: its lesson (`nugget`, in the snapshot), and the
 * refreshers of its competency (the schema has no field relating refreshers to questions), in
 * the question's language as the Refreshers list shows them (inLanguage), by title, at most
 * RELATED_REFRESHERS. {nugget: entry|null, refreshers: entry[]}.
 */
export function relatedReading(snapshot, q, language) {
  const nugget = q?.nugget ? ((snapshot?.nuggets ?? []).find((n) => n.id === q.nugget) ?? null) : null;
  const wanted = q?.language ?? language;
  const collator = new Intl.Collator(wanted);
  const refreshers = inLanguage(snapshot?.refreshers, wanted)
    .filter((r) => q?.competency && r.competency === q.competency)
    .sort((a, b) => collator.compare(a.title, b.title))
    .slice(0, RELATED_REFRESHERS);
  return { nugget, refreshers };
}

/**
 * The library's pitch prompts (docs/content.md "Pitch prompt"; none in a snapshot published
 * before they existed). With `language`: those a learner reading it sees (inLanguage: theirs,
 * then originals without a translation into it), by title; without: all of them, by id.
 */
export function pitchPrompts(snapshot, language) {
  const all = Array.isArray(snapshot?.pitch_prompts) ? snapshot.pitch_prompts : [];
  if (language == null) return [...all].sort(byId);
  const { mine, untranslated } = splitByLanguage(all, language);
  const collator = new Intl.Collator(language);
  const byTitle = (a, b) => collator.compare(a.title ?? "", b.title ?? "");
  return [...mine.sort(byTitle), ...untranslated.sort(byTitle)];
}

/** One pitch prompt by id (a withdrawn or unknown id: null). */
export function pitchPrompt(snapshot, id) {
  return (Array.isArray(snapshot?.pitch_prompts) ? snapshot.pitch_prompts : []).find((p) => p.id === id) ?? null;
}
