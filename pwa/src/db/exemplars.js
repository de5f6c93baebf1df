// The good examples of the signed-in person's teams, kept as one `meta` row ("exemplars") like
// the leaderboard: the last pull's complete list replaces it (src/exemplars.js checks it).
import * as meta from "./meta.js";
import { checkExemplars } from "../exemplars.js";

/** The kept list ([] before any pull brought one). */
export function all(tx) {
  return meta.get(tx, "exemplars", []);
}

/**
 * Replace the kept list with a pull's `exemplars`. undefined (not the last page), null (an
 * older server) and a malformed list leave the kept one. Returns the list kept afterwards, or
 * null when it was left as it was.
 */
export async function replace(tx, sent) {
  if (sent === undefined || sent === null) return null;
  const list = checkExemplars(sent);
  if (!list) return null;
  await meta.put(tx, "exemplars", list);
  return list;
}

export function forget(tx) {
  return meta.remove(tx, "exemplars");
}
