// The sync status in the header: always the unsynced count ("3 not synced" / "All synced", or
// "Not signed in" before anyone has),
// what sync is doing when it matters, and the "Sync now" button (or "Sign in" when paused).
// Its elements are made once and updated in place, so keyboard focus on the button survives
// every status change.
import { h, replace } from "./dom.js";

/** One line on what sync is doing or what went wrong, or "" when there is nothing to say. */
export function detailLine(status, t, extra = {}) {
  if (status.paused) return t("sync.paused");
  if (status.stopped) return t("sync.stopped", { detail: status.lastError?.detail ?? status.stopped });
  if (status.state === "syncing") return t("sync.syncing");
  if (status.lastError?.kind === "client_error" && /storage is full/.test(status.lastError.detail ?? "")) return t("sync.storageFull");
  if (extra.contentError) return t("sync.contentError", { detail: extra.contentError.problems?.[0] ?? "?" });
  const last = status.rejected?.[status.rejected.length - 1];
  if (last) return rejectedLine(last, t, extra);
  if (status.diverged) return t("sync.diverged");
  if (status.state === "offline" || extra.offline) return t("sync.offline");
  return "";
}

/** What the server refused (the latest rejection), named as the learner knows it. */
function rejectedLine(rejection, t, extra) {
  const { kind, questionId, reason } = rejection;
  if (kind === "answer") return t("sync.rejected", { question: extra.questionTitle?.(questionId) ?? questionId, reason });
  if (kind === "acknowledgement") return t("sync.rejectedAcknowledgement", { reason });
  return t("sync.rejectedOther", { reason });
}

/**
 * @param {HTMLElement} root where the bar lives
 * @param {{onSyncNow: () => void, onSignIn: () => void}} actions
 */
export function createSyncBar(root, { onSyncNow, onSignIn }) {
  let paused = false;
  const count = h("span", { id: "sync-count", class: "count" });
  const button = h("button", { type: "button", class: "small", on: { click: () => (paused ? onSignIn() : onSyncNow()) } });
  const detail = h("p", { class: "sync-detail" });
  replace(root, h("div", { class: "sync-row" }, count, button), detail);
  return {
    /**
     * @param {object} status the SyncClient's status
     * @param {{offline?: boolean, signedOut?: boolean, contentError?: object|null, questionTitle?: (id: string) => string}} extra
     * @param {Function} t the translator
     */
    update(status, extra, t) {
      // Before anyone has signed in there is nothing to sync yet: offer sign-in instead.
      paused = Boolean(status.paused || extra.signedOut);
      // "All synced" only for someone signed in: before that nothing has been synced at all.
      count.textContent = status.unsynced ? t("sync.unsynced", { n: status.unsynced }) : t(extra.signedOut ? "sync.notSignedIn" : "sync.allSynced");
      count.className = status.unsynced ? "count pending" : "count";
      button.textContent = paused ? t("sync.signIn") : t("sync.now");
      detail.textContent = detailLine(status, t, extra);
      detail.hidden = !detail.textContent;
    },
  };
}
