// The app's IndexedDB database: the ONE module that opens it (through idb) and opens its
// transactions. Everything else reaches IndexedDB through a transaction it is handed: the
// repositories beside this module (outbox.js, answers.js, …) each read and write their object
// stores inside a transaction they are given and never open one, so a caller (src/store.js)
// can make several of them one atomic step. Schema and upgrades: schema.js.
import { openDB } from "idb";
import { DB_NAME, SCHEMA_VERSION, upgrade } from "./schema.js";

/** The device ran out of storage: the write did not happen, and nothing written before was lost. */
export class StorageFullError extends Error {
  constructor(cause) {
    super("the device's storage is full: nothing new was saved, and nothing saved before was lost", { cause });
    this.name = "StorageFullError";
  }
}

const isQuota = (err) => err?.name === "QuotaExceededError" || err?.inner?.name === "QuotaExceededError";

export class Database {
  #db;

  /**
   * Open (and create or upgrade) the database.
   * @param {{name?: string, version?: number, onVersionChange?: () => void}} [options] `version`
   *   is for tests of the upgrade path; `onVersionChange` is called when a newer app in another
   *   tab needs the database (this connection then closes, so that the upgrade is not blocked).
   */
  static async open({ name = DB_NAME, version = SCHEMA_VERSION, onVersionChange } = {}) {
    const database = new Database();
    database.#db = await openDB(name, version, {
      upgrade,
      blocking: () => {
        database.#db?.close();
        onVersionChange?.();
      },
    });
    return database;
  }

  close() {
    this.#db.close();
  }

  /** Run `work(tx)` in a read-only transaction over `stores`. */
  read(stores, work) {
    return this.run(stores, "readonly", work);
  }

  /**
   * Run `work(tx)` in a read-write transaction over `stores`. `strict`: the commit reaches the
   * disk before the promise settles (durability "strict"), for recording what a learner did.
   */
  write(stores, work, { strict = false } = {}) {
    return this.run(stores, "readwrite", work, strict ? { durability: "strict" } : undefined);
  }

  /**
   * Run `work(tx)` in one transaction; commit only if it succeeds, so it happens entirely or not
   * at all. Quota errors become StorageFullError.
   */
  async run(stores, mode, work, options = undefined) {
    const tx = this.#db.transaction(stores, mode, options);
    tx.done.catch(() => {}); // its failure is reported below, not as an unhandled rejection
    try {
      const result = await work(tx);
      await tx.done;
      return result;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      if (isQuota(err) || isQuota(tx.error)) throw new StorageFullError(err);
      throw err;
    }
  }
}
