// "Pitches" (docs/app.md "Pitches"), for reps: "My pitches" with where each one is (waiting to
// upload, uploading (per cent), uploaded, reviewed), then the library's situations to pitch
// (prompt-card.js: title, situation, time limit, the behaviours a coach judges), each with "Record". Works
// offline: the prompts come from the kept library, the pitches from this device's videos and
// the pulled pitch records. #/pitches/record/<prompt_id> records one (pitch-record.js);
// #/pitches/<id> shows one (the pitch's own view).
import { h, replace } from "../dom.js";
import { formatDay } from "../i18n.js";
import { rolesOf } from "../coaching.js";
import { pitchStatus } from "../pitches/pitch.js";
import { pitchPrompt, pitchPrompts } from "../library.js";
import { clockTime, judgedBehaviours, promptCard } from "../prompt-card.js";
import { dayOfDate } from "../study-plan.js";
import { mountRecord } from "./pitch-record.js";

export const titleKey = "pitches.title";

/** Shown in the navigation to reps (the pull's `me`; screens/index.js shownTo). */
export const shownTo = ({ me }) => rolesOf(me).includes("rep");

export function mount(root, ctx) {
  const [first, ...rest] = String(ctx.param ?? "").split("/");
  if (first === "record" && rest.length) return mountRecord(root, ctx, rest.join("/"));
  return mountList(root, ctx);
}

/** My pitches: this device's recordings and the pulled pitches of mine, newest first. */
function myPitches(videos, records, me) {
  const byId = new Map();
  for (const video of videos) byId.set(video.pitch_id, { id: video.pitch_id, video, pulled: null });
  for (const { id, data, pending } of records) {
    const mine = byId.has(id) || pending || (me && data.rep_id === me.user_id);
    if (!mine) continue;
    const entry = byId.get(id) ?? { id, video: null, pulled: null };
    entry.pulled = data;
    byId.set(id, entry);
  }
  const at = (p) => p.video?.recorded_at ?? p.pulled?.created_at ?? p.pulled?.fields?.recorded_on ?? "";
  return [...byId.values()].sort((a, b) => (at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0));
}

function mountList(root, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;
  let loads = 0;
  let snapshot = null;
  const statusLines = new Map(); // pitch id → its status element, updated in place while uploading

  function statusText(p) {
    const { state, percent } = pitchStatus({ video: p.video, pulled: p.pulled, progress: app.uploads?.progressOf(p.id) });
    if (state === "uploading") return t("pitches.uploading", { percent });
    return state === "waiting" && percent !== null ? t("pitches.waitingSent", { percent }) : t(`pitches.${state}`);
  }

  async function load() {
    const mine = ++loads;
    const [content, me, videos, records] = await Promise.all([store.content(), store.me(), store.pitchVideos(), store.editedRecords("pitch")]);
    if (gone || mine !== loads) return;
    snapshot = content?.snapshot ?? null;
    const hadFocus = root.contains(document.activeElement);
    statusLines.clear();
    replace(
      root,
      h(
        "section",
        { class: "pitches" },
        h("h2", {}, t("pitches.title")),
        h("p", { class: "hint" }, t("pitches.intro")),
        pitchList(myPitches(videos, records, me)), // first: where a rep's pitches are is what they come back for
        prompts(),
      ),
    );
    if (hadFocus) root.querySelector("h2")?.focus?.();
  }

  function prompts() {
    const list = pitchPrompts(snapshot, language);
    return h(
      "section",
      { "aria-labelledby": "pitch-prompts" },
      h("h3", { id: "pitch-prompts" }, t("pitches.promptsHeading")),
      list.length
        ? h(
            "ul",
            { class: "pitch-prompts" },
            list.map((prompt) => {
              const card = promptCard(prompt, judgedBehaviours(snapshot, prompt, language), { t, headingLevel: 4 });
              const label = t("pitches.recordLabel", { title: prompt.title ?? prompt.id });
              card.append(h("a", { class: "button primary", href: `#/pitches/record/${encodeURIComponent(prompt.id)}`, "aria-label": label }, t("pitches.record")));
              return h("li", {}, card);
            }),
          )
        : h("p", {}, t("pitches.noPrompts")),
    );
  }

  function pitchList(pitches) {
    return h(
      "section",
      { "aria-labelledby": "my-pitches" },
      h("h3", { id: "my-pitches" }, t("pitches.mineHeading")),
      pitches.length
        ? h(
            "ul",
            { class: "my-pitches" },
            pitches.map((p) => {
              const promptId = p.video?.prompt_id ?? p.pulled?.fields?.prompt_id;
              const title = pitchPrompt(snapshot, promptId)?.title ?? t("pitches.unknownPrompt");
              const recordedOn = p.pulled?.fields?.recorded_on ?? p.video?.recorded_at?.slice(0, 10);
              const day = recordedOn ? dayOfDate(recordedOn) : null;
              const length = clockTime(Math.round((p.video?.duration_ms ?? p.pulled?.fields?.duration_ms ?? 0) / 1000));
              const status = h("span", { class: "pitch-status", "data-pitch": p.id }, statusText(p));
              statusLines.set(p.id, { status, pitch: p });
              const upload = p.video?.upload;
              const error = upload?.done
                ? null
                : upload?.refused
                  ? h("p", { class: "error" }, t("pitches.refused", { detail: upload.refused }))
                  : upload?.last_error
                    ? h("p", { class: "hint" }, t("pitches.lastError", { detail: upload.last_error }))
                    : null;
              return h(
                "li",
                {},
                h("a", { href: `#/pitches/${encodeURIComponent(p.id)}` }, title),
                h("p", { class: "hint" }, t("pitches.recordedOn", { date: day == null ? recordedOn ?? "" : formatDay(day, language), length })),
                h("p", {}, status),
                error,
              );
            }),
          )
        : h("p", {}, t("pitches.none")),
    );
  }

  // Progress redraws only the status line; a finished upload reloads the list.
  const stop = app.uploads?.on((id) => {
    const line = statusLines.get(id);
    if (!line) return load();
    const progress = app.uploads.progressOf(id);
    if (!progress) return load();
    line.status.textContent = statusText(line.pitch);
    return null;
  });

  load();
  return {
    refresh: () => load(),
    unmount: () => {
      gone = true;
      stop?.();
    },
  };
}
