// The app: screens, navigation, the sync client over the IndexedDB store, and when to sync.
//
// Sync runs on app open, on `online`, when the app becomes visible, on "Sync now", and shortly
// after an answer while online (DESIGN.md §3). A 401 pauses it and shows the sign-in screen;
// nothing recorded is touched. Screens are separate modules (screens/index.js).
//
// Sign-in is by emailed code (docs/auth.md): requestCode() then verifyCode(), which keeps the
// device credential the server returns; sync sends it as `Authorization: Bearer <device_token>`.
import { SyncClient } from "./sync/client.js";
import { Transport } from "./sync/transport.js";
import { REMINDER_OPENED, REMINDER_PARAM, adoptDefaults, openedReminder, reminderDate } from "./reminders.js";
import { downloadLatest } from "./sync/library.js";
import * as authClient from "./auth-client.js";
import { pickLanguage, translator } from "./i18n.js";
import { focus, h, replace } from "./dom.js";
import { createSyncBar } from "./sync-bar.js";
import { createNoticeBar } from "./notice-bar.js";
import { watchNavOverflow } from "./nav-overflow.js";
import { DEFAULT_SCREEN, SCREENS, screenFor } from "./screens/index.js";
import { today } from "./study-plan.js";

const DAY_CHECK_MS = 60_000;
const SYNC_SOON_MS = 1_500;
const PLAN_WAIT_MS = 8_000; // at most this long "getting your questions" on a slow network

export class App {
  #store;
  #doc;
  #fetch;
  #baseUrl;
  #client = null;
  #bar = null;
  #screen = null; // {name, instance}
  #listeners = new Map();
  #notices;
  #lastStatus = null;
  #pendingSignIn = false;
  #soon = null;
  #day = null;
  #param = null; // the item in the route (#/screen/item), or null
  #audience = { me: null, sharedWithMe: false, leaderboard: false }; // who is signed in, for the navigation (screens/index.js shownTo)

  /** Why the sign-in screen is shown: "expired" after a 401, else null. */
  signInReason = null;
  /** The address a code was sent to, while the sign-in screen waits for it (step 2), else null. */
  signInEmail = null;
  /** True while the first library download (before any sync) is running. */
  contentLoading = false;
  /**
   * True from a sign-in (or an app start) without the server's plan until the next sync ends:
   * Today waits for the learner's own questions rather than showing a provisional queue it
   * would redraw a moment later (screens/study.js).
   */
  planPending = false;
  settings = null;
  t = translator("en");
  /** The pitch uploader (pitches/uploader.js), set by main.js before start(); screens read its progress. */
  uploads = null;

  /**
   * @param {{store: import("./store.js").IdbStore, doc?: Document, fetch?: typeof fetch, baseUrl?: string}} options
   */
  constructor({ store, doc = document, fetch = (...args) => globalThis.fetch(...args), baseUrl = `${location.origin}/` }) {
    this.#store = store;
    this.#doc = doc;
    this.#notices = createNoticeBar(doc?.getElementById?.("notice") ?? null);
    this.#fetch = fetch;
    this.#baseUrl = baseUrl;
  }

  get store() {
    return this.#store;
  }

  get language() {
    return this.t.language;
  }

  // ---- start ------------------------------------------------------------------------------------

