// A pitch's video with its time-pinned comments (docs/coaching.md "Pitch reviews"): the player
// the coach's review and the rep's view share. The video plays from a blob on this phone (the
// rep's own recording before it uploads, a good example saved for offline) or from the server
// (`/videos/<sha256>`, streamed with the session cookie; when that fails — the web session ended
// after 12 idle hours while the app's device credential still works — the whole video is fetched
// once with the device credential and played from a blob); until the server has it, a coach
// reads "The video has not arrived yet". Comments are buttons "0:12" that move the video to their moment.
import { h } from "./dom.js";
import { videoPath } from "./examples-cache.js";
import { commentsOf, formatClock } from "./pitching.js";

/** The device credential's header from the app's settings ({} without one). */
export const credentialOf = (settings) => (settings?.device_token ? { Authorization: `Bearer ${settings.device_token}` } : {});

/**
 * The player for a pitch. `blob`: a recording on this phone (wins over the server's copy).
 * @param {{id: string, data: object}} pitch
 * @param {{t: Function, blob?: Blob|null, label: string}} options
 * @returns {{element: HTMLElement, video: HTMLVideoElement|null, seek: (ms: number) => void, nowMs: () => number, release: () => void}}
 */
export function pitchPlayer(pitch, { t, blob = null, label, headers = {}, fetch = globalThis.fetch }) {
  const sha = pitch.data?.fields?.video_sha256;
  let url = null;
  let src = null;
  let released = false;
  if (blob) src = url = URL.createObjectURL(blob);
  else if (pitch.data?.video_uploaded && /^[0-9a-f]{64}$/.test(String(sha ?? ""))) src = videoPath(sha);
  const streamed = src !== null && url === null;
  let retried = false;
  async function withCredential() {
    // The stream failed (the cookie's session ended, or the network): fetch it once with the
    // device credential instead; a second failure leaves the browser's own error showing.
    if (!streamed || retried || !headers.Authorization || typeof fetch !== "function") return;
    retried = true;
    try {
      const response = await fetch(videoPath(sha), { headers, cache: "no-store" });
      if (response.status !== 200 || released) return;
      const at = video.currentTime;
      url = URL.createObjectURL(await response.blob());
      video.src = url;
      video.currentTime = at;
    } catch {
      // offline: nothing more to try
    }
  }
  const video = src
    ? h("video", { controls: true, preload: "metadata", playsinline: true, src, "aria-label": label, class: "pitch-video", on: { error: () => withCredential() } })
    : null;
  const element = video
    ? h("div", { class: "pitch-player" }, video)
    : h("p", { class: "pitch-missing", role: "status" }, t("pitchReview.notArrived"));
  return {
    element,
    video,
    seek(ms) {
      if (!video) return;
      video.currentTime = Math.max(0, ms / 1000);
      video.focus();
    },
    nowMs: () => (video ? Math.round(video.currentTime * 1000) : 0),
    release: () => {
      released = true;
      if (url) URL.revokeObjectURL(url);
    },
  };
}

/**
 * The comments of a pitch as a list: each a button with its moment that seeks the video, and,
 * given `onRemove`, a "Remove" button. null when there are none.
 * @param {Array<{t_ms: number, text: string}>} comments
 */
export function commentList(comments, { t, seek, onRemove = null }) {
  const list = commentsOf({ comments });
  if (!list.length) return null;
  return h(
    "ol",
    { class: "pitch-comments" },
    list.map((c, i) =>
      h(
        "li",
        { class: "pitch-comment" },
        h("button", { type: "button", class: "small clock", "aria-label": t("pitchReview.playFrom", { time: formatClock(c.t_ms) }), on: { click: () => seek(c.t_ms) } }, formatClock(c.t_ms)),
        " ",
        h("span", { class: "comment-text" }, c.text),
        onRemove
          ? h("button", { type: "button", class: "link", "aria-label": t("pitchReview.removeComment", { time: formatClock(c.t_ms) }), on: { click: () => onRemove(i) } }, t("pitchReview.remove"))
          : null,
      ),
    ),
  );
}
