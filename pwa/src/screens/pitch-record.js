// "Record a pitch" (#/pitches/record/<prompt_id>; docs/app.md "Recording a pitch"): the
// situation and its time limit; room on the phone checked BEFORE the camera starts; the camera
// preview; "Start recording" → 3-2-1 → recording with a timer, stopping itself at the limit;
// playback with "Retake" and "Submit". Submit hashes the video (SHA-256) and keeps it with the
// pitch's record in one step (store.savePitch); it uploads later, when online (uploader.js).
// Works fully offline. While recording or reviewing a take, a sync never redraws the screen.
import { focus, h, replace } from "../dom.js";
import { StorageFullError } from "../store.js";
import { isoDate } from "../intervision.js";
import { formatTimestamp } from "../sync/rules.js";
import { uuid7 } from "../uuid7.js";
import { CameraError, checkRoom, closeCamera, openCamera, poster, record, sha256Hex } from "../pitches/recorder.js";
import { pitchPrompt } from "../library.js";
import { clockTime as clock, judgedBehaviours, promptCard } from "../prompt-card.js";
import { noRoomMessage } from "../pitches/words.js";

const COUNTDOWN_FROM = 3;

export function mountRecord(root, ctx, promptId) {
  const { app, store, t } = ctx;
  let gone = false;
  let stream = null;
  let take = null; // {blob, type, duration_ms, url}
  let running = null; // the recording in progress: {stop}
  let stage = "start"; // start | camera | countdown | recording | review | saving | saved
  let countdown = null;
  const body = h("div", { class: "record-body" });
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" }); // the screen shows each state itself

  const back = () => h("p", {}, h("a", { href: "#/pitches" }, t("record.back")));

  function show(...children) {
    replace(body, ...children);
  }

  function release() {
    clearInterval(countdown);
    running?.stop();
    running = null;
    closeCamera(stream);
    stream = null;
    if (take?.url) URL.revokeObjectURL(take.url);
  }

  async function start(prompt, snapshot) {
    replace(
      root,
      h(
        "section",
        { class: "pitch-record" },
        h("h2", {}, t("record.title")),
        promptCard(prompt, judgedBehaviours(snapshot, prompt, ctx.language), { t, headingLevel: 3 }),
        status,
        body,
        back(),
      ),
    );
    await prepare(prompt);
  }

  async function prepare(prompt) {
    stage = "start";
    show(h("p", {}, t("record.checking")));
    const room = await checkRoom(prompt.time_limit_s);
    if (gone) return;
    if (!room.ok) {
      const retry = h("button", { type: "button", class: "secondary", on: { click: () => prepare(prompt) } }, t("record.tryAgain"));
      show(
        h("p", { class: "error", role: "alert" }, noRoomMessage(t, room, prompt.time_limit_s)),
        h("p", { class: "hint" }, t("record.noRoomHint")),
        h("div", { class: "actions" }, retry),
      );
      return;
    }
    show(h("p", {}, t("record.cameraAsk")));
    try {
      stream = await openCamera();
    } catch (err) {
      if (gone) return;
      const reason = err instanceof CameraError ? err.reason : "busy";
      const retry = h("button", { type: "button", class: "secondary", on: { click: () => prepare(prompt) } }, t("record.tryAgain"));
      show(h("p", { class: "error", role: "alert" }, t(`record.camera.${reason}`)), h("div", { class: "actions" }, retry));
      return;
    }
    if (gone) return closeCamera(stream);
    ready(prompt);
  }

  function ready(prompt) {
    stage = "camera";
    const preview = h("video", { class: "record-video", autoplay: true, playsinline: true, "aria-label": t("record.previewLabel") });
    preview.muted = true; // no echo of the rep's own voice
    preview.srcObject = stream;
    const begin = h("button", { type: "button", class: "primary", on: { click: () => count(prompt, preview) } }, t("record.start"));
    show(preview, h("div", { class: "actions" }, begin));
    focus(begin);
  }

  function count(prompt, preview) {
    stage = "countdown";
    let n = COUNTDOWN_FROM;
    const big = h("p", { class: "record-countdown", "aria-hidden": "true" }, String(n));
    show(preview, big);
    status.textContent = t("record.countdown", { n });
    countdown = setInterval(() => {
      n -= 1;
      if (n > 0) {
        big.textContent = String(n);
        status.textContent = t("record.countdown", { n });
        return;
      }
      clearInterval(countdown);
      go(prompt, preview);
    }, 1000);
  }

  function go(prompt, preview) {
    stage = "recording";
    const limitMs = prompt.time_limit_s * 1000;
    const timer = h("p", { class: "record-timer" }, t("record.timer", { elapsed: clock(0), limit: clock(prompt.time_limit_s) }));
    const stop = h("button", { type: "button", class: "primary", on: { click: () => running?.stop() } }, t("record.stop"));
    show(h("p", { class: "record-live" }, h("span", { class: "record-dot", "aria-hidden": "true" }), t("record.recording")), preview, timer, h("div", { class: "actions" }, stop));
    status.textContent = t("record.recording");
    focus(stop);
    let still = null;
    try {
      running = record(stream, {
        limitMs,
        onTick: (ms) => {
          timer.textContent = t("record.timer", { elapsed: clock(ms / 1000), limit: clock(prompt.time_limit_s) });
          if (!still && ms > 500) still = poster(preview);
        },
      });
    } catch (err) {
      status.textContent = "";
      show(h("p", { class: "error", role: "alert" }, t("record.failed", { detail: err?.message ?? String(err) })), back());
      return;
    }
    running.done.then(
      async (result) => {
        running = null;
        if (gone) return;
        take = { ...result, poster: still ? await still : null, url: URL.createObjectURL(result.blob) };
        review(prompt);
      },
      (err) => {
        running = null;
        if (!gone) show(h("p", { class: "error", role: "alert" }, t("record.failed", { detail: err?.message ?? String(err) })));
      },
    );
  }

  function review(prompt) {
    stage = "review";
    status.textContent = t("record.review");
    const playback = h("video", { class: "record-video", controls: true, playsinline: true, src: take.url, "aria-label": t("record.playbackLabel") });
    const error = h("p", { class: "error", role: "alert" });
    const submit = h("button", { type: "button", class: "primary", on: { click: () => save(prompt, submit, retake, error) } }, t("record.submit"));
    const retake = h(
      "button",
      {
        type: "button",
        class: "secondary",
        on: {
          click: () => {
            URL.revokeObjectURL(take.url);
            take = null;
            ready(prompt);
          },
        },
      },
      t("record.retake"),
    );
    show(h("p", {}, t("record.review")), playback, h("p", { class: "hint" }, t("record.length", { length: clock(take.duration_ms / 1000) })), error, h("div", { class: "actions" }, submit, retake));
    focus(submit);
  }

  async function save(prompt, submit, retake, error) {
    if (stage === "saving") return;
    stage = "saving";
    submit.disabled = true;
    retake.disabled = true;
    error.textContent = "";
    status.textContent = t("record.saving");
    submit.textContent = t("record.saving");
    const now = Date.now();
    try {
      const sha256 = await sha256Hex(take.blob);
      await store.savePitch({
        pitch_id: uuid7(now),
        blob: take.blob,
        sha256,
        size: take.blob.size,
        type: take.type,
        duration_ms: take.duration_ms,
        prompt_id: prompt.id,
        recorded_on: isoDate(app.today()),
        recorded_at: formatTimestamp(now),
        local_day: app.today(),
        poster: take.poster,
      });
    } catch (err) {
      stage = "review";
      submit.textContent = t("record.submit");
      submit.disabled = false;
      retake.disabled = false;
      status.textContent = "";
      error.textContent = err instanceof StorageFullError ? t("record.full") : t("record.saveFailed", { detail: err?.message ?? String(err) });
      return;
    }
    stage = "saved";
    closeCamera(stream);
    stream = null;
    status.textContent = "";
    const saved = h("p", { class: "record-saved", role: "status" }, t("record.saved"));
    show(saved, h("p", {}, h("a", { href: "#/pitches" }, t("record.toList"))));
    focus(saved);
    app.syncSoon();
    app.uploads?.kick();
  }

  (async () => {
    const content = await store.content();
    if (gone) return;
    const prompt = pitchPrompt(content?.snapshot, promptId);
    if (!prompt) {
      replace(root, h("section", { class: "card pitch-record" }, h("h2", {}, t("record.title")), h("p", {}, t("record.notFound")), back()));
      return;
    }
    await start(prompt, content.snapshot);
  })();

  return {
    busy: () => stage !== "start" && stage !== "saved",
    unmount: () => {
      gone = true;
      release();
    },
  };
}
