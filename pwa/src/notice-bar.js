// The notice over the header (#notice): the moments the service worker reports ("Ready to work
// offline", "Update available"). It floats over the header (styles/base.css), so nothing moves
// under the user's finger when it appears; one with no action goes by itself after NOTICE_MS, one
// with an action stays until used or dismissed.
import { h, replace } from "./dom.js";

export const NOTICE_MS = 8_000;

/** @param {HTMLElement|null} bar the #notice element */
export function createNoticeBar(bar) {
  let shown = null; // {key, action}
  let timer = null;

  function dismiss() {
    clearTimeout(timer);
    shown = null;
    if (!bar) return;
    bar.hidden = true;
    bar.replaceChildren();
  }

  /** Draw the notice shown (again, in the language of `t`). */
  function render(t) {
    if (!bar || !shown) return;
    const { key, action } = shown;
    replace(
      bar,
      h("span", { class: "notice-text" }, t(key)),
      action ? h("button", { type: "button", class: "small", on: { click: action.run } }, t(action.labelKey)) : null,
      h("button", { type: "button", class: "small quiet", "aria-label": t("notice.dismiss"), on: { click: dismiss } }, h("span", { "aria-hidden": "true" }, "×")),
    );
    bar.hidden = false;
  }

  /** Show a notice: a catalogue key and an optional action {labelKey, run}. */
  function show(key, action, t) {
    shown = { key, action };
    clearTimeout(timer);
    if (!action) timer = setTimeout(dismiss, NOTICE_MS);
    render(t);
  }

  return { show, render, dismiss };
}
