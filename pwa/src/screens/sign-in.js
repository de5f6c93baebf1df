// Sign-in. Until accounts exist, the email is the user id of a development credential
// (`Authorization: Bearer dev:<email>`, accepted by a server started with RECAP_DEV_AUTH=1).
// Signing in needs no network: the email is kept in settings and sync resumes. After a 401
// this screen explains that nothing on the device was lost, and offers "Not now".
import { h, replace, uid } from "../dom.js";

export const titleKey = "signin.title";

// What the server accepts as a dev user id, and what looks like an email.
const SERVER_ID = /^[A-Za-z0-9._@+-]{1,200}$/;
const EMAIL = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

/** The email as a user id, or null when it is not a usable address. */
export function normaliseEmail(value) {
  const email = String(value ?? "").trim().toLowerCase();
  return EMAIL.test(email) && SERVER_ID.test(email) ? email : null;
}

export function mount(root, ctx) {
  const { app, t, settings } = ctx;
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
    value: settings.user ?? "",
    "aria-describedby": `${hintId} ${errorId}`,
  });
  const error = h("p", { id: errorId, class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("signin.submit"));
  const later = settings.user
    ? h("button", { type: "button", class: "secondary", on: { click: () => app.navigate("study") } }, t("signin.later"))
    : null;

  async function onSubmit(event) {
    event.preventDefault();
    const email = normaliseEmail(input.value);
    if (!email) {
      error.textContent = t("signin.invalid");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    error.textContent = "";
    submit.disabled = true;
    try {
      const result = await app.signIn(email);
      if (!result.ok) error.textContent = t("signin.otherUser", { n: result.unsynced, user: result.user });
    } catch (err) {
      error.textContent = String(err?.message ?? err);
    } finally {
      submit.disabled = false;
    }
  }

  replace(
    root,
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("signin.title")),
      h("p", {}, t(app.signInReason === "expired" ? "signin.expired" : "signin.intro")),
      h(
        "form",
        { class: "sign-in", novalidate: true, on: { submit: onSubmit } },
        h("label", { for: inputId }, t("signin.email")),
        input,
        h("p", { id: hintId, class: "hint" }, t("signin.emailHint")),
        error,
        h("div", { class: "actions" }, submit, later),
      ),
    ),
  );
  return {};
}
