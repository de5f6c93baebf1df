// Sign-in by emailed code (docs/auth.md): POST /auth/code, POST /auth/verify, POST /auth/logout.
//
// Plain requests, no state: the app keeps what they return (the device credential) in the store.
// Every failure becomes a reason the sign-in screen can explain; nothing here throws.

/**
 * @typedef {{ok: true, data: any}
 *   | {ok: false, reason: "offline"|"rejected"|"rate_limited"|"invalid"|"server", retryAfter?: number|null, status?: number}} AuthResult
 *   `retryAfter`: seconds to wait, when a 429 says so (a Retry-After header or `retry_after`).
 */

/** Seconds from a Retry-After value (seconds or an HTTP date), or null. */
export function retryAfterSeconds(header, now = Date.now()) {
  if (header == null || header === "") return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function post(fetchFn, url, body, headers = {}) {
  let res;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return { ok: false, reason: "offline" };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (res.ok) return { ok: true, data };
  if (res.status === 429) {
    const fromBody = Number.isFinite(data?.retry_after) ? Math.max(0, Math.ceil(data.retry_after)) : null;
    return { ok: false, reason: "rate_limited", status: 429, retryAfter: retryAfterSeconds(res.headers?.get?.("Retry-After")) ?? fromBody };
  }
  if (res.status === 400 && data?.error === "code_rejected") return { ok: false, reason: "rejected", status: 400 };
  if (res.status === 400 || res.status === 413) return { ok: false, reason: "invalid", status: res.status };
  return { ok: false, reason: "server", status: res.status };
}

const join = (baseUrl, path) => `${String(baseUrl).replace(/\/+$/, "")}${path}`;

/**
 * Ask for a code to be emailed. The server answers the same whether or not the address has an
 * account, so `ok` means only "asked".
 * @returns {Promise<AuthResult>}
 */
export function requestCode({ fetch: fetchFn, baseUrl, email }) {
  return post(fetchFn, join(baseUrl, "/auth/code"), { email });
}

/**
 * Trade the code for a session and this device's credential.
 * @returns {Promise<AuthResult>} data: {email, expires_at, csrf_token, device_token}
 */
export async function verifyCode({ fetch: fetchFn, baseUrl, email, code, deviceId }) {
  const result = await post(fetchFn, join(baseUrl, "/auth/verify"), { email, code, device_id: deviceId });
  if (result.ok && typeof result.data?.device_token !== "string") return { ok: false, reason: "server", status: 200 };
  return result;
}

/** Revoke a device credential on the server (best effort: the result is not needed). */
export function logout({ fetch: fetchFn, baseUrl, deviceToken }) {
  return post(fetchFn, join(baseUrl, "/auth/logout"), {}, { Authorization: `Bearer ${deviceToken}` });
}

/**
 * Where to go once signed in, when the sign-in was asked for by one of the server's pages (the
 * editor sends an anonymous visitor to `/?next=/editor/…#/sign-in`): that page, or null. Only
 * the server's own pages qualify, never another site.
 * @param {string} search `location.search`
 */
export function returnPath(search) {
  const next = new URLSearchParams(search ?? "").get("next");
  return next && /^\/(editor|admin)(?:[/?#]|$)/.test(next) && !next.includes("\\") ? next : null;
}
