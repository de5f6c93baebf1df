// The leaderboard on the device (docs/app.md "Leaderboard"): the pull's field checked, kept in
// IndexedDB meta by the last page, forgotten when the organisation turns them off and when
// another person signs in; the ordinals and averages the screen shows.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";

import { IdbStore } from "../src/store.js";
import { average, checkLeaderboard, ordinal } from "../src/leaderboard.js";
import { CATALOGUE } from "../src/i18n.js";

let dbs = 0;
const openIdb = () => IdbStore.open({ name: `recap-leaderboard-${process.pid}-${++dbs}` });
const BOARD = {
  as_of: "2026-12-01",
  window_days: 30,
  top: [
    { rank: 1, name: "Ann", score: 12 },
    { rank: 1, name: "Bob", score: 12 },
    { rank: 3, name: "Cleo", score: 4 },
  ],
  me: { rank: 23, of: 140, score: 1 },
  teams: [{ rank: 1, team_id: "north", name: "North", average: 4.5, reps: 4 }],
};
const page = (extra) => ({ changes: [], cursors: { content: 0, records: 0 }, ackedThrough: 0, reset: [], content: null, ...extra });

test("a well-formed leaderboard is kept as sent; a malformed one is refused", () => {
  assert.deepEqual(checkLeaderboard(BOARD), BOARD);
  assert.deepEqual(checkLeaderboard({ ...BOARD, me: null }).me, null);
  assert.deepEqual(checkLeaderboard({ ...BOARD, extra: 1, top: [{ ...BOARD.top[0], user_id: "x" }] }).top, [BOARD.top[0]], "only the fields shown are kept");
  for (const bad of [
    null, "x", { ...BOARD, as_of: "yesterday" }, { ...BOARD, window_days: 0 }, { ...BOARD, top: "x" },
    { ...BOARD, top: Array.from({ length: 11 }, (_, i) => ({ rank: i + 1, name: `N${i}`, score: 1 })) },
    { ...BOARD, top: [{ rank: 0, name: "A", score: 1 }] }, { ...BOARD, me: { rank: 5, of: 4, score: 0 } },
    { ...BOARD, teams: [{ ...BOARD.teams[0], average: Number.NaN }] },
  ]) assert.equal(checkLeaderboard(bad), null, JSON.stringify(bad));
});

test("the store keeps the last page's leaderboard, leaves it on other pages, forgets it when off", async () => {
  const store = await openIdb();
  assert.equal(await store.leaderboard(), null);
  await store.applyPullPage(page({ leaderboard: BOARD }));
  assert.deepEqual(await store.leaderboard(), BOARD);
  await store.applyPullPage(page({ leaderboard: undefined }));
  assert.deepEqual(await store.leaderboard(), BOARD, "a page that is not the last leaves it");
  await store.applyPullPage(page({ leaderboard: { ...BOARD, as_of: "soon" } }));
  assert.deepEqual(await store.leaderboard(), BOARD, "a malformed one leaves the last good one");
  const newer = { ...BOARD, as_of: "2026-12-02", me: { rank: 2, of: 140, score: 12 } };
  await store.applyPullPage(page({ leaderboard: newer }));
  assert.deepEqual(await store.leaderboard(), newer);
  await store.applyPullPage(page({ leaderboard: null }));
  assert.equal(await store.leaderboard(), null, "the organisation turned them off");
});

test("another person signing in forgets the leaderboard (their own place was the last person's)", async () => {
  const store = await openIdb();
  assert.deepEqual(await store.signIn("ann@example.com"), { ok: true });
  await store.applyPullPage(page({ leaderboard: BOARD }));
  assert.deepEqual(await store.signIn("ann@example.com"), { ok: true });
  assert.deepEqual(await store.leaderboard(), BOARD, "the same person keeps it");
  assert.deepEqual(await store.signIn("bo@example.com"), { ok: true });
  assert.equal(await store.leaderboard(), null);
});

test("ordinals and averages in English and Dutch; every string in both catalogues", () => {
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map((n) => ordinal(n, "en")), ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"]);
  assert.equal(ordinal(23, "nl"), "23e");
  assert.equal(average(4.5, "en"), "4.5");
  assert.equal(average(3, "nl"), "3,0");
  const keys = (lang) => Object.keys(CATALOGUE[lang]).filter((k) => k.startsWith("leaderboard.") || k === "nav.leaderboard").sort();
  assert.deepEqual(keys("nl"), keys("en"));
  assert.ok(keys("en").length > 10);
});
