// Pitch reviews' pure rules (src/pitching.js): the behaviours a prompt judges, the ONE patch a
// shared review becomes, the rep's consent, the scores in the rubric's words, the comments'
// moments, and which screen #/pitches/<id> opens.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  addComment,
  completeReview,
  consentPatch,
  exemplarState,
  formatClock,
  judgedBehaviours,
  pitchStatus,
  pitchesByRep,
  rebaseComments,
  rebaseReview,
  reviewPatch,
  reviewProblems,
  reviewValues,
  scoresOf,
} from "../src/pitching.js";
import { screenFor } from "../src/screens/index.js";
import { CATALOGUE } from "../src/i18n.js";

const levels = (name) => ({ 1: `${name} one`, 2: `${name} two`, 3: `${name} three`, 4: `${name} four` });
const snapshot = {
  rubrics: [
    { id: "disc", title: "Discovery", language: "en", behaviours: [{ id: "open", text: "Asks open questions", levels: levels("open") }, { id: "pain", text: "Finds the pain", levels: levels("pain") }, { id: "other", text: "Other", levels: {} }] },
    { id: "disc-nl", translation_of: "disc", title: "Ontdekken", language: "nl", behaviours: [{ id: "open", text: "Stelt open vragen", levels: levels("open-nl") }] },
  ],
  pitch_prompts: [{ id: "price", title: "The price objection", rubric: "disc", behaviours: ["pain", "open"], language: "en" }],
};
const prompt = snapshot.pitch_prompts[0];
const pitch = (fields = {}, extra = {}) => ({ id: "0190a000-0000-7000-8000-000000000001", pending: false, data: { rev: 3, rep_id: "rep-1", video_uploaded: true, fields: { prompt_id: "price", recorded_on: "2026-11-30", ...fields }, ...extra } });
const stamp = { at: "2026-12-01T10:00:00.000Z", localDay: 20_788 };

test("the judged behaviours in the prompt's order, in the coach's language where translated; keys keep the prompt's rubric", () => {
  assert.deepEqual(judgedBehaviours(prompt, snapshot, "en").map((b) => [b.key, b.text]), [["disc:pain", "Finds the pain"], ["disc:open", "Asks open questions"]]);
  assert.deepEqual(judgedBehaviours(prompt, snapshot, "nl").map((b) => [b.key, b.text]), [["disc:pain", "Finds the pain"], ["disc:open", "Stelt open vragen"]]);
  assert.deepEqual(judgedBehaviours(null, snapshot, "en"), []);
});

test("sharing a review is ONE patch: scores, comments, feedback, reviewed, the proposal; a cleared score is sent as null", () => {
  const before = pitch({ "score:disc:open": 3 });
  const values = completeReview({ ...reviewValues(before, prompt), scores: { "disc:pain": "2" }, feedback: "  Good start.  ", exemplar_proposed: true });
  values.comments = addComment(addComment(values.comments, 12_400, " Nice opener "), 3_000, "Slow down");
  const patch = reviewPatch(values, prompt, before, stamp);
  assert.deepEqual(patch, {
    id: before.id,
    base_rev: 3,
    set: {
      "score:disc:pain": 2,
      "score:disc:open": null,
      comments: [{ t_ms: 3000, text: "Slow down" }, { t_ms: 12_400, text: "Nice opener" }],
      feedback: "Good start.",
      reviewed: true,
      exemplar_proposed: true,
    },
    resolve: [],
    at: stamp.at,
    local_day: stamp.localDay,
  });
  assert.deepEqual(reviewValues(pitch({ "score:disc:open": 4, "score:disc:gone": 2, feedback: "x" }), prompt).scores, { "disc:open": "4" });
});

test("a review needs one score and stays within the server's limits", () => {
  const empty = completeReview({});
  assert.deepEqual(reviewProblems(empty, prompt).map((p) => p.key), ["pitchReview.needScore"]);
  const full = completeReview({ scores: { "disc:open": "1" }, feedback: "x".repeat(4001), comments: [{ t_ms: 0, text: "y".repeat(501) }] });
  assert.deepEqual(reviewProblems(full, prompt).map((p) => p.key), ["pitchReview.commentTooLong", "pitchReview.feedbackTooLong"]);
  const many = completeReview({ scores: { "disc:open": "1" }, comments: Array.from({ length: 101 }, (_, i) => ({ t_ms: i, text: "c" })) });
  assert.deepEqual(reviewProblems(many, prompt).map((p) => p.key), ["pitchReview.tooManyComments"]);
  assert.deepEqual(reviewProblems(completeReview({ scores: { "disc:open": "4" } }), prompt), []);
});

test("the rep reads each score as '2 of 4 — level' with the behaviour's text, in the prompt's order", () => {
  const scored = pitch({ reviewed: true, "score:disc:open": 2, "score:disc:pain": 4, "score:disc:other": 1, "score:disc:bad": 9 });
  assert.deepEqual(scoresOf(scored, prompt, snapshot, "en").map((s) => [s.text, s.score, s.level]), [
    ["Finds the pain", 4, "pain four"],
    ["Asks open questions", 2, "open two"],
    ["Other", 1, ""],
  ]);
});

