// The examples saved for offline (docs/coaching.md "Good examples"): videos kept in the Cache
// Storage cache `recap-examples`, keyed by their address `/videos/<sha256>`. Cache Storage, not
// IndexedDB: the browser streams a cached response, and a video of tens of megabytes never
// passes through a transaction. The list of examples is IndexedDB's (store.exemplars()); the
// store prunes this cache to that list after each list it keeps (IdbStore.applyPullPage).

export const EXAMPLES_CACHE = "recap-examples";

/** The address a pitch video is served from (GET /videos/<sha256>, docs/uploads.md). */
export const videoPath = (sha256) => `/videos/${sha256}`;

const shaOf = (url) => /\/videos\/([0-9a-f]{64})$/.exec(new URL(url, "http://x").pathname)?.[1] ?? null;

/**
 * The examples' video cache over a CacheStorage (`caches` in a window or a worker), or null
 * where there is none (an old browser, node): the app then only plays examples online.
 */
export function videoCache(storage = globalThis.caches) {
  if (!storage?.open) return null;
  const open = () => storage.open(EXAMPLES_CACHE);
  return {
    /** The SHA-256 of every video saved. */
    async saved() {
      if (!(await storage.has(EXAMPLES_CACHE))) return new Set();
      return new Set((await (await open()).keys()).map((r) => shaOf(r.url)).filter(Boolean));
    },

    /**
     * Download a video and keep it: the whole file (a 200, never a range), with the app's
     * credentials. Throws with the HTTP status when the server refuses.
     */
    async save(sha256, { fetch = globalThis.fetch, headers = {} } = {}) {
      const response = await fetch(videoPath(sha256), { credentials: "same-origin", headers, cache: "no-store" });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      await (await open()).put(videoPath(sha256), response);
    },

    /** The saved video as a blob, or null. */
    async blob(sha256) {
      if (!(await storage.has(EXAMPLES_CACHE))) return null;
      const hit = await (await open()).match(videoPath(sha256));
      return hit ? hit.blob() : null;
    },

    /** Delete every saved video the examples no longer play; returns the SHA-256s deleted. */
    async keepOnly(shas) {
      if (!(await storage.has(EXAMPLES_CACHE))) return [];
      const cache = await open();
      const dropped = [];
      for (const request of await cache.keys()) {
        const sha = shaOf(request.url);
        if (shas.has(sha)) continue;
        await cache.delete(request);
        if (sha) dropped.push(sha);
      }
      return dropped.sort();
    },
  };
}
