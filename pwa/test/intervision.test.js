// Tests for src/intervision.js: the four stages in order (the patch that records a stage and moves
// on exactly one, no skipping, which fields each stage writes), the session as the screens see
// it, and when the case owner's commitment comes back (by local day).
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  LAST_STAGE,
  STAGES,
  coachedTeams,
  createPatch,
  draftId,
  dueCommitments,
  editableFields,
  isoDate,
  newestFirst,
  problems,
  sessionView,
  stageOf,
  stageOfField,
  stagePatch,
} from "../src/intervision.js";
import { dayOfDate } from "../src/study-plan.js";

const AT = "2026-12-01T09:00:00.000Z";
const ID = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

const ME = {
  user_id: "u-coach",
  name: "Casey Coach",
  teams: [
    { id: "demo", name: "Demo", role: "coach", members: [{ user_id: "u-rep", name: "Robin Rep", role: "rep" }, { user_id: "u-coach", name: "Casey Coach", role: "coach" }] },
    { id: "north", name: "North", role: "rep", members: [] },
  ],
};

function session(stage, fields = {}, rev = 3) {
  return { id: ID, rev, moderator_id: "u-coach", team_id: "demo", case_owner_id: "u-rep", stage, fields: { team_id: "demo", case_owner_id: "u-rep", held_on: "2026-12-01", stage, ...fields }, conflicts: {} };
}

describe("stages", () => {
  test("four stages, in order, each writing its own fields", () => {
    assert.deepEqual(STAGES.map((s) => s.number), [1, 2, 3, 4]);
    assert.equal(LAST_STAGE, 4);
    assert.deepEqual(editableFields(1), ["question"]);
    assert.deepEqual(editableFields(2), ["clarifying_questions"]);
    assert.deepEqual(editableFields(3), ["ideas"]);
    assert.deepEqual(editableFields(4), ["reflection", "commitment", "follow_up_on"]);
    assert.deepEqual(editableFields(5), []);
    assert.equal(stageOfField("commitment"), 4);
    assert.equal(stageOfField("team_id"), null);
    // Every field is written at exactly one stage.
    const all = STAGES.flatMap((s) => s.fields);
    assert.equal(new Set(all).size, all.length);
  });

  test("the stage a session is at: its fields', else 1 for anything malformed", () => {
    assert.equal(stageOf(session(3)), 3);
    assert.equal(stageOf({ fields: {}, stage: 2 }), 2);
    assert.equal(stageOf({ fields: { stage: 9 } }), 1);
    assert.equal(stageOf(null), 1);
  });

  test("Next stage records the stage's fields and moves on exactly one, against the pulled rev", () => {
    const payload = stagePatch(session(2, { question: "How?" }), { clarifying_questions: "Who decides?" }, { moving: true, at: AT, localDay: 20_000 });
    assert.deepEqual(payload, { id: ID, base_rev: 3, set: { clarifying_questions: "Who decides?", stage: 3 }, resolve: [], at: AT, local_day: 20_000 });
  });

  test("there is no skipping: a patch never names a stage other than the next", () => {
    for (let stage = 1; stage < LAST_STAGE; stage += 1) {
      const payload = stagePatch(session(stage), {}, { moving: true, at: AT, localDay: 1 });
      assert.equal(payload.set.stage, stage + 1);
    }
    assert.throws(() => stagePatch(session(4), {}, { moving: true, at: AT, localDay: 1 }), /last/);
  });

  test("only the current stage's fields may be written", () => {
    assert.throws(() => stagePatch(session(2), { question: "rewritten" }, { moving: false, at: AT, localDay: 1 }), /not written at stage 2/);
    assert.throws(() => stagePatch(session(1), { commitment: "early" }, { moving: true, at: AT, localDay: 1 }), /not written at stage 1/);
    assert.throws(() => stagePatch(session(4), { stage: 2 }, { moving: false, at: AT, localDay: 1 }), /not written/);
  });

  test("Save at the last stage sends what changed; a blank follow-up date is null; nothing changed, nothing sent", () => {
    const held = session(4, { reflection: "Struck me", commitment: "" });
    const payload = stagePatch(held, { reflection: "Struck me", commitment: "Call two ward managers", follow_up_on: "2026-12-08" }, { moving: false, at: AT, localDay: 2 });
    assert.deepEqual(payload.set, { commitment: "Call two ward managers", follow_up_on: "2026-12-08" });
    const cleared = stagePatch(session(4, { follow_up_on: "2026-12-08" }), { follow_up_on: "" }, { moving: false, at: AT, localDay: 2 });
    assert.deepEqual(cleared.set, { follow_up_on: null });
    assert.equal(stagePatch(held, { reflection: "Struck me" }, { moving: false, at: AT, localDay: 2 }), null);
  });

  test("a session made on this device and not synced yet is patched against rev 0", () => {
    const local = { id: ID, rev: 0, fields: { team_id: "demo", case_owner_id: "u-rep", held_on: "2026-12-01", stage: 1 } };
    assert.equal(stagePatch(local, { question: "Q" }, { moving: true, at: AT, localDay: 1 }).base_rev, 0);
  });

  test("what must be right before a stage is recorded", () => {
    assert.deepEqual(problems(1, { question: "  " }, { moving: true }), ["session.needQuestion"]);
    assert.deepEqual(problems(1, { question: "What can I do?" }, { moving: true }), []);
    assert.deepEqual(problems(2, { clarifying_questions: "" }, { moving: true }), []);
    assert.deepEqual(problems(4, { follow_up_on: "next week" }), ["session.badDate"]);
    assert.deepEqual(problems(3, { ideas: "x".repeat(4_001) }, { moving: true }), ["session.tooLong"]);
  });

  test("creating: team, case owner and date held, at stage 1, rev 0", () => {
    assert.deepEqual(createPatch({ id: ID, teamId: "demo", caseOwnerId: "u-rep", heldOn: "2026-12-01", at: AT, localDay: 7 }), {
      id: ID,
      base_rev: 0,
      set: { team_id: "demo", case_owner_id: "u-rep", held_on: "2026-12-01", stage: 1 },
      resolve: [],
      at: AT,
      local_day: 7,
    });
    assert.throws(() => createPatch({ id: ID, teamId: "demo", caseOwnerId: "", heldOn: "2026-12-01", at: AT, localDay: 7 }), /case owner/);
    assert.throws(() => createPatch({ id: ID, teamId: "demo", caseOwnerId: "u-rep", heldOn: "", at: AT, localDay: 7 }), /date/);
  });

  test("one draft per session and stage", () => {
    assert.equal(draftId(ID, 2), `session:${ID}:2`);
    assert.notEqual(draftId(ID, 2), draftId(ID, 3));
  });
});

