// #/pitches/<id>: one pitch, for whoever opens it. Its rep reads their pitch and its review
// (pitch-view.js); a coach or manager of the rep's team reviews or reads it (pitch-review.js).
// The address is the same for both, so a link from Team, Pitches or a notice just works.
import { seesTeam } from "../coaching.js";
import * as view from "./pitch-view.js";
import * as review from "./pitch-review.js";

export const titleKey = "pitchView.title";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The addresses this screen takes under #/pitches: a pitch's id (the list and the recorder take the rest). */
export const takes = (param) => UUID.test(String(param ?? ""));

export function mount(root, ctx) {
  let inner = null;
  let gone = false;
  (async () => {
    const [me, pitches] = await Promise.all([ctx.store.me(), ctx.store.editedRecords("pitch")]);
    if (gone) return;
    const repId = pitches.find((p) => p.id === ctx.param)?.data?.rep_id ?? null;
    // A pitch made on this phone and not pulled back yet has no rep id: it is the rep's own.
    const mine = repId == null || repId === me?.user_id || !seesTeam(me);
    inner = (mine ? view : review).mount(root, ctx) ?? {};
  })();
  return {
    busy: () => inner?.busy?.() ?? false,
    refresh: (reason) => inner?.refresh?.(reason),
    unmount: () => {
      gone = true;
      inner?.unmount?.();
    },
  };
}
