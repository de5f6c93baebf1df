// tus-js-client's "URL storage" (where it keeps the address of an upload it may resume), backed
// by the store's `videos` rows instead of localStorage: the resume state lives in IndexedDB with
// the recording, survives app restarts, and goes with the row. One upload per pitch: the
// fingerprint of a pitch's upload is `pitch:<pitch_id>`, and it is also the storage key.

const PREFIX = "pitch:";

/** The fingerprint (and storage key) of a pitch's upload. */
export const fingerprintOf = (pitchId) => `${PREFIX}${pitchId}`;

/** The pitch id of a fingerprint, or null for any other string. */
export function pitchIdOf(fingerprint) {
  const text = String(fingerprint ?? "");
  return text.startsWith(PREFIX) && text.length > PREFIX.length ? text.slice(PREFIX.length) : null;
}

/** What tus-js-client reads back: the stored upload of a row, or none. */
function previous(row) {
  if (!row?.upload?.url || row.upload.done) return [];
  return [{ uploadUrl: row.upload.url, urlStorageKey: fingerprintOf(row.pitch_id), size: row.size, metadata: {}, creationTime: row.upload.created_at }];
}

/**
 * The adapter over the store's pitch methods (IdbStore: pitchVideo, pendingUploads,
 * setUploadState). Implements tus-js-client's UrlStorage interface.
 * @param {{pitchVideo: Function, pendingUploads: Function, setUploadState: Function}} store
 * @param {() => string} [now] ISO timestamps, for tests
 */
export function urlStorage(store, now = () => new Date().toISOString()) {
  return {
    async findAllUploads() {
      return (await store.pendingUploads()).flatMap(previous);
    },
    async findUploadsByFingerprint(fingerprint) {
      const id = pitchIdOf(fingerprint);
      return id ? previous(await store.pitchVideo(id)) : [];
    },
    async addUpload(fingerprint, upload) {
      const id = pitchIdOf(fingerprint);
      if (!id) throw new TypeError(`not a pitch upload: ${fingerprint}`);
      await store.setUploadState(id, { url: upload.uploadUrl ?? null, created_at: now() });
      return fingerprint;
    },
    async removeUpload(key) {
      const id = pitchIdOf(key);
      if (id) await store.setUploadState(id, { url: null });
    },
  };
}