test("consent, withdrawal and where a proposal stands", () => {
  assert.equal(exemplarState(pitch()), "none");
  assert.equal(exemplarState(pitch({ exemplar_proposed: true })), "asked");
  assert.equal(exemplarState(pitch({ exemplar_proposed: true, exemplar_consent: true })), "shared");
  assert.equal(exemplarState(pitch({ exemplar_proposed: true, exemplar_consent: false })), "declined");
  assert.deepEqual(consentPatch(pitch(), false, stamp).set, { exemplar_consent: false });
  assert.equal(consentPatch(pitch(), true, stamp).base_rev, 3);
});

test("moments as m:ss; a coach's pitches by rep, to review first", () => {
  assert.deepEqual([0, 999, 12_400, 62_000, 3_725_000].map(formatClock), ["0:00", "0:00", "0:12", "1:02", "1:02:05"]);
  const a = pitch({ recorded_on: "2026-11-01" });
  const b = { ...pitch({ recorded_on: "2026-11-02", reviewed: true }), id: "b" };
  const c = { ...pitch({ recorded_on: "2026-11-03" }), id: "c" };
  const byRep = pitchesByRep([a, b, c, { id: "x", data: { fields: {} } }]);
  assert.deepEqual([...byRep.keys()], ["rep-1"]);
  assert.deepEqual(byRep.get("rep-1").toReview.map((p) => p.id), ["c", a.id]);
  assert.deepEqual(byRep.get("rep-1").reviewed.map((p) => p.id), ["b"]);
  assert.deepEqual([pitchStatus(pitch({}, { video_uploaded: false })), pitchStatus(a), pitchStatus(b)], ["waiting", "uploaded", "reviewed"]);
});

test("#/pitches/<id> opens the pitch screen; #/examples the good examples; every word in both languages", () => {
  assert.equal(screenFor("pitches", "0190a000-0000-7000-8000-000000000001")?.module.titleKey, "pitchView.title");
  assert.equal(screenFor("pitches", "record/price")?.module.titleKey ?? null, screenFor("pitches", null)?.module.titleKey ?? null, "the rest of #/pitches is the list's");
  assert.equal(screenFor("examples")?.module.titleKey, "examples.title");
  const keys = (lang) => Object.keys(CATALOGUE[lang]).filter((k) => /^(pitchReview|pitchView|examples)\./.test(k) || k === "nav.examples").sort();
  assert.deepEqual(keys("nl"), keys("en"));
  assert.ok(keys("en").length > 50);
});

test("a review's comments keep what another reviewer added meanwhile, and only this coach's own deletions", () => {
  const good = { t_ms: 1_000, text: "Good opening" };
  const pause = { t_ms: 4_000, text: "Pause" };
  const ask = { t_ms: 9_000, text: "Ask" };
  const theirs = { t_ms: 6_000, text: "Theirs" };
  // Began from [good, pause]; this coach removed pause and added ask; meanwhile the pitch gained theirs.
  assert.deepEqual(rebaseComments([good, pause, theirs], [good, pause], [good, ask]), [good, theirs, ask]);
  // Nothing changed on either side: the list as held.
  assert.deepEqual(rebaseComments([good, pause], [good, pause], [pause, good]), [good, pause]);
  // Another reviewer removed pause meanwhile; this coach kept it without touching it: it stays removed.
  assert.deepEqual(rebaseComments([good], [good, pause], [good, pause]), [good]);
  // Both added the same comment: once.
  assert.deepEqual(rebaseComments([good, ask], [good], [good, ask]), [good, ask]);
  // A draft with no base (older than base_comments): every comment of it counts as added.
  assert.deepEqual(rebaseComments([theirs], [], [good]), [good, theirs]);
});

test("a stale review draft takes what another reviewer changed meanwhile and keeps this coach's own changes", () => {
  const review = (scores, feedback, comments = [], exemplar_proposed = false) => ({ scores, comments, feedback, exemplar_proposed });
  const base = review({ "disc:open": "2", "disc:pain": "3" }, "Good start.");
  const mine = review({ "disc:open": "4", "disc:pain": "3" }, "Good start.", [{ t_ms: 1, text: "mine" }], true);
  const held = review({ "disc:open": "2", "disc:pain": "1" }, "Theirs: ask more.", [{ t_ms: 5, text: "theirs" }]);
  const { values, otherFeedback } = rebaseReview(held, base, mine);
  assert.deepEqual(values.scores, { "disc:open": "4", "disc:pain": "1" }, "my score kept, theirs taken where I changed nothing");
  assert.equal(values.feedback, "Theirs: ask more.", "feedback I never touched: theirs");
  assert.equal(otherFeedback, null);
  assert.deepEqual(values.comments.map((c) => c.text), ["mine", "theirs"]);
  assert.equal(values.exemplar_proposed, true);
  // Both changed the feedback: mine stays in the form, theirs is named so the coach knows.
  const both = rebaseReview(held, base, { ...mine, feedback: "Mine: slow down." });
  assert.equal(both.values.feedback, "Mine: slow down.");
  assert.equal(both.otherFeedback, "Theirs: ask more.");
  // A score another reviewer cleared meanwhile stays cleared when I did not touch it.
  assert.deepEqual(rebaseReview(review({}, ""), review({ "disc:open": "2" }, ""), review({ "disc:open": "2" }, "")).values.scores, {});
  // No base kept (an older draft): the draft as it is, its comments added to the held ones.
  const old = rebaseReview(held, null, mine);
  assert.deepEqual(old.values.scores, mine.scores);
  assert.deepEqual(old.values.comments.map((c) => c.text), ["mine", "theirs"]);
});
