// Sends the pitch videos recorded on this device to the server, resumably (tus 1.0 through
// tus-js-client; docs/uploads.md, docs/app.md "Uploads"): one at a time, oldest first, only
// when online and signed in. Started on app start, on `online` and after each sync.
//
// Resuming: tus-js-client keeps the upload's address in the video's IndexedDB row
// (url-storage.js, fingerprint `pitch:<id>`); after a restart or a dropped connection it asks
// the server how much arrived (HEAD) and sends the rest. Each chunk (1 MiB) carries its SHA-256
// (`Upload-Checksum`), so a chunk damaged on the way is refused and sent again. Never twice: a
// finished upload is marked done in the store and never started again, and the server's
// creation is idempotent per (person, pitch, SHA-256), so even a lost address finds the same upload.
import { Upload } from "tus-js-client";
import { fingerprintOf, urlStorage } from "./url-storage.js";

export const CHUNK_SIZE = 1024 * 1024;
/** Waits between retries within one run (ms): a flaky network gets a few quick tries, then longer ones. */
export const RETRY_DELAYS = Object.freeze([0, 1000, 3000, 5000, 10_000, 20_000, 30_000]);
/** After a run gave up (retries spent) while online, the next try starts this much later. */
export const RETRY_LATER_MS = 60_000;

/**
 * Answers worth another try: none at all, the server busy or failing, an offset or a chunk to
 * redo, and a body the server saw stop (400 `body_dropped`: HEAD says where to go on).
 */
/** Answers that no retry can change: the video is too large, or not a video (docs/uploads.md "Errors"). */
export const REFUSED = new Set([413, 415]);

/** What the server said of a refused video: its `detail`, or the status. */
export function refusalOf(status, body = "") {
  try {
    const detail = JSON.parse(String(body ?? "")).detail;
    if (typeof detail === "string" && detail) return detail.slice(0, 200);
  } catch {
    // not JSON: the status says it
  }
  return `HTTP ${status}`;
}

export function retryable(status, body = "") {
  if (status === 400) return /"body_dropped"/.test(String(body ?? ""));
  return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429 || status === 460;
}

/** The base64 of a blob's SHA-256: the `Upload-Checksum` value's second part. */
export async function chunkChecksum(blob) {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  let text = "";
  for (const byte of digest) text += String.fromCharCode(byte);
  return btoa(text);
}

/** The name of the lock (Web Locks API) a tab holds while it uploads. */
export const UPLOAD_LOCK = "recap-uploads";
/** The BroadcastChannel on which the sending tab tells the others how far its upload got. */
export const UPLOAD_CHANNEL = "recap-upload-progress";
/** A progress heard from another tab is shown this long at most without news (the tab closed). */
export const HEARD_FOR_MS = 15_000;

/**
 * Run `fn` holding this origin's upload lock, so two tabs (or an installed app and a tab) never
 * send at once: each would otherwise resume the same upload and meet the other's offset (409).
 * When another tab holds it, resolves undefined without running `fn`: that tab is sending, and
 * this one tries again at its next kick. Where the browser has no Web Locks, `fn` just runs.
 */
export function withUploadLock(fn, locks = globalThis.navigator?.locks) {
  if (!locks?.request) return Promise.resolve().then(fn);
  return locks.request(UPLOAD_LOCK, { ifAvailable: true }, (lock) => (lock ? fn() : undefined));
}

export class Uploader {
  #store;
  #endpoint;
  #getAuthHeader;
  #online;
  #chunkSize;
  #retryDelays;
  #lock;
  #running = null;
  #current = null; // the tus Upload being sent, and how to end its run: {id, upload, settle}
  #later = null;
  #progress = new Map(); // pitch id → {sent, total}
  #heard = new Map(); // pitch id → {sent, total, at}: another tab's upload (UPLOAD_CHANNEL)
  #quiet = new Map(); // pitch id → the timer that redraws once the other tab has gone quiet
  #channel;
  #now;
  #listeners = new Set();

