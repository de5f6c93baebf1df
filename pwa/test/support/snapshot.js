// Library snapshots for the unit tests, shaped like GET /content/snapshot/{version} (docs/api.md).
// Questions as in tests/fixtures/library: who-else (3 options, 2 right), next-step (2 options,
// 2 right), pick-two (3 options, 1 and 2 right).

export function question(id, fields = {}) {
  return {
    id,
    competency: "discovery",
    language: "en",
    difficulty: 2,
    stem: `Stem of ${id}`,
    stem_html: `<p>Stem of ${id}</p>`,
    options: ["One", "Two", "Three"],
    correct: 2,
    explanation: `Why ${id}`,
    explanation_html: `<p>Why ${id}</p>`,
    teaching_point: `Point of ${id}`,
    nugget: null,
    tags: [],
    translation_of: null,
    rev: 1,
    epoch: 1,
    ...fields,
  };
}

export function campaign(id, questions, fields = {}) {
  return {
    id,
    title: `Campaign ${id}`,
    description: "",
    language: "en",
    audience: ["all"],
    start: "2026-12-01",
    daily_cap: 2,
    repeat: "fsrs",
    questions,
    nuggets: [],
    translation_of: null,
    rev: 1,
    ...fields,
  };
}

/** The fixture library at `version`, with optional replacements. */
export function snapshot(version = 1, { questions, campaigns } = {}) {
  return {
    version,
    published_at: "2026-11-28T10:00:00+00:00",
    competencies: [],
    nuggets: [],
    questions: questions ?? [
      question("next-step", { options: ["Later", "A dated step"], correct: 2 }),
      question("pick-two", { correct: [1, 2] }),
      question("who-else", { difficulty: 1 }),
    ],
    refreshers: [],
    campaigns: campaigns ?? [campaign("basics", ["who-else", "next-step", "pick-two"])],
  };
}

/** Local day number of 2026-12-01 (the fixture campaign's start). */
export const DEC_1 = Date.UTC(2026, 11, 1) / 86_400_000;