  async start() {
    this.settings = await this.#store.settings();
    this.t = translator(pickLanguage(this.settings.language, navigator.languages ?? [navigator.language]));
    this.#makeClient(await this.#store.deviceId());
    this.#bar = createSyncBar(this.#doc.getElementById("sync"), {
      onSyncNow: () => this.syncNow(),
      onSignIn: () => this.navigate("sign-in"),
    });
    this.#renderChrome();
    window.addEventListener("hashchange", () => this.#route());
    window.addEventListener("online", () => {
      this.#refreshBar();
      this.sync();
    });
    window.addEventListener("offline", () => this.#refreshBar());
    this.#doc.addEventListener("visibilitychange", () => {
      if (this.#doc.visibilityState !== "visible") return;
      this.#checkDay();
      this.sync();
    });
    this.#day = this.today();
    setInterval(() => this.#checkDay(), DAY_CHECK_MS);
    this.#watchReminders();
    this.#awaitPlan(Boolean(this.settings.user && navigator.onLine !== false && !(await this.#store.plan())));
    this.#route();
    await this.#refreshBar();
    await this.#loadAudience();
    this.#ensureContent();
    this.sync();
  }

  #makeClient(deviceId) {
    this.#client = new SyncClient({
      baseUrl: this.#baseUrl,
      store: this.#store,
      deviceId,
      fetch: this.#fetch,
      localDay: () => this.today(),
      // No credential yet (or an old development sign-in): sync pauses as on a 401.
      getAuthHeader: async () => (this.settings.user && this.settings.device_token ? `Bearer ${this.settings.device_token}` : null),
    });
    this.#client.on("status", (status) => this.#refreshBar(status));
    this.#client.on("paused", () => this.requestSignIn());
  }

  /**
   * A reminder opened (docs/sync.md, acknowledgement v3): from `?reminder=<day>` when the service
   * worker opened this window, or its message when the app was open already. Recorded once per
   * day while the app runs, only when signed in; the parameter is then dropped from the address.
   */
  #watchReminders() {
    const recorded = new Set();
    const record = (date) => {
      if (!date || recorded.has(date) || !this.settings.user) return;
      recorded.add(date);
      this.acknowledge("reminder", date).catch(() => recorded.delete(date));
    };
    const fromUrl = openedReminder(location.search);
    if (fromUrl) {
      const url = new URL(location.href);
      url.searchParams.delete(REMINDER_PARAM);
      history.replaceState(history.state, "", `${url.pathname}${url.search}${url.hash}`);
      record(fromUrl);
    }
    navigator.serviceWorker?.addEventListener("message", (event) => {
      if (event.data?.type === REMINDER_OPENED) record(reminderDate(event.data.date));
    });
  }

  /** The SyncClient (screens record answers through it). */
  get client() {
    return this.#client;
  }

  /** The learner's local day number now. */
  today() {
    return today(this.settings?.rollover_hour ?? 4);
  }

  // ---- events for screens ------------------------------------------------------------------------

  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type)?.delete(listener);
  }

  #emit(type, detail) {
    for (const listener of this.#listeners.get(type) ?? []) listener(detail);
    if (this.#screen?.instance?.refresh && !this.#screen.instance.busy?.()) this.#screen.instance.refresh(type);
  }

  #checkDay() {
    const day = this.today();
    if (day === this.#day) return;
    this.#day = day;
    this.#emit("day", day);
  }

  // ---- sync ---------------------------------------------------------------------------------------

  /**
   * Sync if signed in (pushes, then pulls); screens hear "synced" afterwards. Automatic syncs
   * wait while the browser says it is offline; "Sync now" (`force`) tries anyway.
   */
  async sync({ force = false } = {}) {
    if (!this.settings.user) return null;
    if (!force && navigator.onLine === false) {
      await this.#refreshBar();
      this.#planSettled();
      return null;
    }
    const status = await this.#client.syncNow();
    await this.#refreshBar(status);
    await this.#loadAudience();
    this.planPending = false;
    this.#emit("synced", status);
    return status;
  }

  /** Wait for the plan (when `pending`), for the next sync or PLAN_WAIT_MS, whichever ends first. */
  #awaitPlan(pending) {
    this.planPending = pending;
    if (pending) setTimeout(() => this.#planSettled(), PLAN_WAIT_MS);
  }

  /** No sync to wait for: Today studies with what the device has. */
  #planSettled() {
    if (!this.planPending) return;
    this.planPending = false;
    this.#emit("synced");
  }

  /** "Sync now": also clears a stop (e.g. a fatal error) so it is tried again. */
  async syncNow() {
    if (!this.settings.user || this.#lastStatus?.paused) return this.navigate("sign-in");
    if (this.#lastStatus?.stopped) {
      await this.#client.resume();
      await this.#refreshBar();
      this.#emit("synced");
      return null;
    }
    return this.sync({ force: true });
  }

  /**
   * Mark an item as read or acknowledged (a nugget "done"), or not any more: an acknowledgement
   * recorded through the outbox, so it reaches the learner's other devices; synced soon.
   */
  async acknowledge(itemKind, itemId, acknowledged = true) {
    const payload = await this.#client.acknowledge({ item_kind: itemKind, item_id: itemId, acknowledged, local_day: this.today() });
    this.syncSoon();
    return payload;
  }

  /** After an answer: sync a moment later when online (answers wait in the outbox otherwise). */
  syncSoon() {
    this.#refreshBar();
    if (!navigator.onLine) return;
    clearTimeout(this.#soon);
    this.#soon = setTimeout(() => this.sync(), SYNC_SOON_MS);
  }

  async #refreshBar(status = null) {
    this.#lastStatus = status ?? (await this.#client.status());
    // The library is read only when a rejection has to name its question.
    const content = this.#lastStatus.rejected?.length ? await this.#store.content().catch(() => null) : null;
    const titles = new Map((content?.snapshot?.questions ?? []).map((q) => [q.id, String(q.stem ?? q.id).split("\n")[0].slice(0, 80)]));
    this.#bar?.update(
      this.#lastStatus,
      {
        offline: !navigator.onLine,
        signedOut: !this.settings?.device_token,
        contentError: await this.#store.contentError().catch(() => null),
        questionTitle: (id) => titles.get(id) ?? id,
      },
      this.t,
    );
  }

  /**
   * The library, straight from the server, when the device has none yet (no sign-in needed).
   * The same download as a pull's (sync/library.js), so both check a snapshot the same way.
   */
  async #ensureContent() {
    if (await this.#store.content()) return;
    this.contentLoading = true;
    this.#emit("content");
    try {
      const result = await downloadLatest(new Transport({ baseUrl: this.#baseUrl, fetch: this.#fetch }), this.#store);
      if (!result.saved && (result.failure || result.problems.length)) console.warn("library not downloaded", result.failure ?? result.problems);
    } catch (err) {
      console.warn("library not downloaded", err);
    } finally {
      this.contentLoading = false;
      this.#emit("synced");
    }
  }

  // ---- sign-in and settings ----------------------------------------------------------------------

  /** A 401 (or no credential): pause and ask for sign-in, unless the learner is mid-question. */
  requestSignIn() {
    this.signInReason = "expired";
    if (this.#screen?.name === "sign-in") return;
    if (this.#screen?.instance?.busy?.()) {
      this.#pendingSignIn = true; // shown when the screen is free; the bar offers "Sign in" meanwhile
      return;
    }
    this.navigate("sign-in");
  }

  /** A screen finished what it was busy with. */
  idle() {
    if (this.#pendingSignIn) {
      this.#pendingSignIn = false;
      this.navigate("sign-in");
      return true;
    }
    return false;
  }

  /**
   * Sign-in step 1: email a code to `email`. Refused first, without asking the server, when
   * another person's answers still wait to sync on this device.
   * @returns {Promise<{ok: true} | {ok: false, reason: string, unsynced?: number, user?: string, retryAfter?: number|null}>}
   */
  async requestCode(email) {
    const check = await this.#store.signInDevice(email);
    if (!check.ok) return { ok: false, reason: "other_user", unsynced: check.unsynced, user: check.user };
    if (navigator.onLine === false) return { ok: false, reason: "offline" };
    const result = await authClient.requestCode({ fetch: this.#fetch, baseUrl: this.#baseUrl, email });
    return result.ok ? { ok: true } : result;
  }

  /**
   * Sign-in step 2: trade the emailed code for this device's credential, keep it, and sync.
   * @returns {Promise<{ok: true} | {ok: false, reason: string, unsynced?: number, user?: string, retryAfter?: number|null}>}
   */
  async verifyCode(email, code) {
    const check = await this.#store.signInDevice(email);
    if (!check.ok) return { ok: false, reason: "other_user", unsynced: check.unsynced, user: check.user };
    if (navigator.onLine === false) return { ok: false, reason: "offline" };
    const result = await authClient.verifyCode({ fetch: this.#fetch, baseUrl: this.#baseUrl, email, code, deviceId: check.deviceId });
    if (!result.ok) return result;
    const previousToken = this.settings.device_token;
    const user = String(result.data.email ?? email);
    const kept = await this.#store.signIn(user, () => check.deviceId, { deviceToken: result.data.device_token });
    if (!kept.ok) return { ok: false, reason: "other_user", unsynced: kept.unsynced, user: kept.user };
    if (check.previous && check.previous !== user && previousToken) {
      // The previous person's credential is of no use on this device any more: revoke it.
      authClient.logout({ fetch: this.#fetch, baseUrl: this.#baseUrl, deviceToken: previousToken }).catch(() => {});
    }
    await this.#signedIn();
    return { ok: true };
  }

  /**
   * Sign out: this device's credential is revoked on the server (best effort when offline) and
   * forgotten here. Answers not yet synced stay on the device and go out when the same person
   * signs in again.
   */
  async signOut() {
    const token = this.settings.device_token;
    if (token) authClient.logout({ fetch: this.#fetch, baseUrl: this.#baseUrl, deviceToken: token }).catch(() => {});
    await this.#store.setSetting("device_token", null);
    this.settings = await this.#store.settings();
    await this.#refreshBar();
    this.navigate("sign-in");
  }

  async #signedIn() {
    this.settings = await this.#store.settings();
    const deviceId = await this.#store.deviceId();
    if (deviceId !== this.#client.deviceId) this.#makeClient(deviceId);
    this.signInReason = null;
    this.signInEmail = null;
    this.#pendingSignIn = false;
    await this.#loadAudience(); // another person's roles are forgotten with their records
    this.#awaitPlan(!(await this.#store.plan()));
    const back = authClient.returnPath(location.search);
    if (back) {
      location.assign(back); // a server page (the editor) asked for this sign-in: back to it
      return;
    }
    this.navigate(DEFAULT_SCREEN);
    adoptDefaults({ fetch: this.#fetch, baseUrl: this.#baseUrl, token: this.settings.device_token }); // never throws
    this.#client.resume().then(async (status) => {
      await this.#refreshBar(status);
      await this.#loadAudience();
      this.planPending = false;
      this.#emit("synced", status);
    });
  }

  async setSetting(key, value) {
    await this.#store.setSetting(key, value);
    this.settings = await this.#store.settings();
    if (key === "language") {
      this.t = translator(pickLanguage(value, navigator.languages ?? [navigator.language]));
      this.#renderChrome();
      this.#refreshBar();
      this.#show(this.#screen?.name ?? DEFAULT_SCREEN, { keepFocus: true });
    }
    if (key === "rollover_hour") this.#checkDay();
  }

  /** Who is signed in (the pull's `me`) and whether observations were shared with them. */
  get audience() {
    return this.#audience;
  }

  /** Read the audience again; the navigation is redrawn when it changed. Never throws. */
  async #loadAudience() {
    try {
      const me = (await this.#store.me?.()) ?? null;
      const shared = me ? false : (await this.#store.editedRecords?.("observation"))?.some(({ data }) => data?.shared && data.author_id != null);
      const leaderboard = Boolean(await this.#store.leaderboard?.());
      const next = { me, sharedWithMe: Boolean(shared), leaderboard };
      if (JSON.stringify(next) === JSON.stringify(this.#audience)) return;
      this.#audience = next;
      this.#renderNav();
    } catch (err) {
      console.warn("who is signed in: not read", err);
    }
  }

  // ---- notices (service worker) ------------------------------------------------------------------

  /** Show a notice: a catalogue key and an optional action {labelKey, run} (notice-bar.js). */
  notice(key, action = null) {
    this.#notices.show(key, action, this.t);
  }

  // ---- screens ------------------------------------------------------------------------------------

  context() {
    return { app: this, store: this.#store, t: this.t, language: this.language, settings: this.settings, param: this.#param };
  }

  /** Go to a screen, or to an item of it (`param`, e.g. a nugget's id). */
  navigate(name, param = null) {
    this.#param = param;
    const hash = param == null ? `#/${name}` : `#/${name}/${encodeURIComponent(param)}`;
    if (location.hash === hash) this.#show(name);
    else location.hash = hash;
  }

  #route() {
    // "#/name" or "#/name/param" (e.g. #/nuggets/the-value-wedge: a screen's item).
    const [wanted, ...rest] = (location.hash.replace(/^#\/?/, "") || DEFAULT_SCREEN).split("/");
    let param = null;
    try {
      param = rest.length ? decodeURIComponent(rest.join("/")) : null;
    } catch {
      param = null;
    }
    const known = Boolean(screenFor(wanted, param));
    const name = known ? wanted : DEFAULT_SCREEN;
    if (!known) param = null;
    this.#param = param;
    this.#show(!this.settings.user ? "sign-in" : name, { keepFocus: !this.#screen });
  }

  #show(name, { keepFocus = false } = {}) {
    const entry = screenFor(name, this.#param) ?? screenFor(DEFAULT_SCREEN);
    this.#screen?.instance?.unmount?.();
    const main = this.#doc.getElementById("app");
    main.replaceChildren();
    this.#screen = { name: entry.name, instance: entry.module.mount(main, this.context()) ?? {} };
    this.#doc.title = `${this.t(entry.module.titleKey)} · Recap`;
    this.#renderNav();
    if (!keepFocus) focus(main.querySelector("h2") ?? main);
  }

  #renderChrome() {
    this.#doc.documentElement.lang = this.language;
    const tagline = this.#doc.getElementById("tagline");
    if (tagline) tagline.textContent = this.t("app.tagline");
    this.#renderNav();
    this.#notices.render(this.t);
  }

  #renderNav() {
    const nav = this.#doc.getElementById("nav");
    if (!nav) return;
    nav.setAttribute("aria-label", this.t("nav.label"));
    const shown = this.#screen ? screenFor(this.#screen.name, this.#param) : undefined;
    const current = shown?.under ?? shown?.name;
    replace(
      nav,
      h(
        "ul",
        {},
        SCREENS.filter((s) => s.nav && (!s.shownTo || s.shownTo(this.#audience))).map((s) =>
          h("li", {}, h("a", { href: `#/${s.name}`, "aria-current": s.name === current ? "page" : null }, this.t(s.nav))),
        ),
      ),
    );
    watchNavOverflow(nav, { label: this.t("nav.more") });
  }
}
