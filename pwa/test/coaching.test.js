// Tests for coach mode's pure pieces (src/coaching.js), without a browser: who a coach coaches
// from `me`, which rubric rates each competency, what a rep's summary says, what stops a draft
// from being shared, and the observation patch a draft becomes (its fields as
// sync/kinds/observation.py names them, empty ones left out).
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  LIMITS,
  behaviourOf,
  canObserve,
  completeValues,
  dayToDate,
  newDraftValues,
  observationPayload,
  practiceOf,
  problemsOf,
  ratingsOf,
  rubricsByCompetency,
  seesTeam,
  statusOf,
  teamReps,
  weakestLines,
} from "../src/coaching.js";
import { CATALOGUE, translator } from "../src/i18n.js";
import { shownTo as teamShownTo } from "../src/screens/team.js";

const behaviour = (id, text) => ({ id, text, levels: { 1: `${text} 1`, 2: `${text} 2`, 3: `${text} 3`, 4: `${text} 4` } });
const SNAPSHOT = {
  competencies: [{ id: "needs-analysis", name: "Needs analysis" }, { id: "customer-conversations", name: "Customer conversations" }, { id: "qualification" }],
  rubrics: [
    { id: "conversation-rubric", competency: "customer-conversations", language: "en", title: "A conversation", behaviours: [behaviour("opens", "Opens with their world"), behaviour("summarises", "Summarises before proposing")] },
    { id: "conversation-rubric-nl", competency: "customer-conversations", language: "nl", translation_of: "conversation-rubric", title: "Een gesprek", behaviours: [behaviour("opens", "Opent met hun wereld"), behaviour("summarises", "Vat samen")] },
    { id: "discovery-rubric", competency: "needs-analysis", language: "en", title: "Discovery", behaviours: [behaviour("asks-who", "Asks who else decides")] },
  ],
};

const ME = {
  user_id: "u-coach",
  name: "Casey Coach",
  roles: ["coach"],
  teams: [
    {
      id: "demo",
      name: "Demo",
      role: "coach",
      members: [
        { user_id: "u-coach", name: "Casey Coach", role: "coach", summary: null },
        {
          user_id: "u-robin",
          name: "Robin Rep",
          role: "rep",
          summary: {
            last_observed_on: "2026-11-30",
            observations: 2,
            weakest: [{ rubric_id: "discovery-rubric", behaviour_id: "asks-who", rating: 1, observed_on: "2026-11-30" }, { rubric_id: "gone", behaviour_id: "vanished", rating: 2, observed_on: "2026-11-29" }],
            practice: { assigned: 4, answered: 3, right: 2, last_on: "2026-12-01" },
          },
        },
        { user_id: "u-manager", name: "Morgan", role: "manager", summary: null },
      ],
    },
    { id: "north", name: "North", role: "manager", members: [{ user_id: "u-riley", name: "Ailey Rep", role: "rep", summary: null }] },
    { id: "own", name: "Own", role: "rep", members: [{ user_id: "u-other", name: "Other Rep", role: "rep", summary: null }] },
  ],
};

describe("who coaches whom", () => {
  test("the reps of the teams I coach or manage, by name; a manager's reps are read-only", () => {
    const reps = teamReps(ME);
    assert.deepEqual(reps.map((r) => [r.user_id, r.canObserve, r.teams]), [["u-riley", false, ["North"]], ["u-robin", true, ["Demo"]]]);
    assert.equal(reps[1].summary.observations, 2);
  });

  test("Team shows for coaches and managers, never for a rep; only a coach writes", () => {
    assert.equal(seesTeam(ME), true);
    assert.equal(canObserve(ME), true);
    const manager = { roles: ["manager"], teams: [{ id: "demo", role: "manager", members: [] }] };
    assert.equal(seesTeam(manager), true);
    assert.equal(canObserve(manager), false);
    const rep = { roles: ["rep"], teams: [{ id: "demo", role: "rep", members: [{ user_id: "x", role: "rep" }] }] };
    assert.equal(seesTeam(rep), false);
    assert.equal(seesTeam(null), false);
    assert.deepEqual(teamReps(rep), []);
    // The navigation's rule (screens/index.js): the link follows the pull's `me`.
    assert.equal(teamShownTo({ me: ME, sharedWithMe: false }), true);
    assert.equal(teamShownTo({ me: rep, sharedWithMe: true }), false);
    assert.equal(teamShownTo({ me: null, sharedWithMe: false }), false);
  });
});

describe("rubrics", () => {
  test("each competency's rubric in my language, else the English one, in library order", () => {
    assert.deepEqual(rubricsByCompetency(SNAPSHOT, "nl").map((r) => r.rubric.id), ["discovery-rubric", "conversation-rubric-nl"]);
    assert.deepEqual(rubricsByCompetency(SNAPSHOT, "en").map((r) => r.rubric.id), ["discovery-rubric", "conversation-rubric"]);
    assert.deepEqual(rubricsByCompetency({}, "en"), []);
  });

  test("a behaviour's text in my language, from the rubric named or its translation", () => {
    assert.equal(behaviourOf(SNAPSHOT, "conversation-rubric", "opens", "nl").text, "Opent met hun wereld");
    assert.equal(behaviourOf(SNAPSHOT, "conversation-rubric-nl", "opens", "en").text, "Opens with their world");
    assert.equal(behaviourOf(SNAPSHOT, "discovery-rubric", "asks-who", "nl").text, "Asks who else decides");
    assert.equal(behaviourOf(SNAPSHOT, "nope", "asks-who", "en"), null);
  });
});

