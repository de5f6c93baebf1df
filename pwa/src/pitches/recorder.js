// The camera side of recording a pitch (screens/pitch-record.js drives it): the room check, the
// camera and microphone, MediaRecorder with the time limit enforced, and the recording's SHA-256.
// Nothing here touches IndexedDB: the screen hands the result to store.savePitch.
import { AUDIO_BITS_PER_SECOND, VIDEO_BITS_PER_SECOND, roomToRecord } from "./quota.js";
import { videoType } from "./pitch.js";

/** Containers in order of preference: WebM (VP8/Opus) where the browser records it, else MP4 (Safari). */
export const MIME_CANDIDATES = Object.freeze([
  "video/webm;codecs=vp8,opus",
  "video/webm;codecs=vp9,opus",
  "video/webm",
  "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
  "video/mp4",
]);

/** The first candidate `isTypeSupported` allows, or null. */
export function pickMimeType(isTypeSupported) {
  return MIME_CANDIDATES.find((type) => isTypeSupported(type)) ?? null;
}

/** Room for a recording of `seconds` on this phone (quota.js roomToRecord over the browser's estimate). */
export async function checkRoom(seconds, storage = globalThis.navigator?.storage) {
  const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
  return roomToRecord(estimate, seconds);
}

/** Why the camera could not be used: "unsupported" (no API), "denied" (refused), "absent" (none found), "busy". */
export class CameraError extends Error {
  constructor(reason, cause) {
    super(`camera not available: ${reason}`, { cause });
    this.name = "CameraError";
    this.reason = reason;
  }
}

/** Camera and microphone, the front camera preferred. Throws CameraError. */
export async function openCamera(mediaDevices = globalThis.navigator?.mediaDevices) {
  if (!mediaDevices?.getUserMedia || typeof globalThis.MediaRecorder !== "function") throw new CameraError("unsupported");
  try {
    return await mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: true });
  } catch (err) {
    const name = err?.name;
    if (name === "NotAllowedError" || name === "SecurityError") throw new CameraError("denied", err);
    if (name === "NotFoundError" || name === "OverconstrainedError") throw new CameraError("absent", err);
    throw new CameraError("busy", err);
  }
}

/** Stop every track of a stream (the camera light goes off). */
export function closeCamera(stream) {
  for (const track of stream?.getTracks?.() ?? []) track.stop();
}

/**
 * One recording of `stream`, at most `limitMs` long: it stops itself at the limit. `onTick(ms)`
 * is called about 4 times a second while it runs. `done` resolves with {blob, type, duration_ms}.
 */
export function record(stream, { limitMs, onTick = () => {} }) {
  const mimeType = pickMimeType((type) => globalThis.MediaRecorder.isTypeSupported?.(type) ?? false);
  const recorder = new globalThis.MediaRecorder(stream, {
    ...(mimeType ? { mimeType } : {}),
    videoBitsPerSecond: VIDEO_BITS_PER_SECOND,
    audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
  });
  const chunks = [];
  let started = 0;
  let timer = null;
  const done = new Promise((resolve, reject) => {
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data?.size) chunks.push(event.data);
    });
    recorder.addEventListener("error", (event) => reject(event.error ?? new Error("recording failed")));
    recorder.addEventListener("stop", () => {
      clearInterval(timer);
      const duration = Math.max(1, Math.min(limitMs, Math.round(performance.now() - started)));
      const type = videoType(recorder.mimeType || mimeType) ?? "video/webm";
      resolve({ blob: new Blob(chunks, { type }), type, duration_ms: duration });
    });
  });
  started = performance.now();
  recorder.start(1000); // a chunk a second: a stop at any moment loses at most the last second's encoding
  timer = setInterval(() => {
    const elapsed = performance.now() - started;
    onTick(Math.min(elapsed, limitMs));
    if (elapsed >= limitMs && recorder.state === "recording") recorder.stop();
  }, 250);
  return {
    done,
    stop: () => {
      if (recorder.state !== "inactive") recorder.stop();
    },
  };
}

/** The SHA-256 of a blob as 64 lowercase hex digits (crypto.subtle; the whole file at once). */
export async function sha256Hex(blob) {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A small still of a video element's current frame (a JPEG about 160 px wide), or null. */
export async function poster(video, width = 160) {
  try {
    if (!video?.videoWidth) return null;
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = Math.round((video.videoHeight / video.videoWidth) * width);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob((blob) => resolve(blob), "image/jpeg", 0.7));
  } catch {
    return null;
  }
}
