// The case owner's commitment from an intervision session, back on Today from its follow-up date
// on (intervision.js dueCommitments): "Your commitment from intervision on <date>: <commitment>",
// with "Done".
//
// "Done" is kept on this device only (the setting `dismissed_commitments`): the server's
// acknowledgements take nuggets and observations, not sessions (sync/kinds/acknowledgement.py),
// so a commitment marked done on one device still shows on the person's other devices.
//
// The cards live in their own container beside the study loop (screens/study.js), below it, so
// drawing or removing one never moves or redraws a question being answered.
import { focus, h, replace, uid } from "./dom.js";
import { dueCommitments, sessionView } from "./intervision.js";
import { dateInWords } from "./screens/session-parts.js";

export const DISMISSED = "dismissed_commitments";

/**
 * Draw the due commitments into `container`; refresh() draws them again (after a sync or on a
 * new day: the app calls it only while the study screen is not busy).
 */
export function mountCommitments(container, ctx) {
  const { app, store, t, language } = ctx;
  let gone = false;
  let loads = 0;

  async function load() {
    const mine = ++loads;
    const me = await store.me();
    if (!me?.user_id) return draw([]);
    const records = await store.editedRecords("session");
    const settings = await store.settings();
    if (gone || mine !== loads) return;
    const dismissed = Array.isArray(settings[DISMISSED]) ? settings[DISMISSED] : [];
    draw(dueCommitments(records.map((r) => sessionView(r, me)), { userId: me.user_id, today: app.today(), dismissed }));
  }

  function draw(due) {
    if (gone) return;
    replace(
      container,
      due.map((v) => {
        const headingId = uid("commitment");
        return h(
          "section",
          { class: "card commitment", "aria-labelledby": headingId },
          h("h2", { id: headingId }, t("commitment.title")),
          h("p", { class: "commitment-text" }, t("commitment.text", { date: dateInWords(v.heldOn, language), commitment: String(v.fields.commitment).trim() })),
          h("button", { type: "button", class: "secondary", on: { click: () => done(v.id) } }, t("commitment.done")),
        );
      }),
    );
  }

  async function done(sessionId) {
    const settings = await store.settings();
    const dismissed = Array.isArray(settings[DISMISSED]) ? settings[DISMISSED] : [];
    await app.setSetting(DISMISSED, [...new Set([...dismissed, sessionId])]);
    await load();
    focus(container.querySelector(".commitment button") ?? container.closest("main")?.querySelector("h2"));
  }

  load();
  return {
    refresh: () => load(),
    unmount: () => {
      gone = true;
    },
  };
}