  /**
   * @param {object} options
   * @param {import("../store.js").IdbStore} options.store
   * @param {string} options.baseUrl the server; uploads go to `<baseUrl>uploads/`
   * @param {() => Promise<string|null>|string|null} options.getAuthHeader the Authorization value (as sync sends it), or null when signed out
   * @param {() => boolean} [options.online] default navigator.onLine
   * @param {(fn: () => Promise<void>) => Promise<void>} [options.lock] default withUploadLock (one tab sends at a time)
   * @param {BroadcastChannel|null} [options.channel] where this tab's progress is told to the others and theirs heard (UPLOAD_CHANNEL; startUploads makes it)
   * @param {() => number} [options.now] the clock for HEARD_FOR_MS
   */
  constructor({ store, baseUrl, getAuthHeader, online = () => globalThis.navigator?.onLine !== false, chunkSize = CHUNK_SIZE, retryDelays = RETRY_DELAYS, lock = withUploadLock, channel = null, now = () => Date.now() }) {
    this.#store = store;
    this.#endpoint = new URL("uploads/", String(baseUrl).endsWith("/") ? baseUrl : `${baseUrl}/`).href;
    this.#getAuthHeader = getAuthHeader;
    this.#online = online;
    this.#chunkSize = chunkSize;
    this.#retryDelays = [...retryDelays];
    this.#lock = lock;
    this.#now = now;
    this.#channel = channel;
    if (channel) channel.onmessage = (event) => this.#hear(event.data);
  }

  /** Listen to progress and finished uploads; returns a function that stops listening. */
  on(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** This tab's upload of a pitch moved (or ended): its listeners and the other tabs hear it. */
  #changed(pitchId) {
    try {
      this.#channel?.postMessage({ pitch_id: pitchId, progress: this.#progress.get(pitchId) ?? null });
    } catch (err) {
      console.warn("upload progress not told to the other tabs", err);
    }
    this.#notify(pitchId);
  }

  /** Another tab's upload of a pitch moved ({sent, total}) or ended (null). */
  #hear(message) {
    const id = message?.pitch_id;
    if (typeof id !== "string") return;
    const p = message.progress;
    if (p && Number.isFinite(p.sent) && Number.isFinite(p.total) && p.total > 0) this.#heard.set(id, { sent: p.sent, total: p.total, at: this.#now() });
    else this.#heard.delete(id);
    clearTimeout(this.#quiet.get(id));
    if (this.#heard.has(id)) {
      const timer = setTimeout(() => this.#notify(id), HEARD_FOR_MS + 100); // no news: drawn without it
      timer?.unref?.(); // Node (tests): never keeps the process up
      this.#quiet.set(id, timer);
    }
    this.#notify(id);
  }

  #notify(pitchId) {
    for (const listener of this.#listeners) {
      try {
        listener(pitchId);
      } catch (err) {
        console.error("upload listener failed", err);
      }
    }
  }

