// The words of a pitch prompt's card (prompt-card.js), in English and Dutch; the catalogue in
// i18n.js takes them in. Same rules as there.

export const en = {
  "prompt.timeLimit": "Record at most {time}.",
  "prompt.judgedOn": "Your coach looks at:",
  "prompt.audience": "For: {audience}",
};

export const nl = {
  "prompt.timeLimit": "Neem maximaal {time} op.",
  "prompt.judgedOn": "Je coach let op:",
  "prompt.audience": "Voor: {audience}",
};
