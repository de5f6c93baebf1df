// The sync store interface: what the sync client (client.js and its phases) needs from local
// storage. Types only. The app's IndexedDB store (src/store.js) implements it with one IndexedDB
// transaction per method; the tests' in-memory store (test/support/memory-store.js) implements
// it with one synchronous step per method, and the store tests hold both to the same contract.

/**
 * Answer payload, version 1 (docs/sync.md, "Answer payload v1").
 * @typedef {object} AnswerPayload
 * @property {string} id UUIDv7, made on the device
 * @property {string} question_id
 * @property {number} content_version
 * @property {number[]} choice option numbers, 1 = first
 * @property {boolean} correct the device's verdict
 * @property {string} answered_at the device's clock, YYYY-MM-DDTHH:MM:SS.mmmZ
 * @property {number} local_day
 * @property {number|null} duration_ms
 */

/**
 * Acknowledgement payload, version 1 (docs/sync.md, "Acknowledgement payload v1").
 * @typedef {object} AcknowledgementPayload
 * @property {string} id UUIDv7, made on the device: the event's id
 * @property {"nugget"|"observation"} item_kind
 * @property {string} item_id
 * @property {boolean} acknowledged false takes an earlier acknowledgement back
 * @property {string} at the device's clock, YYYY-MM-DDTHH:MM:SS.mmmZ
 * @property {number} local_day
 * @property {string|null} comment
 */

/**
 * What a mutation carries, tagged by the entry's `kind` (docs/sync-schema.json, Mutation).
 * @typedef {AnswerPayload|AcknowledgementPayload} Payload
 */

/**
 * One outbox entry: exactly the mutation sent in a push.
 * @typedef {object} OutboxEntry
 * @property {string} id the mutation's UUIDv7 (a re-queued answer gets a new one)
 * @property {number} client_seq per device, only grows, never reused
 * @property {"answer"|"acknowledgement"} kind the record kind (the app records these two;
 *   observations come later)
 * @property {number} payload_version the payload's format version for its kind
 * @property {Payload} payload
 */

/** @typedef {{content: number, records: number}} Cursors */

/**
 * A mutation the server rejected for good, of any kind; the app shows `reason`.
 * @typedef {object} Rejection
 * @property {string} kind the mutation's kind
 * @property {string} recordId the record's id (the payload's `id`)
 * @property {string} mutationId
 * @property {number} clientSeq
 * @property {string} reason
 * @property {string} [questionId] for an answer: its question
 */

/**
 * A downloaded library snapshot (GET /content/snapshot/{version}), checked as a transfer by
 * library.js; the store checks the document itself before keeping it.
 * @typedef {object} ContentSnapshot
 * @property {number} version
 * @property {string|null} etag
 * @property {object} snapshot the snapshot document (docs/api.md)
 */

/**
 * One pull page, as the store must apply it in ONE transaction.
 * @typedef {object} PullPage
 * @property {Array<{stream: "records", seq: number, kind: string, data: object}>} changes
 *   the page's `records` changes in increasing seq: an `answer` marks its id as on the server
 *   (keeping the device's own payload if it has one); a `progress` replaces the question's
 *   earlier progress; an `acknowledgement` is kept beside the device's own events; an
 *   `observation` is kept as sent (pulledRecords); any other kind is skipped (a newer server's),
 *   the cursor moving past it all the same
 * @property {Cursors} cursors the cursor values to store (the client has already applied the
 *   rules: resets, never backwards otherwise, content only when its snapshot is in `content`)
 * @property {number} ackedThrough delete outbox entries at or below it (as ackThrough)
 * @property {Rejection[]} [rejected] rejections the page reported for queued entries: record
 *   them (as ackThrough does) before the entries leave the outbox
 * @property {string[]} reset streams the server reset on this page (informational)
 * @property {ContentSnapshot|null} content a new library to store with the content cursor
 * @property {number} [disagreementsReported] how many disagreements the pull request reported
 *   (from `disagreements()`): subtract them from the count in the same transaction
 * @property {object|null} [plan] the response's `plan` (docs/sync.md "The plan"): keep it, if
 *   well formed, in place of the one kept; null (an older server) leaves the kept one
 * @property {object|null} [me] the response's `me` (docs/sync.md "who I am", last page only):
 *   keep it in place of the one kept; null leaves the kept one (a store may ignore it)
 * @property {object|null} [leaderboard] the last page's `leaderboard` (docs/sync.md
 *   "Leaderboard"): keep it, if well formed, in place of the one kept; null forgets the kept one
 *   (the organisation has them off); undefined (not the last page) leaves it (a store may ignore it)
 * @property {object[]|null} [exemplars] the last page's `exemplars` (docs/sync.md "Good
 *   examples"): the complete list replaces the kept one; null (an older server) and undefined
 *   (not the last page) leave it (a store may ignore it)
 */

