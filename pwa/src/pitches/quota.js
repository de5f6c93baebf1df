// Is there room on this phone for a recording? Decided before the camera starts (docs/app.md
// "Recording a pitch"), from navigator.storage.estimate(): a recording that fills the disk
// half-way would be lost. Pure: the estimate comes in.

/** What the recorder asks of MediaRecorder (pitches/recorder.js), in bits per second. */
export const VIDEO_BITS_PER_SECOND = 1_000_000;
export const AUDIO_BITS_PER_SECOND = 64_000;
/** Encoders overshoot their target, and the database needs room around the blob. */
export const MARGIN = 1.5;
export const HEADROOM_BYTES = 5 * 1_000_000;

/** The bytes a recording of `seconds` may need on the device, margin included. */
export function bytesNeeded(seconds, bitsPerSecond = VIDEO_BITS_PER_SECOND + AUDIO_BITS_PER_SECOND) {
  return Math.ceil((Math.max(0, seconds) * bitsPerSecond * MARGIN) / 8) + HEADROOM_BYTES;
}

/**
 * The decision: {ok: true} when there is room (or the browser cannot tell: recording is then
 * allowed, and a full disk still loses nothing kept before: store.savePitch fails whole), else
 * {ok: false, needed, free, short_mb}: how many MB (10^6 bytes, rounded up) to free.
 * @param {{quota?: number, usage?: number}|null} estimate navigator.storage.estimate()'s answer
 * @param {number} seconds the prompt's time limit
 */
export function roomToRecord(estimate, seconds) {
  const needed = bytesNeeded(seconds);
  const quota = Number(estimate?.quota);
  const usage = Number(estimate?.usage ?? 0);
  if (!Number.isFinite(quota) || quota <= 0 || !Number.isFinite(usage)) return { ok: true, needed, free: null, short_mb: 0 };
  const free = Math.max(0, quota - usage);
  if (free >= needed) return { ok: true, needed, free, short_mb: 0 };
  return { ok: false, needed, free, short_mb: Math.ceil((needed - free) / 1_000_000) };
}
