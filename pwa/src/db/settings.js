// The `settings` object store: the learner's choices and who is signed in on this device
// ({key, value} rows: language, user, device_token, rollover_hour, …).

export const DEFAULT_SETTINGS = Object.freeze({ language: null, user: null, device_token: null, rollover_hour: 4 });

/** Every setting, the defaults filled in. */
export async function all(tx) {
  const rows = await tx.objectStore("settings").getAll();
  return { ...DEFAULT_SETTINGS, ...Object.fromEntries(rows.map((r) => [r.key, r.value])) };
}

/** One setting as kept, or null (no default). */
export async function get(tx, key) {
  return (await tx.objectStore("settings").get(key))?.value ?? null;
}

export function put(tx, key, value) {
  return tx.objectStore("settings").put({ key, value });
}

export function remove(tx, key) {
  return tx.objectStore("settings").delete(key);
}