/**
 * What the sync client needs from local storage. Every method is async and each one is a
 * single local transaction: it happens entirely or not at all.
 *
 * @typedef {object} SyncStore
 * @property {(kind: string, payloadVersion: number, payload: Payload, mutationId: string) => Promise<OutboxEntry>} record
 *   Store an own record of `kind` (an answer, an acknowledgement) AND its outbox entry (the next
 *   client_seq) together; for an answer, also its question's provisional progress. Throws,
 *   storing nothing, for a kind or payload version the device does not record, or a record id
 *   it holds already. Returns the entry.
 * @property {(answer: AnswerPayload, mutationId: string) => Promise<OutboxEntry>} recordAnswer
 *   record("answer", 1, answer, mutationId).
 * @property {(limit: number) => Promise<OutboxEntry[]>} outboxBatch
 *   The first `limit` outbox entries in client_seq order (copies).
 * @property {() => Promise<number>} outboxSize
 *   Entries in the outbox: the "not synced yet" number.
 * @property {() => Promise<number>} nextSeq
 *   The client_seq the next entry will get.
 * @property {(ackedThrough: number, rejections?: Rejection[]) => Promise<number>} ackThrough
 *   Record `rejections`, then delete every outbox entry with client_seq ≤ ackedThrough, whatever
 *   its kind, and mark the answer of each deleted `answer` entry as on the server unless it was
 *   rejected. Returns how many entries were deleted.
 * @property {(fromSeq: number) => Promise<void>} renumberOutbox
 *   After a server restored from a backup: give the outbox entries consecutive client_seq
 *   values from `fromSeq` (same mutation ids and payloads, same order), and the next entry
 *   `fromSeq + size`.
 * @property {() => Promise<Cursors>} getCursors
 * @property {(page: PullPage) => Promise<void>} applyPullPage
 *   Apply a pull page: its records, its cursors, its content, and ackThrough(page.ackedThrough).
 * @property {() => Promise<string[]>} knownOnServerIds
 *   Ids of the answers the device knows are on the server: pulled ones and its own
 *   acknowledged ones (never rejected ones). The digest is computed over these.
 * @property {() => Promise<void>} beginHeal
 *   Start a heal: set the records cursor to 0 and forget which OWN answers are on the server
 *   (they are learnt again from the re-pull and from acks). Deletes nothing.
 * @property {() => Promise<string[]>} missingOwnAnswerIds
 *   Own answers not known to be on the server, not in the outbox and not rejected, oldest first.
 * @property {(answerIds: string[], newMutationId: () => string) => Promise<OutboxEntry[]>} requeue
 *   Put these own answers back in the outbox: each a new mutation (id from newMutationId()),
 *   the next client_seq, the same payload. Skips any that is on the server, queued already or
 *   rejected. Returns the new entries.
 * @property {() => Promise<Rejection[]>} rejected
 *   Every rejection recorded, for the UI.
 * @property {() => Promise<number>} [disagreements]
 *   Optional: answers whose provisional progress differed from the server's `progress` change
 *   for them, not yet reported. The client sends the count on its next pull.
 */

export {};
