// Sign-in by emailed code (docs/auth.md), in two steps on one screen:
//   1. the email address → POST /auth/code (the server answers the same for every address);
//   2. "Enter the 6-digit code we emailed to …" → POST /auth/verify with the device's id; the
//      device credential it returns is kept in the store and sync resumes.
// Signing in needs a connection; studying does not. After a 401 this screen explains that
// nothing on the device was lost, and offers "Not now".
import { focus, h, replace, uid } from "../dom.js";

export const titleKey = "signin.title";

const EMAIL = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

/** The email trimmed and lower-cased, or null when it is not a usable address. */
export function normaliseEmail(value) {
  const email = String(value ?? "").trim().toLowerCase();
  return email.length <= 320 && EMAIL.test(email) ? email : null;
}

/** The 6 digits of a typed or pasted code ("123 456" and "123-456" too), or null. */
export function normaliseCode(value) {
  const code = String(value ?? "").replace(/[\s-]/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}

/** The message for a failed request, in the learner's language. */
export function failureMessage(t, result, { signedIn = false } = {}) {
  switch (result.reason) {
    case "offline":
      return t(signedIn ? "signin.offline" : "signin.offlineFirst");
    case "rejected":
      return t("signin.codeRejected");
    case "rate_limited":
      if (result.retryAfter == null) return t("signin.rateLimited");
      return t("signin.rateLimitedFor", { n: Math.max(1, Math.ceil(result.retryAfter / 60)) });
    case "invalid":
      return t("signin.invalid");
    case "other_user":
      return t("signin.otherUser", { n: result.unsynced, user: result.user });
    default:
      return t("signin.serverError");
  }
}

export function mount(root, ctx) {
  const { app, t, settings } = ctx;
  let busy = false;

  const later = () =>
    settings.user ? h("button", { type: "button", class: "secondary", on: { click: () => app.navigate("study") } }, t("signin.later")) : null;

  /** Step 1: the email address. */
  function emailStep({ focusInput = false } = {}) {
    const inputId = uid("email");
    const hintId = uid("hint");
    const errorId = uid("error");
    const input = h("input", {
      id: inputId,
      type: "email",
      name: "email",
      autocomplete: "email",
      inputmode: "email",
      autocapitalize: "none",
      spellcheck: "false",
      required: true,
      value: app.signInEmail ?? settings.user ?? "",
      "aria-describedby": `${hintId} ${errorId}`,
    });
    const error = h("p", { id: errorId, class: "error", role: "alert" });
    const submit = h("button", { type: "submit", class: "primary" }, t("signin.sendCode"));

    async function onSubmit(event) {
      event.preventDefault();
      if (busy) return;
      const email = normaliseEmail(input.value);
      if (!email) {
        error.textContent = t("signin.invalid");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      error.textContent = "";
      busy = submit.disabled = true;
      submit.textContent = t("signin.sending");
      try {
        const result = await app.requestCode(email);
        if (result.ok) {
          app.signInEmail = email;
          codeStep({ focusInput: true });
          return;
        }
        error.textContent = failureMessage(t, result, { signedIn: Boolean(settings.user) });
        if (result.reason === "invalid") input.setAttribute("aria-invalid", "true");
      } catch (err) {
        error.textContent = t("signin.serverError");
        console.warn("sign-in code not requested", err);
      } finally {
        busy = submit.disabled = false;
        submit.textContent = t("signin.sendCode");
      }
    }

    replace(
      root,
      h(
        "section",
        { class: "card sign-in-card" },
        h("h2", {}, t("signin.title")),
        h("p", {}, t(app.signInReason === "expired" ? "signin.expired" : "signin.intro")),
        h(
          "form",
          { class: "sign-in", novalidate: true, on: { submit: onSubmit } },
          h("label", { for: inputId }, t("signin.email")),
          input,
          h("p", { id: hintId, class: "hint" }, t("signin.emailHint")),
          error,
          h("div", { class: "actions" }, submit, later()),
        ),
      ),
    );
    if (focusInput) focus(input);
  }

  /** Step 2: the code that was emailed to app.signInEmail. */
  function codeStep({ focusInput = false } = {}) {
    const email = app.signInEmail;
    const inputId = uid("code");
    const hintId = uid("hint");
    const errorId = uid("error");
    const input = h("input", {
      id: inputId,
      type: "text",
      name: "code",
      class: "code",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      pattern: "[0-9 ]*",
      autocapitalize: "none",
      spellcheck: "false",
      required: true,
      "aria-describedby": `${hintId} ${errorId}`,
    });
    const error = h("p", { id: errorId, class: "error", role: "alert" });
    const status = h("p", { class: "saved", role: "status" });
    const submit = h("button", { type: "submit", class: "primary" }, t("signin.submit"));
    const resend = h("button", { type: "button", class: "link", on: { click: onResend } }, t("signin.resend"));
    const other = h(
      "button",
      {
        type: "button",
        class: "link",
        on: {
          click: () => {
            if (busy) return;
            app.signInEmail = null;
            emailStep({ focusInput: true });
          },
        },
      },
      t("signin.otherAddress"),
    );

    async function onSubmit(event) {
      event.preventDefault();
      if (busy) return;
      status.textContent = "";
      const code = normaliseCode(input.value);
      if (!code) {
        error.textContent = t("signin.codeInvalid");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      error.textContent = "";
      busy = submit.disabled = true;
      submit.textContent = t("signin.checking");
      try {
        const result = await app.verifyCode(email, code);
        if (result.ok) return; // the app has moved on to the study screen
        error.textContent = failureMessage(t, result, { signedIn: Boolean(settings.user) });
        if (result.reason === "rejected") {
          input.setAttribute("aria-invalid", "true");
          input.select();
          input.focus();
        }
      } catch (err) {
        error.textContent = t("signin.serverError");
        console.warn("sign-in code not verified", err);
      } finally {
        busy = submit.disabled = false;
        submit.textContent = t("signin.submit");
      }
    }

    async function onResend() {
      if (busy) return;
      busy = resend.disabled = true;
      error.textContent = "";
      status.textContent = "";
      try {
        const result = await app.requestCode(email);
        if (result.ok) {
          status.textContent = t("signin.resent", { email });
          input.value = "";
          input.removeAttribute("aria-invalid");
          input.focus();
        } else {
          error.textContent = failureMessage(t, result, { signedIn: Boolean(settings.user) });
        }
      } catch (err) {
        error.textContent = t("signin.serverError");
        console.warn("sign-in code not requested", err);
      } finally {
        busy = resend.disabled = false;
      }
    }

    replace(
      root,
      h(
        "section",
        { class: "card sign-in-card" },
        h("h2", {}, t("signin.title")),
        h(
          "form",
          { class: "sign-in", novalidate: true, on: { submit: onSubmit } },
          h("p", {}, t("signin.codeSent", { email })),
          h("label", { for: inputId }, t("signin.code")),
          input,
          h("p", { id: hintId, class: "hint" }, t("signin.codeHint")),
          error,
          status,
          h("p", { class: "sign-in-links" }, resend, other),
          h("div", { class: "actions" }, submit, later()),
        ),
      ),
    );
    if (focusInput) focus(input);
  }

  if (app.signInEmail) codeStep();
  else emailStep();
  return {};
}
