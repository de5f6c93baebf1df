// The library's download: THE one path by which a snapshot reaches the device, for a pull that
// announces a new version (pull.js) and for the app's first run, before any sign-in (app.js).
//
// Here a download is checked as a transfer: the response is a JSON object of the announced
// version, with the announced ETag. Whether the document is a usable library, and newer than
// the one kept, is checked by the store in the transaction that would keep it
// (db/content.js, with content-check.js): only there is "the version on this device" certain.
// Either way a corrupt, partial or older download never replaces the good library.

/**
 * Why a download failed, in the shape of the sync client's lastError.
 * @typedef {{kind: "content_download", status: number|null, detail: string}} DownloadFailure
 */

/**
 * Download the snapshot a content change (or GET /content/latest) announces.
 * @param {import("./transport.js").Transport} transport
 * @param {{version: number, snapshot: string, etag?: string|null}|null} meta
 * @returns {Promise<{content: import("./store-interface.js").ContentSnapshot|null, failure: DownloadFailure|null}>}
 *   `content`, or why not in `failure`; both null when `meta` names no snapshot to fetch
 */
export async function fetchSnapshot(transport, meta) {
  if (!meta || typeof meta.snapshot !== "string") return { content: null, failure: null };
  const result = await transport.get(meta.snapshot);
  const etag = result.headers?.get?.("etag") ?? null;
  const ok =
    result.status === 200 &&
    result.data &&
    result.data.version === meta.version &&
    (!meta.etag || !etag || etag === meta.etag);
  if (!ok) return { content: null, failure: failure(result, `snapshot ${meta.version} could not be downloaded`) };
  return { content: { version: meta.version, etag: meta.etag ?? etag, snapshot: result.data }, failure: null };
}

/**
 * The app's first run: ask the server which version is the latest, download it, and hand it to
 * the store, which keeps it with the content cursor (or records why not). No credential needed.
 * @param {import("./transport.js").Transport} transport
 * @param {{saveContent: (snapshot: object, options: {etag: string|null}) => Promise<{saved: boolean, version: number, problems: string[]}>}} store
 * @returns {Promise<{saved: boolean, version: number|null, problems: string[], failure: DownloadFailure|null}>}
 */
export async function downloadLatest(transport, store) {
  const latest = await transport.get("/content/latest");
  if (latest.status !== 200 || !latest.data || typeof latest.data !== "object") {
    return { saved: false, version: null, problems: [], failure: failure(latest, "the latest library version could not be read") };
  }
  // Version 0: nothing is published yet, which is not a failure.
  if (!latest.data.version) return { saved: false, version: 0, problems: [], failure: null };
  const { content, failure: failed } = await fetchSnapshot(transport, latest.data);
  if (!content) return { saved: false, version: null, problems: [], failure: failed };
  return { ...(await store.saveContent(content.snapshot, { etag: content.etag })), failure: null };
}

/** @returns {DownloadFailure} */
function failure(result, fallback) {
  return {
    kind: "content_download",
    status: result.status ?? null,
    detail: result.error ? String(result.error.message ?? result.error) : fallback,
  };
}
