// "Good examples" (#/examples; docs/coaching.md "Good examples"): the pitches of my teams that a
// coach proposed and their rep agreed to share (the pull's `exemplars`, store.exemplars()). Each
// plays from the server when online, or from this phone once "Save for offline" kept it in Cache
// Storage (examples-cache.js); offline and not saved, it says so. A withdrawn example leaves the
// list, and this phone, at the next sync.
import { credentialOf } from "../pitch-player.js";
import { focus, h, replace, uid } from "../dom.js";
import { formatDate } from "../coaching.js";
import { videoPath } from "../examples-cache.js";
import { formatClock, promptOf } from "../pitching.js";

export const titleKey = "examples.title";

/** Offered to everyone in a team (App#audience: the pull's `me`). */
export const shownTo = (audience) => (audience?.me?.teams ?? []).length > 0;

export function mount(root, ctx) {
  const { store, t, language, settings } = ctx;
  const videos = store.exampleVideos ?? null;
  let gone = false;
  let shown = null;
  let playing = null; // {sha, url, video} of the example being played
  let working = false;

  async function load({ focusOn = null } = {}) {
    const [list, content, saved] = await Promise.all([store.exemplars(), store.content(), videos ? videos.saved().catch(() => new Set()) : new Set()]);
    if (gone) return;
    const key = JSON.stringify([list, content?.version, [...saved].sort(), navigator.onLine]);
    if (key === shown && !focusOn) return;
    shown = key;
    stop();
    const heading = h("h2", {}, t("examples.title"));
    if (!list.length) {
      replace(root, h("section", { class: "card examples" }, heading, h("p", {}, t("examples.none"))));
      return;
    }
    const snapshot = content?.snapshot ?? null;
    replace(
      root,
      h(
        "section",
        { class: "examples" },
        heading,
        h("p", { class: "muted" }, t("examples.intro")),
        h("ul", { class: "example-list" }, list.map((e) => h("li", {}, exampleCard(e, promptOf(snapshot, e.prompt_id), saved.has(e.video_sha256))))),
      ),
    );
    if (focusOn) focus(root.querySelector(focusOn));
  }

  function exampleCard(e, prompt, isSaved) {
    const headingId = uid("example");
    const slot = h("div", { class: "example-player" });
    const error = h("p", { class: "error", role: "alert" });
    const status = h("p", { class: "hint", role: "status" });
    const offline = navigator.onLine === false;
    const canPlay = isSaved || !offline;
    const play = h("button", { type: "button", class: "primary", disabled: !canPlay, on: { click: () => start(e, isSaved, slot, error) } }, t("examples.play"));
    const save = isSaved
      ? h("p", { class: "saved", "data-saved": e.video_sha256 }, t("examples.saved"))
      : videos && !offline
        ? h("button", { type: "button", on: { click: () => keep(e, error, status) } }, t("examples.save"))
        : null;
    return h(
      "article",
      { class: "card example", "aria-labelledby": headingId, "data-example": e.pitch_id },
      h("h3", { id: headingId, lang: prompt?.language ?? null }, prompt?.title ?? e.prompt_id),
      h("p", { class: "item-meta" }, t("examples.by", { name: e.rep_name, date: formatDate(e.recorded_on, language), time: formatClock(e.duration_ms) })),
      !isSaved && offline ? h("p", { class: "hint not-saved" }, t("examples.notSaved")) : null,
      h("div", { class: "form-actions" }, play, save),
      status,
      error,
      slot,
    );
  }

  /** Play an example: from this phone when saved (a blob URL), else from the server. */
  async function start(e, isSaved, slot, error) {
    stop();
    let url = null;
    if (isSaved) {
      const blob = await videos.blob(e.video_sha256).catch(() => null);
      if (blob) url = URL.createObjectURL(blob);
    }
    if (!url && navigator.onLine === false) {
      error.textContent = t("examples.notSaved");
      return;
    }
    const video = h("video", { controls: true, playsinline: true, preload: "auto", src: url ?? videoPath(e.video_sha256), "aria-label": t("examples.videoOf", { name: e.rep_name }) });
    playing = { url, video };
    replace(slot, video);
    video.play().catch(() => {}); // the controls remain when autoplay is refused
    focus(video);
  }

  function stop() {
    if (!playing) return;
    playing.video.pause();
    if (playing.url) URL.revokeObjectURL(playing.url);
    playing = null;
  }

  /** "Save for offline": download the whole video with the app's credentials into the cache. */
  async function keep(e, error, status) {
    if (working) return;
    working = true;
    status.textContent = t("examples.saving");
    error.textContent = "";
    try {
      await videos.save(e.video_sha256, { headers: credentialOf(settings) });
    } catch (err) {
      status.textContent = "";
      error.textContent = t("examples.saveFailed", { detail: err?.message ?? String(err) });
      return;
    } finally {
      working = false;
    }
    await load({ focusOn: `[data-saved="${e.video_sha256}"]` });
  }

  const onNetwork = () => load();
  window.addEventListener("online", onNetwork);
  window.addEventListener("offline", onNetwork);
  load();
  return {
    busy: () => working || Boolean(playing && !playing.video.paused),
    refresh: () => load(),
    unmount: () => {
      gone = true;
      stop();
      window.removeEventListener("online", onNetwork);
      window.removeEventListener("offline", onNetwork);
    },
  };
}
