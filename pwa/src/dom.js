// Small DOM helpers for the screens: plain elements, no framework.

/**
 * Make an element. `attrs`: plain attributes, plus `class`, `text` (textContent), `html`
 * (trusted, server-rendered HTML only), `on` ({event: handler}) and boolean properties such as
 * `checked`/`disabled`/`hidden` (false or null/undefined leaves an attribute out).
 * Children: nodes, strings (as text) or arrays of them; null/false are skipped.
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "html") el.innerHTML = value;
    else if (key === "on") for (const [type, handler] of Object.entries(value)) el.addEventListener(type, handler);
    else if (key === "checked" || key === "disabled" || key === "hidden" || key === "required") el[key] = Boolean(value);
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Append children (nodes, strings, nested arrays; null/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace everything inside `parent` with `children`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let ids = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix = "id") {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** Move focus without scrolling the page (the caller scrolls if it wants). */
export function focus(el) {
  if (!el) return;
  if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: true });
}

/** Scroll an element into view, smoothly unless the user asked for less motion. */
export function reveal(el) {
  if (!el?.scrollIntoView) return;
  const reduce = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  el.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
}