  /** {sent, total} of the upload running for a pitch, in this tab or (heard lately) another, or null. */
  progressOf(pitchId) {
    const own = this.#progress.get(pitchId);
    if (own) return own;
    const heard = this.#heard.get(pitchId);
    if (!heard || this.#now() - heard.at > HEARD_FOR_MS) return null;
    return { sent: heard.sent, total: heard.total };
  }

  /**
   * Upload what waits, one at a time, until nothing does or a try fails. Called again while it
   * runs, it returns the running promise (never two uploads at once, in this tab or another).
   */
  kick() {
    clearTimeout(this.#later);
    if (!this.#running) {
      let ran = false;
      const run = () => {
        ran = true;
        return this.#run();
      };
      this.#running = this.#lock(run)
        .then(() => {
          // Another tab is sending: look again later, in case it closes before it is done.
          if (!ran && this.#online()) this.#later = setTimeout(() => this.kick(), RETRY_LATER_MS);
        })
        .finally(() => {
          this.#running = null;
        });
    }
    return this.#running;
  }

  /** Stop the upload running (offline, signed out); what arrived stays on the server for the next run. */
  pause() {
    clearTimeout(this.#later);
    const current = this.#current;
    this.#current = null;
    if (!current) return;
    current.upload.abort(false); // tus-js-client reports nothing after an abort: end the run here
    this.#progress.clear();
    this.#changed(current.id);
    current.settle(false);
  }

  async #run() {
    await null;
    const tried = new Set();
    while (this.#online()) {
      const auth = await this.#getAuthHeader();
      if (!auth) return;
      const next = (await this.#store.pendingUploads()).find((v) => !tried.has(v.pitch_id) && v.blob && !v.upload?.refused);
      if (!next) return;
      tried.add(next.pitch_id);
      const ok = await this.#upload(next);
      if (!ok) {
        if (this.#online()) this.#later = setTimeout(() => this.kick(), RETRY_LATER_MS);
        return;
      }
    }
  }

  /** One video, to its end or until tus-js-client gives up. Resolves true when the server holds all of it. */
  async #upload(video) {
    const id = video.pitch_id;
    const storage = urlStorage(this.#store);
    const blob = video.blob;
    const chunkSize = this.#chunkSize;
    return new Promise((resolve) => {
      const upload = new Upload(blob, {
        endpoint: this.#endpoint,
        chunkSize,
        retryDelays: this.#retryDelays,
        metadata: { pitch_id: id, sha256: video.sha256, filetype: video.type },
        fingerprint: async () => fingerprintOf(id),
        urlStorage: storage,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: false,
        onBeforeRequest: async (req) => {
          const auth = await this.#getAuthHeader();
          if (auth) req.setHeader("Authorization", auth);
          if (req.getMethod() !== "PATCH") return;
          const offset = Number(req.getHeader("Upload-Offset"));
          req.setHeader("Upload-Checksum", `sha256 ${await chunkChecksum(blob.slice(offset, Math.min(offset + chunkSize, blob.size)))}`);
        },
        onShouldRetry: (err) => this.#online() && retryable(err?.originalResponse?.getStatus?.() ?? 0, err?.originalResponse?.getBody?.()),
        onProgress: (sent, total) => {
          this.#progress.set(id, { sent, total });
          this.#changed(id);
        },
        onChunkComplete: (_size, accepted) => {
          this.#store.setUploadState(id, { offset: accepted }).catch(() => {});
        },
        onSuccess: async () => {
          // Kept as done before anything else happens: from here on it is never sent again.
          const kept = await this.#store.uploadDone(id).then(
            () => true,
            () => false, // not kept (storage trouble): the next run finds the server complete (HEAD) and marks it then
          );
          this.#progress.delete(id);
          this.#current = null;
          this.#changed(id);
          resolve(kept);
        },
        onError: async (err) => {
          if (this.#current?.upload !== upload) return; // paused meanwhile
          this.#progress.delete(id);
          this.#current = null;
          const status = err?.originalResponse?.getStatus?.() ?? null;
          const row = await this.#store.pitchVideo(id);
          const state = { tries: (row?.upload?.tries ?? 0) + 1, last_error: status ? `HTTP ${status}` : String(err?.message ?? err).slice(0, 200) };
          // Refused for good (too large, not a video): never sent again; the rep is told to record anew.
          if (REFUSED.has(status)) state.refused = refusalOf(status, err?.originalResponse?.getBody?.());
          await this.#store.setUploadState(id, state).catch(() => {});
          this.#changed(id);
          resolve(false);
        },
      });
      this.#current = { id, upload, settle: resolve };
      upload
        .findPreviousUploads()
        .then((previous) => {
          if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        })
        .catch((err) => upload.options.onError(err));
    });
  }
}

/**
 * The app's uploader, made before the app starts (main.js kicks it once it has): kicked on
 * `online`, after each sync and after a recording is saved (screens/pitch-record.js); paused
 * on `offline`.
 * @param {import("../app.js").App} app
 */
export function startUploads(app, baseUrl = `${globalThis.location.origin}/`) {
  const uploader = new Uploader({
    store: app.store,
    baseUrl,
    channel: typeof BroadcastChannel === "function" ? new BroadcastChannel(UPLOAD_CHANNEL) : null,
    getAuthHeader: () => (app.settings?.user && app.settings?.device_token ? `Bearer ${app.settings.device_token}` : null),
  });
  globalThis.addEventListener?.("online", () => uploader.kick());
  globalThis.addEventListener?.("offline", () => uploader.pause());
  app.on("synced", () => uploader.kick());
  return uploader;
}