describe("the session as the screens show it", () => {
  test("names from me's teams; the moderator edits, a member reads", () => {
    const view = sessionView({ id: ID, data: session(2), pending: true }, ME);
    assert.equal(view.teamName, "Demo");
    assert.equal(view.caseOwnerName, "Robin Rep");
    assert.equal(view.stage, 2);
    assert.equal(view.pending, true);
    assert.equal(view.moderator, true);
    const asRep = sessionView({ id: ID, data: session(2), pending: false }, { user_id: "u-rep", teams: ME.teams });
    assert.equal(asRep.moderator, false);
  });

  test("a session only on this device (rev 0, no moderator yet) is its maker's", () => {
    const view = sessionView({ id: ID, data: { id: ID, rev: 0, fields: { team_id: "demo", case_owner_id: "u-rep", held_on: "2026-12-01", stage: 1 }, author_id: null }, pending: true }, ME);
    assert.equal(view.moderator, true);
    assert.equal(view.teamId, "demo");
  });

  test("newest first by date held, then id", () => {
    const views = [
      { id: "a", heldOn: "2026-11-01" },
      { id: "c", heldOn: "2026-12-01" },
      { id: "b", heldOn: "2026-12-01" },
    ];
    assert.deepEqual(newestFirst(views).map((v) => v.id), ["c", "b", "a"]);
  });

  test("a coach starts sessions only in the teams they coach", () => {
    assert.deepEqual(coachedTeams(ME).map((t) => t.id), ["demo"]);
    assert.deepEqual(coachedTeams(null), []);
  });
});

describe("the commitment comes back on its follow-up date", () => {
  const followUp = "2026-12-08";
  const due = dayOfDate(followUp);
  const views = [
    sessionView({ id: "s1", data: session(4, { commitment: "Call two ward managers", follow_up_on: followUp }) }, ME),
    sessionView({ id: "s2", data: session(4, { commitment: "", follow_up_on: "2026-12-01" }) }, ME),
    sessionView({ id: "s3", data: session(4, { commitment: "No date" }) }, ME),
  ];

  test("not before the day, from the day on", () => {
    assert.deepEqual(dueCommitments(views, { userId: "u-rep", today: due - 1 }), []);
    assert.deepEqual(dueCommitments(views, { userId: "u-rep", today: due }).map((v) => v.id), ["s1"]);
    assert.deepEqual(dueCommitments(views, { userId: "u-rep", today: due + 30 }).map((v) => v.id), ["s1"]);
  });

  test("only to the case owner, only with a commitment and a date, until dismissed", () => {
    assert.deepEqual(dueCommitments(views, { userId: "u-coach", today: due }), []);
    assert.deepEqual(dueCommitments(views, { userId: "u-rep", today: due, dismissed: ["s1"] }), []);
  });

  test("isoDate and dayOfDate agree", () => {
    assert.equal(isoDate(due), followUp);
    assert.equal(dayOfDate(isoDate(20_000)), 20_000);
  });
});

describe("the navigation offers Sessions", () => {
  test("to a member of any team, whatever their role; not before the device knows who it is", async () => {
    const { shownTo } = await import("../src/screens/sessions.js");
    assert.equal(shownTo({ me: ME }), true);
    assert.equal(shownTo({ me: { user_id: "u-rep", roles: ["rep"], teams: [{ id: "north", role: "rep", members: [] }] } }), true);
    assert.equal(shownTo({ me: { user_id: "u-editor", roles: ["editor"], teams: [] } }), false);
    assert.equal(shownTo({ me: null, sharedWithMe: true }), false);
  });
});
