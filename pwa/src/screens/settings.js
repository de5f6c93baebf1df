// Settings: language, when a new day starts, the daily reminder, the account, and the library on this device.
import { h, replace, uid } from "../dom.js";
import { LANGUAGES, LANGUAGE_NAMES, pickLanguage } from "../i18n.js";
import { mountReminders } from "./reminder-settings.js";

export const titleKey = "settings.title";

const ROLLOVER_HOURS = [0, 1, 2, 3, 4, 5, 6];

function field(label, control, hint = null) {
  const id = uid("setting");
  const hintId = hint ? uid("hint") : null;
  control.id = id;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("p", { class: "hint", id: hintId }, hint) : null);
}

export function mount(root, ctx) {
  const { app, t, settings, store } = ctx;
  const saved = h("p", { class: "saved", role: "status" });
  const say = () => {
    saved.textContent = app.t("settings.saved");
  };

  // Radios, not a select: their labels wrap when the text is large on a narrow screen.
  const automatic = LANGUAGE_NAMES[pickLanguage(null, navigator.languages ?? [navigator.language])];
  const choices = [["", t("settings.automatic", { language: automatic }), null], ...LANGUAGES.map((code) => [code, LANGUAGE_NAMES[code], code])];
  const language = h(
    "fieldset",
    { class: "field choices" },
    h("legend", {}, t("settings.language")),
    choices.map(([value, label, lang]) =>
      h(
        "label",
        { class: "option", lang },
        h("input", {
          type: "radio",
          name: "language",
          value,
          checked: (settings.language ?? "") === value,
          on: {
            change: async (e) => {
              await app.setSetting("language", e.target.value || null); // redraws every screen in it
              document.querySelector("input[name=language]:checked")?.focus();
            },
          },
        }),
        h("span", { class: "option-text" }, label),
      ),
    ),
  );
  const rollover = h(
    "select",
    { on: { change: async (e) => (await app.setSetting("rollover_hour", Number(e.target.value)), say()) } },
    ROLLOVER_HOURS.map((hour) =>
      h("option", { value: String(hour), selected: settings.rollover_hour === hour ? true : null }, `${String(hour).padStart(2, "0")}:00`),
    ),
  );
  const library = h("p", {}, "…");
  store.content().then((content) => {
    library.textContent = content
      ? t("settings.libraryVersion", { version: content.version, questions: content.snapshot.questions.length, campaigns: content.snapshot.campaigns.length })
      : t("settings.noLibrary");
  });

  const reminders = h("div", { class: "reminders" });
  mountReminders(reminders, { t, settings });

  replace(
    root,
    h(
      "section",
      { class: "card settings" },
      h("h2", {}, t("settings.title")),
      language,
      field(t("settings.dayStarts"), rollover, t("settings.dayStartsHint")),
      saved,
      reminders,
      h("h3", {}, t("settings.account")),
      h("p", {}, settings.user ? t("settings.signedInAs", { user: settings.user }) : t("settings.notSignedIn")),
      h("button", { type: "button", class: "secondary", on: { click: () => app.navigate("sign-in") } }, t("settings.switchUser")),
      settings.device_token
        ? h("p", {}, h("button", { type: "button", class: "secondary", on: { click: () => app.signOut() } }, t("settings.signOut")))
        : null,
      settings.device_token ? h("p", { class: "hint" }, t("settings.signOutHint")) : null,
      h("h3", {}, t("settings.library")),
      library,
    ),
  );
  return {};
}
