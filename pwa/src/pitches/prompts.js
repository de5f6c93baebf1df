// The pitch prompts of the library (content kind `pitch_prompts`, docs/content.md) as the rep's
// app lists them: in the rep's language (the original when untranslated), with the behaviours a
// coach will judge named by their rubric's text. Pure.
import { inLanguage } from "../library.js";

/** The published prompts for a rep reading `language`, by title. */
export function promptsFor(snapshot, language) {
  const collator = new Intl.Collator(language);
  return inLanguage(snapshot?.pitch_prompts ?? [], language).sort((a, b) => collator.compare(a.title ?? a.id, b.title ?? b.id));
}

/** One prompt by id (any language), or null. */
export function promptById(snapshot, id) {
  return (snapshot?.pitch_prompts ?? []).find((p) => p.id === id) ?? null;
}

/** The texts of the behaviours a prompt's coach judges, in the prompt's order (ids when unknown). */
export function judgedBehaviours(snapshot, prompt) {
  const rubric = (snapshot?.rubrics ?? []).find((r) => r.id === prompt?.rubric);
  const texts = new Map((rubric?.behaviours ?? []).map((b) => [b.id, b.text ?? b.id]));
  return (prompt?.behaviours ?? []).map((id) => texts.get(id) ?? id);
}

/** A time limit in words: "2 minutes", "90 seconds" (`t`: the app's translator). */
export function limitWords(t, seconds) {
  return seconds % 60 === 0 ? t("pitch.minutes", { n: seconds / 60 }) : t("pitch.seconds", { n: seconds });
}

/** A time limit or a length in seconds as m:ss ("2:00"). */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
