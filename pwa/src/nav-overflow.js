// The navigation is one row that scrolls sideways when it does not fit (a 360 px phone in
// Dutch). So that nobody takes the cut-off row for all there is, the side where links are
// hidden fades out, and at the end an arrow scrolls to them. The current screen's link is
// scrolled into view. Keyboard users reach every link with Tab (the arrow is for pointers).
import { h } from "./dom.js";

const watched = new WeakMap(); // nav -> {observer, more}

/**
 * After the nav's list is (re)drawn: mark which sides hide links and show the arrow.
 * @param {HTMLElement} nav the <nav>
 * @param {{label: string}} options the arrow's tooltip ("More")
 */
export function watchNavOverflow(nav, { label }) {
  const list = nav.querySelector("ul");
  if (!list) return;
  let state = watched.get(nav);
  if (!state) {
    const more = h("button", { type: "button", class: "nav-more", tabindex: "-1", "aria-hidden": "true", hidden: true }, "›");
    more.addEventListener("click", () => nav.querySelector("ul")?.scrollBy({ left: nav.clientWidth * 0.6 }));
    nav.append(more);
    state = { observer: new ResizeObserver(() => update(nav)), more };
    watched.set(nav, state);
  }
  state.more.title = label;
  nav.append(state.more); // after the new list
  state.observer.disconnect();
  state.observer.observe(list);
  list.addEventListener("scroll", () => update(nav), { passive: true });
  const current = list.querySelector('[aria-current="page"]');
  if (current && list.scrollWidth > list.clientWidth) {
    // Centre it without scrolling the page (scrollIntoView would move the page too).
    list.scrollLeft = current.offsetLeft - (list.clientWidth - current.offsetWidth) / 2;
  }
  update(nav);
}

/** Which sides of the nav hide links: data-more="start end", "start", "end" or "". */
export function hiddenSides(scrollLeft, scrollWidth, clientWidth) {
  const room = scrollWidth - clientWidth;
  if (room <= 1) return [];
  const sides = [];
  if (scrollLeft > 1) sides.push("start");
  if (scrollLeft < room - 1) sides.push("end");
  return sides;
}

function update(nav) {
  const list = nav.querySelector("ul");
  const state = watched.get(nav);
  if (!list || !state) return;
  const sides = hiddenSides(list.scrollLeft, list.scrollWidth, list.clientWidth);
  nav.dataset.more = sides.join(" ");
  state.more.hidden = !sides.includes("end");
}
