// What the syncs come to, as the UI's status shows it (client.js, status()): the last error, a
// pause for sign-in, a stop on a fatal error, giving up for now (offline), a digest that still
// differs. The phases report here as they go and return how they ended; this module also
// decides, after a transient failure, whether to wait and retry or to give up for this sync.
//
// A pause or a stop outlives the sync that caused it (nothing is sent until resume()); an
// error only outlives it when nothing later in the same sync succeeded past it.

/** @typedef {{kind: string, status: number|null, detail: string|null, at: number}} SyncError */

export class Outcome {
  paused = false;
  /** @type {string|null} the error kind that stopped syncing, until resume() */
  stopped = null;
  /** @type {SyncError|null} */
  lastError = null;
  offline = false;
  diverged = false;
  /** @type {number|null} */
  lastSyncAt = null;
  #errorThisSync = false;
  #now;
  #emit;
  #backoff;
  #maxRetries;

  /**
   * @param {object} options
   * @param {() => number} options.now
   * @param {(type: string, detail: any) => void} options.emit the client's events ("paused", "stopped")
   * @param {import("./transport.js").Backoff} options.backoff
   * @param {number} options.maxRetries transient failures retried within one sync
   */
  constructor({ now, emit, backoff, maxRetries }) {
    this.#now = now;
    this.#emit = emit;
    this.#backoff = backoff;
    this.#maxRetries = maxRetries;
  }

  /** A sync starts: it has had no error yet, and is not offline until it gives up. */
  begin() {
    this.#errorThisSync = false;
    this.offline = false;
  }

  /** A sync ended: without an error, the last one is forgotten and the time kept. */
  end() {
    if (this.#errorThisSync) return;
    this.lastError = null;
    this.lastSyncAt = this.#now();
  }

  /** Sign-in done, or the user asks to try again after a stop. */
  resume() {
    this.paused = false;
    this.stopped = null;
  }

  #error(verdict) {
    return { kind: verdict.kind, status: verdict.status ?? null, detail: verdict.detail ?? null, at: this.#now() };
  }

  /** Report an error; the sync goes on. */
  fail(verdict) {
    this.#errorThisSync = true;
    this.lastError = this.#error(verdict);
  }

  /** Report an error and end this sync; the next one tries again. */
  giveUp(verdict) {
    this.fail(verdict);
    this.offline = true;
    return "offline";
  }

  /** Sign-in needed: nothing more is sent until resume(). */
  pause(verdict) {
    this.fail(verdict);
    this.paused = true;
    this.#emit("paused", { error: this.lastError });
    return "paused";
  }

  /** A fatal error: nothing more is sent until resume(). */
  stop(verdict) {
    this.fail(verdict);
    this.stopped = verdict.kind;
    this.#emit("stopped", { error: this.lastError });
    return "stopped";
  }

  /**
   * After a transient failure: wait (back-off) and return true, or, when this sync has retried
   * enough, give up and return false.
   */
  async retry(verdict, retries) {
    if (retries >= this.#maxRetries) {
      this.giveUp(verdict);
      return false;
    }
    // Shown while retrying; forgotten if the sync then succeeds.
    this.lastError = this.#error(verdict);
    await this.#backoff.wait();
    return true;
  }

  /** A response arrived: the back-off starts again from the shortest delay. */
  succeeded() {
    this.#backoff.reset();
  }
}
