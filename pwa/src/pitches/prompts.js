// The pitch prompts of the library (content kind `pitch_prompts`, docs/content.md) as the rep's
// app lists them: in the rep's language (the original when untranslated), with the behaviours a
// coach will judge named by their rubric's text. Pure.
import { splitByLanguage } from "../library.js";

/** The published prompts for a rep reading `language`: theirs by title, then untranslated originals by title. */
export function promptsFor(snapshot, language) {
  const collator = new Intl.Collator(language);
  const byTitle = (a, b) => collator.compare(a.title ?? a.id, b.title ?? b.id);
  const { mine, untranslated } = splitByLanguage(snapshot?.pitch_prompts ?? [], language);
  return [...mine.sort(byTitle), ...untranslated.sort(byTitle)];
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
