// The real server and a fault layer for the node tests that talk to it (sync-client.test.js,
// library.test.js). There is no mock server: `startServer` publishes the fixture library
// (tests/fixtures/library, content version 1) into a fresh SQLite file, optionally imports the
// demo people (a coach and reps in teams), and starts `recap serve --port 0` on it with dev
// sign-in (`Authorization: Bearer dev:<user>`); faults are injected by a layer wrapped around
// the real fetch. `query` reads the server's database, to check what it stored.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { byteLength } from "../../src/sync/rules.js";

const RECAP = fileURLToPath(new URL("../../../.venv/bin/recap", import.meta.url));
const PYTHON = fileURLToPath(new URL("../../../.venv/bin/python", import.meta.url));
const LIBRARY = fileURLToPath(new URL("../../../tests/fixtures/library", import.meta.url));
const PEOPLE = fileURLToPath(new URL("../../../server/demo/accounts.csv", import.meta.url));

function recap(env, ...args) {
  const run = spawnSync(RECAP, args, { env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`recap ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
}

/**
 * Publish the fixture library into a fresh database and start `recap serve --port 0` on it.
 * @param {{people?: boolean}} [options] `people`: import the demo accounts (rep@example.com in
 *   team demo, coach@example.com coaching it, …: server/demo/accounts.csv)
 */
export async function startServer({ people = false } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "recap-sync-client-"));
  const dbPath = path.join(dir, "recap.db");
  const env = { ...process.env, RECAP_DB: dbPath };
  recap(env, "content", "publish", "--create", LIBRARY);
  if (people) recap(env, "users", "import", PEOPLE);
  const proc = spawn(RECAP, ["serve", "--port", "0"], {
    env: { ...env, RECAP_DEV_AUTH: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-64 * 1024);
  });
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`recap serve did not start within 20 s; its stderr:\n${stderr}`));
    }, 20_000);
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/running at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`recap serve exited (${code}) before it was ready; its stderr:\n${stderr}`));
    });
  });
  return {
    url,
    pid: proc.pid,
    dbPath,
    /** Rows of a read-only SQL query on the server's database (through Python's sqlite3). */
    query(sql, params = []) {
      const code = "import json, sqlite3, sys; a = json.load(sys.stdin); db = sqlite3.connect('file:' + a[0] + '?mode=ro', uri=True); print(json.dumps(db.execute(a[1], a[2]).fetchall()))";
      const run = spawnSync(PYTHON, ["-c", code], { input: JSON.stringify([dbPath, sql, params]), encoding: "utf8" });
      if (run.status !== 0) throw new Error(`query failed: ${run.stderr}`);
      return JSON.parse(run.stdout);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fetch that calls the real one, except where a rule says otherwise. A rule: {path, fault,
 * times (default 1), when(body)?}, where fault is "drop-request" (throw before the server sees
 * it), "drop-response" (the server processes it; the answer is lost), "duplicate" (the server
 * gets the request twice; the second answer comes back), "respond" (answer `status`/`json`
 * without calling the server), "delay" (wait `ms`, then call the server), "slow-response" (the
 * server processes it; the answer comes `ms` later), "rewrite" (send `rewrite(body)` instead) or
 * "rewrite-response" (the server processes it; the app gets `rewriteResponse(json)`, e.g. a
 * change of a kind a newer server would send). Every exchange is logged with its parsed request
 * and response (as the server sent it).
 */
export function faultLayer(realFetch = globalThis.fetch) {
  let rules = [];
  const log = [];
  async function faultyFetch(url, init = {}) {
    const where = new URL(url).pathname;
    const body = typeof init.body === "string" ? JSON.parse(init.body) : null;
    const entry = { path: where, body, bytes: typeof init.body === "string" ? byteLength(init.body) : 0, fault: null, status: null, response: null };
    log.push(entry);
    const rule = rules.find((r) => r.times > 0 && r.path === where && (!r.when || r.when(body)));
    if (rule) {
      rule.times -= 1;
      entry.fault = rule.fault;
    }
    const callServer = async (requestInit) => {
      const res = await realFetch(url, requestInit);
      const text = await res.text();
      entry.status = res.status;
      try {
        entry.response = JSON.parse(text);
      } catch {
        entry.response = text;
      }
      return new Response(text, { status: res.status, headers: res.headers });
    };
    switch (rule?.fault) {
      case "drop-request":
        throw new TypeError("fetch failed (fault layer: request dropped)");
      case "drop-response":
        await callServer(init);
        throw new TypeError("fetch failed (fault layer: response dropped)");
      case "duplicate":
        await callServer(init);
        return callServer(init);
      case "rewrite-response": {
        const res = await callServer(init);
        return new Response(JSON.stringify(rule.rewriteResponse(structuredClone(entry.response))), { status: res.status, headers: { "Content-Type": "application/json" } });
      }
      case "respond":
        entry.status = rule.status;
        entry.response = rule.json ?? { error: "injected" };
        return new Response(JSON.stringify(entry.response), { status: rule.status, headers: { "Content-Type": "application/json" } });
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, rule.ms));
        return callServer(init);
      case "slow-response": {
        const res = await callServer({ ...init, signal: undefined });
        await new Promise((resolve) => setTimeout(resolve, rule.ms));
        return res;
      }
      case "rewrite":
        entry.body = rule.rewrite(structuredClone(body));
        return callServer({ ...init, body: JSON.stringify(entry.body) });
      default:
        return callServer(init);
    }
  }
  faultyFetch.inject = (rule) => rules.push({ times: 1, ...rule });
  faultyFetch.clear = () => {
    rules = [];
  };
  faultyFetch.log = log;
  faultyFetch.calls = (where) => log.filter((e) => e.path === where);
  return faultyFetch;
}
