// How the sync client talks to the server: one HTTP exchange at a time, bounded by a timeout,
// and the back-off between retries (docs/sync.md, "Transport" and the retry rule).
//
// An exchange never throws: a network error or a timeout comes back as {status: null, error},
// so the phases classify every outcome in one place (rules.js, classify) instead of splitting
// it between return values and exceptions. The body is read inside the timeout too: a server
// that sends its headers and then stalls must not hang a sync.
import { backoffDelay } from "./rules.js";

export class TimeoutError extends Error {
  constructor(ms) {
    super(`no response within ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * The result of one exchange.
 * @typedef {object} Exchange
 * @property {number|null} status null when no response arrived (see `error`)
 * @property {any} data the body parsed as JSON, or null
 * @property {string} [text] the body as sent
 * @property {Headers} [headers]
 * @property {Error} [error] why no response arrived (a TimeoutError, a network error)
 */

export class Transport {
  #baseUrl;
  #fetch;
  #timeoutMs;
  #getAuthHeader;

  /**
   * @param {object} options
   * @param {string} options.baseUrl the server; paths are resolved against it
   * @param {typeof fetch} [options.fetch] default globalThis.fetch
   * @param {number} [options.timeoutMs] per exchange, body included (default 30 s)
   * @param {() => Promise<string|null>} [options.getAuthHeader] the Authorization value for
   *   post(), or null when not signed in
   */
  constructor({ baseUrl, fetch, timeoutMs = 30_000, getAuthHeader = async () => null }) {
    this.#baseUrl = String(baseUrl).endsWith("/") ? String(baseUrl) : `${baseUrl}/`;
    this.#fetch = fetch ?? ((...args) => globalThis.fetch(...args));
    this.#timeoutMs = timeoutMs;
    this.#getAuthHeader = getAuthHeader;
  }

  /** GET a public JSON document (no credential: the library is public). */
  get(path) {
    return this.exchange(path, { method: "GET", headers: { Accept: "application/json" } });
  }

  /**
   * POST a JSON body with the credential. `body` may be a function making it: it is called
   * only once the credential is at hand, so a timestamp in it is as late as possible. Without
   * a credential nothing is sent and the answer is a 401, so that it pauses like a real one.
   * @returns {Promise<Exchange>}
   */
  async post(path, body) {
    const auth = await this.#getAuthHeader();
    if (!auth) return { status: 401, data: { error: "unauthorized", detail: "not signed in" } };
    return this.exchange(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: auth },
      body: typeof body === "function" ? body() : body,
    });
  }

  /** One HTTP exchange, body read included, bounded by the timeout. Never throws. @returns {Promise<Exchange>} */
  async exchange(path, init) {
    const controller = new AbortController();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const err = new TimeoutError(this.#timeoutMs);
        controller.abort(err);
        reject(err);
      }, this.#timeoutMs);
    });
    const exchange = (async () => {
      const res = await this.#fetch(new URL(path.replace(/^\//, ""), this.#baseUrl).href, { ...init, signal: controller.signal });
      const text = await res.text();
      let data = null;
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
      return { status: res.status, data, text, headers: res.headers };
    })();
    exchange.catch(() => {}); // a late failure after the timeout is not unhandled
    try {
      return await Promise.race([exchange, timeout]);
    } catch (error) {
      return { status: null, data: null, error };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The wait before retrying a transient failure: full jitter (rules.js, backoffDelay) over ONE
 * attempt counter per client, reset only when a response arrives. So a server that keeps
 * failing is asked less and less often, across phases and across syncs, until it answers.
 */
export class Backoff {
  #attempt = 0;
  #random;
  #sleep;

  /**
   * @param {{random?: () => number, sleep?: (ms: number) => Promise<void>}} [options]
   */
  constructor({ random = Math.random, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } = {}) {
    this.#random = random;
    this.#sleep = sleep;
  }

  /** A response arrived: the next failure waits the shortest delay again. */
  reset() {
    this.#attempt = 0;
  }

  /** Wait the next delay. */
  async wait() {
    const delay = backoffDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    await this.#sleep(delay);
  }
}
