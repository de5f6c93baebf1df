import { test } from "node:test";
import assert from "node:assert/strict";
import { describeLibrary } from "../src/library.js";

test("describes a snapshot by counting each kind", () => {
  const text = describeLibrary({ version: 3, questions: [{}, {}], nuggets: [{}], refreshers: [], campaigns: [{}, {}] });
  assert.equal(text, "Library version 3: 2 questions, 1 nugget, 0 refreshers, 2 campaigns.");
});

test("says so when nothing is published", () => {
  assert.equal(describeLibrary({ version: 0 }), "No library has been published yet.");
  assert.equal(describeLibrary(null), "No library has been published yet.");
});

test("treats a missing or malformed list as empty", () => {
  assert.match(describeLibrary({ version: 1, questions: "oops" }), /^Library version 1: 0 questions/);
});
