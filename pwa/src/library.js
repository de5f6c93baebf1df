// Describes a published library snapshot in words, for the start page.

const KINDS = [
  ["questions", "question", "questions"],
  ["nuggets", "nugget", "nuggets"],
  ["refreshers", "refresher", "refreshers"],
  ["campaigns", "campaign", "campaigns"],
];

/** "Library version 3: 48 questions, 12 nuggets, …" (or a hint when nothing is published). */
export function describeLibrary(snapshot) {
  if (!snapshot || !snapshot.version) return "No library has been published yet.";
  const parts = KINDS.map(([key, one, many]) => {
    const n = Array.isArray(snapshot[key]) ? snapshot[key].length : 0;
    return `${n} ${n === 1 ? one : many}`;
  });
  return `Library version ${snapshot.version}: ${parts.join(", ")}.`;
}
