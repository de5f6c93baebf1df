// The thread under an observation: every acknowledgement and comment on it (the rep's, pulled
// or still on this device), oldest first, with who and when. Pure DOM drawing from
// store.acknowledgementsOf("observation", id); the rep's Feedback screen and the coach's
// observation view draw the same thread with it.
import { h } from "./dom.js";

/**
 * Everyone the signed-in person can name: themselves and the members of their teams (the pull's
 * `me`, docs/sync.md), by user id.
 * @param {{user_id?: string, name?: string, teams?: Array<{members?: Array<{user_id: string, name: string}>}>}|null} me
 * @returns {Map<string, string>}
 */
export function peopleNames(me) {
  const names = new Map();
  for (const team of me?.teams ?? []) for (const m of team?.members ?? []) if (m?.user_id) names.set(m.user_id, m.name ?? m.user_id);
  if (me?.user_id) names.set(me.user_id, me.name ?? me.user_id);
  return names;
}

/**
 * "12 March, 10:14" in `language` (the browser's own variant of it when it has one, as
 * i18n.js formatDay), in the device's time zone; the raw text if it is no time.
 */
export function formatMoment(at, language, preferred = globalThis.navigator?.languages ?? []) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at ?? "");
  const locale = (preferred ?? []).find((tag) => String(tag).toLowerCase().split("-")[0] === language) ?? language;
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }).format(date);
}

/** The events in thread order: (at, id), as the store sorts them, whatever order they came in. */
export function threadOrder(events) {
  return [...(events ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The thread as a list (null when there is nothing in it).
 * @param {Array<{id: string, user_id: string|null, acknowledged: boolean, comment?: string|null, at: string}>} events
 * @param {{t: Function, language: string, me: object|null, names?: Map<string, string>}} options
 *   an event with `user_id` null is this device's own, not synced yet
 */
export function coachingThread(events, { t, language, me, names = peopleNames(me) }) {
  const ordered = threadOrder(events);
  if (!ordered.length) return null;
  const who = (e) => (e.user_id == null || e.user_id === me?.user_id ? t("thread.you") : (names.get(e.user_id) ?? t("thread.someone")));
  return h(
    "section",
    { class: "thread" },
    h("h4", {}, t("thread.title")),
    h(
      "ol",
      { class: "thread-list" },
      ordered.map((e) =>
        h(
          "li",
          { class: "thread-item" },
          h(
            "p",
            { class: "thread-meta" },
            h("strong", {}, who(e)),
            " · ",
            h("time", { datetime: e.at }, formatMoment(e.at, language)),
            " · ",
            t(e.acknowledged ? "thread.acknowledged" : "thread.unacknowledged"),
            (e.pending ?? e.user_id == null) ? [" · ", h("span", { class: "pending" }, t("thread.notSynced"))] : null,
          ),
          e.comment ? h("p", { class: "thread-comment" }, e.comment) : null,
        ),
      ),
    ),
  );
}
