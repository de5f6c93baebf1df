// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, variant 10, 74 random bits.
//
// Every record and every mutation the app makes gets one (docs/sync.md, "Ids are made on the
// device"). Lower case, `xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx`; the same layout as
// tests/sync_device.py's uuid7.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A UUIDv7 string.
 *
 * @param {number} [nowMs] Unix time in milliseconds (default `Date.now()`); 0 ≤ nowMs < 2^48.
 * @param {Uint8Array} [randomBytes] at least 10 random bytes (default: 10 from
 *   `crypto.getRandomValues`). Pass them to get a deterministic id in tests.
 * @returns {string}
 */
export function uuid7(nowMs = Date.now(), randomBytes = undefined) {
  const ms = Math.floor(nowMs);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) {
    throw new RangeError(`uuid7: ${nowMs} is not a millisecond time between 0 and 2^48`);
  }
  const rand = randomBytes ?? globalThis.crypto.getRandomValues(new Uint8Array(10));
  if (rand.length < 10) throw new RangeError("uuid7: needs 10 random bytes");
  const b = new Uint8Array(16);
  // 48-bit big-endian milliseconds. Split in two so no step exceeds 2^32 in bit operations.
  const high = Math.floor(ms / 2 ** 32);
  const low = ms >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = (low >>> 24) & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | (rand[0] & 0x0f); // version 7
  b[7] = rand[1];
  b[8] = 0x80 | (rand[2] & 0x3f); // variant 10
  for (let i = 3; i < 10; i++) b[i + 6] = rand[i];
  const h = Array.from(b, (x) => HEX[x]);
  return (
    h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" +
    h.slice(8, 10).join("") + "-" + h.slice(10, 16).join("")
  );
}

/** The pattern every UUIDv7 made here matches (the server's `Uuid7` in sync/protocol.py). */
export const UUID7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
