// Pitch prompts in the snapshot (docs/content.md "Pitch prompt", docs/api.md): the app's check
// accepts a library with them (and one published before them), refuses broken ones, the store
// keeps them with the rest of the snapshot, and pwa/src/library.js reads them.
import "fake-indexeddb/auto";
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { checkSnapshot } from "../src/content-check.js";
import { pitchPrompt, pitchPrompts } from "../src/library.js";
import { IdbStore } from "../src/store.js";
import { clockTime, judgedBehaviours } from "../src/prompt-card.js";
import { snapshot } from "./support/snapshot.js";

const prompt = (id, extra = {}) => ({
  id,
  title: `Prompt ${id}`,
  language: "en",
  translation_of: null,
  situation: `The client of ${id} says no.`,
  situation_html: `<p>The client of ${id} says no.</p>`,
  time_limit_s: 90,
  rubric: "discovery-rubric",
  behaviours: ["asks-about-goals", "maps-who-decides"],
  campaign: null,
  audience: null,
  rev: 1,
  ...extra,
});

describe("checkSnapshot: pitch prompts", () => {
  test("a library with pitch prompts passes, and so does one published before them", () => {
    assert.deepEqual(checkSnapshot({ ...snapshot(1), pitch_prompts: [prompt("a"), prompt("b", { campaign: "basics", audience: "New reps" })] }), []);
    const older = snapshot(1);
    delete older.pitch_prompts;
    assert.deepEqual(checkSnapshot(older), []);
  });

  const broken = [
    ["not a list", "none", /pitch_prompts are not a list/],
    ["not an object", [7], /pitch prompt #1 is not an object/],
    ["no id", [prompt("", {})], /pitch prompt #1 has no id/],
    ["no title", [prompt("a", { title: "" })], /pitch prompt a has no title/],
    ["no situation", [prompt("a", { situation_html: " " })], /has no situation_html/],
    ["time limit too short", [prompt("a", { time_limit_s: 29 })], /time_limit_s of 30 to 180/],
    ["time limit too long", [prompt("a", { time_limit_s: 181 })], /time_limit_s of 30 to 180/],
    ["time limit as text", [prompt("a", { time_limit_s: "90" })], /time_limit_s/],
    ["no rubric", [prompt("a", { rubric: null })], /has no rubric/],
    ["no behaviours", [prompt("a", { behaviours: [] })], /no behaviours to judge/],
    ["a behaviour twice", [prompt("a", { behaviours: ["x", "x"] })], /lists a behaviour twice/],
    ["a campaign that is not an id", [prompt("a", { campaign: 3 })], /campaign that is not an id/],
    ["no rev", [prompt("a", { rev: 0 })], /has no rev/],
  ];
  for (const [name, prompts, message] of broken) {
    test(`refuses ${name}`, () => assert.match(checkSnapshot({ ...snapshot(1), pitch_prompts: prompts }).join("\n"), message));
  }
});

describe("library.js: pitchPrompts and pitchPrompt", () => {
  const doc = {
    ...snapshot(1),
    pitch_prompts: [
      prompt("why-change", { title: "Why change" }),
      prompt("too-expensive", { title: "Too expensive" }),
      prompt("too-expensive-nl", { title: "Te duur", language: "nl", translation_of: "too-expensive" }),
    ],
  };

  test("all of them by id; a learner's language first, then originals without a translation", () => {
    assert.deepEqual(pitchPrompts(doc).map((p) => p.id), ["too-expensive", "too-expensive-nl", "why-change"]);
    assert.deepEqual(pitchPrompts(doc, "en").map((p) => p.id), ["too-expensive", "why-change"]);
    assert.deepEqual(pitchPrompts(doc, "nl").map((p) => p.id), ["too-expensive-nl", "why-change"]);
  });

  test("one by id; none in an older snapshot or for an unknown id", () => {
    assert.equal(pitchPrompt(doc, "why-change").time_limit_s, 90);
    assert.equal(pitchPrompt(doc, "gone"), null);
    assert.deepEqual(pitchPrompts(snapshot(1)), []);
    assert.equal(pitchPrompt(null, "why-change"), null);
  });

  test("the store keeps a snapshot's pitch prompts as they came, and refuses a broken one", async () => {
    const store = await IdbStore.open({ name: `recap-pitch-prompts-${process.pid}` });
    assert.equal((await store.saveContent(doc)).saved, true);
    assert.deepEqual((await store.content()).snapshot.pitch_prompts, doc.pitch_prompts);
    const bad = { ...doc, version: 2, pitch_prompts: [prompt("a", { time_limit_s: 600 })] };
    const result = await store.saveContent(bad);
    assert.equal(result.saved, false);
    assert.match(result.problems.join(), /time_limit_s/);
    assert.equal((await store.content()).version, 1, "the good library stays");
  });
});

describe("prompt-card.js: what the card says", () => {
  test("the time limit as a clock", () => {
    assert.deepEqual([30, 45, 60, 90, 120, 180].map(clockTime), ["0:30", "0:45", "1:00", "1:30", "2:00", "3:00"]);
  });

  test("the judged behaviours in the prompt's order, in the reader's language when the rubric has it", () => {
    const levels = { 1: "a", 2: "b", 3: "c", 4: "d" };
    const rubric = (id, language, texts, extra = {}) => ({
      id, competency: "c", language, title: id, rev: 1,
      behaviours: Object.entries(texts).map(([b, text]) => ({ id: b, text, levels })),
      ...extra,
    });
    const doc = {
      rubrics: [
        rubric("talk", "en", { opens: "Opens with their world", asks: "Asks first" }),
        rubric("talk-nl", "nl", { opens: "Opent met hun wereld", asks: "Vraagt eerst" }, { translation_of: "talk" }),
      ],
    };
    const p = prompt("x", { rubric: "talk", behaviours: ["asks", "opens", "gone"] });
    assert.deepEqual(judgedBehaviours(doc, p, "en"), [{ id: "asks", text: "Asks first" }, { id: "opens", text: "Opens with their world" }, { id: "gone", text: "gone" }]);
    assert.deepEqual(judgedBehaviours(doc, p, "nl").map((b) => b.text), ["Vraagt eerst", "Opent met hun wereld", "gone"]);
    assert.deepEqual(judgedBehaviours({}, p, "en").map((b) => b.text), ["asks", "opens", "gone"]);
  });
});
