// Pieces every intervision screen shows: the confidentiality rule, a stage's name, a date in words.
import { h, uid } from "../dom.js";
import { formatDay } from "../i18n.js";
import { dayOfDate } from "../study-plan.js";

/**
 * The confidentiality rule of intervision (content/nuggets/four-stages-of-intervision.md: cases
 * stay in the room), shown at the top of every session screen, to the moderator and every member.
 */
export function confidentialityRule(t) {
  const id = uid("rule");
  return h(
    "section",
    { class: "rule", "aria-labelledby": id },
    h("h3", { id }, t("session.confidentialTitle")),
    h("p", {}, t("session.confidential")),
  );
}

/** "Stage 2 of 4: clarifying questions". */
export function stageLine(t, stage) {
  return t("sessions.stage", { n: stage, name: t(`session.stage.${stage}`) });
}

/** A "YYYY-MM-DD" date in words in the app's language, or the text as it is when it is not one. */
export function dateInWords(iso, language) {
  const day = dayOfDate(iso);
  return day === null ? String(iso ?? "") : formatDay(day, language);
}
