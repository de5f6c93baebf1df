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
  let inner = null; // {module, instance}
  let gone = false;
  // Decided again at each refresh: before the first sync brings the pitch it is nobody's yet.
  async function decide(reason) {
    const [me, pitches] = await Promise.all([ctx.store.me(), ctx.store.editedRecords("pitch")]);
    if (gone) return;
    const repId = pitches.find((p) => p.id === ctx.param)?.data?.rep_id ?? null;
    // A pitch made on this phone and not pulled back yet has no rep id: it is the rep's own.
    const mine = repId == null || repId === me?.user_id || !seesTeam(me);
    const module = mine ? view : review;
    if (inner?.module === module) {
      if (reason) inner.instance.refresh?.(reason);
      return;
    }
    inner?.instance.unmount?.();
    inner = { module, instance: module.mount(root, ctx) ?? {} };
  }
  decide(null);
  return {
    busy: () => inner?.instance.busy?.() ?? false,
    refresh: (reason) => decide(reason ?? "synced"),
    unmount: () => {
      gone = true;
      inner?.instance.unmount?.();
    },
  };
}