describe("a rep's summary", () => {
  test("weakest behaviours by their text, with the rating; an unknown behaviour by its id", () => {
    const robin = teamReps(ME).find((r) => r.user_id === "u-robin");
    assert.deepEqual(
      weakestLines(robin.summary, SNAPSHOT, "en").map((w) => [w.text, w.rating]),
      [["Asks who else decides", 1], ["vanished", 2]],
    );
    assert.deepEqual(weakestLines(null, SNAPSHOT, "en"), []);
  });

  test("practice as the catalogue says it", () => {
    const t = translator("en");
    const p = practiceOf(ME.teams[0].members[1].summary);
    assert.equal(t("team.practice", { answered: p.answered, n: p.assigned, right: p.right }), "3 of 4 practice questions answered, 2 right.");
    assert.deepEqual(practiceOf(null), { assigned: 0, answered: 0, right: 0, last_on: null });
    assert.equal(translator("nl")("team.practice", { answered: 1, n: 1, right: 0 }), "1 van 1 oefenvraag beantwoord, 0 goed.");
  });
});

describe("from draft to observation", () => {
  const TODAY = 20_423; // 2025-12-01
  const filled = () =>
    completeValues(
      {
        ...newDraftValues(TODAY, "u-robin"),
        meeting_type: "Demo ",
        customer: "Acme",
        competencies: ["needs-analysis"],
        ratings: { "discovery-rubric:asks-who": "2", "conversation-rubric:opens": "3" },
        evidence: { "discovery-rubric:asks-who": "Never asked about the CFO.", "conversation-rubric:opens": "left behind" },
        strengths: "Warm opening",
        next_step: "Map the buying group",
        next_step_due: "2025-12-08",
      },
      TODAY,
    );

  test("a new draft is observed today", () => {
    assert.equal(dayToDate(TODAY), "2025-12-01");
    assert.equal(newDraftValues(TODAY).observed_on, "2025-12-01");
  });

  test("a rep and one rating of a chosen competency are needed, in form order", () => {
    assert.deepEqual(problemsOf(filled(), SNAPSHOT.rubrics), []);
    const empty = completeValues({}, TODAY);
    assert.deepEqual(problemsOf(empty, SNAPSHOT.rubrics).map((p) => p.field), ["rep_id", "ratings"]);
    // A rating of a competency no longer chosen does not count.
    const unticked = { ...filled(), competencies: ["customer-conversations"], ratings: { "discovery-rubric:asks-who": "2" } };
    assert.deepEqual(problemsOf(unticked, SNAPSHOT.rubrics).map((p) => p.key), ["observe.needRating"]);
    const long = { ...filled(), customer: "x".repeat(LIMITS.name + 1), notes: "y".repeat(LIMITS.long + 1) };
    assert.deepEqual(problemsOf(long, SNAPSHOT.rubrics).map((p) => p.field), ["customer", "notes"]);
  });

  test("the patch sets every filled-in field of the chosen competencies, shared, nothing empty", () => {
    const payload = observationPayload(filled(), SNAPSHOT.rubrics, { id: "0190-id", at: "2025-12-01T09:00:00.000Z", localDay: TODAY });
    assert.deepEqual(payload, {
      id: "0190-id",
      base_rev: 0,
      set: {
        rep_id: "u-robin",
        observed_on: "2025-12-01",
        meeting_type: "Demo",
        customer: "Acme",
        competencies: ["needs-analysis"],
        "rating:discovery-rubric:asks-who": 2,
        "evidence:discovery-rubric:asks-who": "Never asked about the CFO.",
        strengths: "Warm opening",
        next_step: "Map the buying group",
        next_step_due: "2025-12-08",
        shared: true,
      },
      resolve: [],
      at: "2025-12-01T09:00:00.000Z",
      local_day: TODAY,
    });
  });

  test("an observation's ratings read back with behaviour texts and levels", () => {
    const { set } = observationPayload(filled(), SNAPSHOT.rubrics, { id: "x", at: "t", localDay: TODAY });
    const groups = ratingsOf(set, SNAPSHOT, "en");
    assert.deepEqual(groups.map((g) => [g.title, g.behaviours.map((b) => [b.text, b.rating, b.level, b.evidence])]), [
      ["Discovery", [["Asks who else decides", 2, "Asks who else decides 2", "Never asked about the CFO."]]],
    ]);
  });

  test("status: shared or draft, and whether it waits to sync", () => {
    assert.deepEqual(statusOf({ data: { shared: true }, pending: true }), { shared: true, pending: true });
    assert.deepEqual(statusOf({ data: { rev: 0, fields: { shared: false } }, pending: false }), { shared: false, pending: false });
  });
});

test("every coach string is in English and Dutch", () => {
  for (const key of Object.keys(CATALOGUE.en).filter((k) => /^(team|observe|observation)\./.test(k))) {
    assert.ok(Object.hasOwn(CATALOGUE.nl, key), key);
    assert.notEqual(CATALOGUE.nl[key], undefined, key);
  }
});
