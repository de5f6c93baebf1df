// The case owner's commitment from an intervision session, back on Today from its follow-up date
// on (intervision.js dueCommitments): "Your commitment from intervision on <date>: <commitment>",
// with "Done".
//
// "Done" is an acknowledgement of the session (payload version 2, docs/sync.md), recorded
// through the outbox: it reaches the person's other devices and the session's moderator.
//
// The cards live in their own container beside the study loop (screens/study.js), below it, so
// drawing or removing one never moves or redraws a question being answered.
import { focus, h, replace, uid } from "./dom.js";
import { dueCommitments, sessionView } from "./intervision.js";
import { dateInWords } from "./screens/session-parts.js";

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
    const dismissed = [...(await store.acknowledgedItems("session"))];
    if (gone || mine !== loads) return;
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
    await app.acknowledge("session", sessionId);
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
