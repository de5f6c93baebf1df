// Tests for what the rep's Feedback screen shows (feedback.js) and the thread's order
// (coaching-thread.js): pure functions over edited records, `me` and the library's rubrics.
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { isAcknowledged, ratedBehaviours, sharedWithMe } from "../src/feedback.js";
import { peopleNames, threadOrder } from "../src/coaching-thread.js";
import { shownTo } from "../src/screens/feedback.js";

const ME = { user_id: "u-rep", name: "Robin Rep", roles: ["rep"], teams: [{ id: "demo", name: "Demo", role: "rep", members: [{ user_id: "u-coach", name: "Casey Coach", role: "coach" }] }] };
const obs = (id, fields, more = {}) => ({ id, pending: false, data: { id, rev: 1, author_id: "u-coach", rep_id: "u-rep", shared: true, fields, ...more } });

const rubrics = [
  {
    id: "discovery-rubric",
    title: "Discovery",
    behaviours: [
      { id: "asks-about-goals", text: "Asks about goals", levels: { 1: "Pitches first", 2: "One question", 3: "Asks", 4: "Digs" } },
      { id: "maps-who-decides", text: "Maps who decides", levels: { 1: "Assumes", 2: "Names", 3: "Roles", 4: "Maps all" } },
    ],
  },
];

describe("the Feedback screen's content", () => {
  test("only observations shared with me, newest first", () => {
    const records = [
      obs("o1", { observed_on: "2026-11-20" }),
      obs("o2", { observed_on: "2026-11-28" }),
      obs("o3", { observed_on: "2026-11-29" }, { shared: false }),
      obs("o4", { observed_on: "2026-11-30" }, { rep_id: "u-other" }),
    ];
    assert.deepEqual(sharedWithMe(records, ME).map((r) => r.id), ["o2", "o1"]);
  });

  test("rated behaviours in the rubric's order and words, with the level and evidence", () => {
    const fields = { "rating:discovery-rubric:maps-who-decides": 1, "evidence:discovery-rubric:maps-who-decides": "Never asked who signs", "rating:discovery-rubric:asks-about-goals": 2, "rating:x:y": 3, "rating:discovery-rubric:asks-about-goals-x": null };
    assert.deepEqual(ratedBehaviours(fields, rubrics), [
      { rubricId: "discovery-rubric", rubricTitle: "Discovery", behaviourId: "asks-about-goals", text: "Asks about goals", rating: 2, level: "One question", evidence: null },
      { rubricId: "discovery-rubric", rubricTitle: "Discovery", behaviourId: "maps-who-decides", text: "Maps who decides", rating: 1, level: "Assumes", evidence: "Never asked who signs" },
      { rubricId: "x", rubricTitle: null, behaviourId: "y", text: "y", rating: 3, level: null, evidence: null },
    ]);
  });

  test("acknowledged when the latest event says so, in (at, id) order", () => {
    assert.equal(isAcknowledged([]), false);
    const events = [
      { id: "b", user_id: "u-rep", acknowledged: false, at: "2026-11-29T10:00:00.000Z" },
      { id: "a", user_id: "u-rep", acknowledged: true, at: "2026-11-28T10:00:00.000Z" },
    ];
    assert.equal(isAcknowledged(events), false);
    assert.deepEqual(threadOrder(events).map((e) => e.id), ["a", "b"]);
    assert.equal(isAcknowledged([...events, { id: "c", user_id: null, acknowledged: true, at: "2026-11-30T10:00:00.000Z" }]), true);
  });

  test("the navigation offers Feedback to reps, or before `me` to whom observations were shared", () => {
    assert.equal(shownTo({ me: ME, sharedWithMe: false }), true);
    assert.equal(shownTo({ me: { ...ME, roles: ["coach"] }, sharedWithMe: true }), false);
    assert.equal(shownTo({ me: null, sharedWithMe: true }), true);
    assert.equal(shownTo({ me: null, sharedWithMe: false }), false);
  });

  test("names from my teams", () => {
    assert.deepEqual([...peopleNames(ME)], [["u-coach", "Casey Coach"], ["u-rep", "Robin Rep"]]);
    assert.equal(peopleNames(null).size, 0);
  });
});
