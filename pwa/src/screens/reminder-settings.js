// Settings' "Daily reminder": on or off, the time, quiet hours, email when no device takes
// notifications, and notifications on this device. Stored on the server (server/reminders/),
// which sends the reminder; times are in this device's time zone.
import { h, replace, uid } from "../dom.js";
import { browserTimeZone, disablePush, enablePush, loadChoices, pushActive, pushSupported, saveChoices } from "../reminders.js";

function timeField(label, value) {
  const id = uid("reminder");
  const input = h("input", { type: "time", id, value, required: true, step: "60" });
  return { input, field: h("div", { class: "field" }, h("label", { for: id }, label), input) };
}

function check(label, checked) {
  const input = h("input", { type: "checkbox", checked });
  return { input, field: h("label", { class: "check" }, input, h("span", {}, label)) };
}

/** The section, drawn into `root` once the server's choices arrive. */
export function mountReminders(root, { t, settings }) {
  const say = h("p", { class: "saved", role: "status" });
  const conn = { fetch: (...args) => globalThis.fetch(...args), baseUrl: location.origin, token: settings.user ? settings.device_token : null };
  const heading = h("h3", {}, t("reminders.title"));
  if (!conn.token) {
    replace(root, heading, h("p", {}, t("reminders.signInFirst")));
    return;
  }
  replace(root, heading, h("p", {}, "…"));
  loadChoices(conn).then((loaded) => {
    if (!loaded.ok) {
      replace(root, heading, h("p", {}, loaded.reason === "offline" ? t("reminders.offline") : t("reminders.failed", { detail: loaded.detail })));
      return;
    }
    draw(root, heading, say, conn, t, loaded.data);
  });
}

function draw(root, heading, say, conn, t, choices) {
  const zone = browserTimeZone();
  const enabled = check(t("reminders.enabled"), choices.saved ? choices.enabled : true);
  const time = timeField(t("reminders.time"), choices.time);
  const quietStart = timeField(t("reminders.quietStart"), choices.quiet_start);
  const quietEnd = timeField(t("reminders.quietEnd"), choices.quiet_end);
  const email = check(t("reminders.email"), choices.email);
  const save = h("button", { type: "submit", class: "primary" }, t("reminders.save"));
  const form = h(
    "form",
    {
      on: {
        submit: async (event) => {
          event.preventDefault();
          save.disabled = true;
          say.textContent = t("reminders.saving");
          const result = await saveChoices(conn, {
            enabled: enabled.input.checked,
            time: time.input.value,
            quiet_start: quietStart.input.value,
            quiet_end: quietEnd.input.value,
            time_zone: zone,
            email: email.input.checked,
          });
          save.disabled = false;
          if (!result.ok) say.textContent = result.reason === "offline" ? t("reminders.offline") : t("reminders.failed", { detail: result.detail });
          else say.textContent = result.data.enabled ? t("reminders.saved", { time: result.data.time }) : t("reminders.savedOff");
        },
      },
    },
    enabled.field,
    time.field,
    h("div", { class: "times" }, quietStart.field, quietEnd.field),
    h("p", { class: "hint" }, t("reminders.quietHint", { zone })),
    email.field,
    save,
  );
  const push = h("div", { class: "push" });
  replace(root, heading, h("p", {}, t("reminders.intro")), form, say, h("h4", {}, t("reminders.push")), push);
  drawPush(push, conn, t);
}

async function drawPush(root, conn, t) {
  if (!pushSupported()) {
    replace(root, h("p", {}, t("reminders.pushUnsupported")));
    return;
  }
  const active = await pushActive();
  const status = h("p", { role: "status" }, active ? t("reminders.pushActive") : t("reminders.pushInactive"));
  const button = h("button", { type: "button", class: "secondary" }, active ? t("reminders.pushOff") : t("reminders.pushOn"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = active ? await disablePush(conn) : await enablePush(conn);
    if (!result.ok) {
      button.disabled = false;
      status.textContent =
        result.reason === "denied" ? t("reminders.pushDenied")
        : result.reason === "unsupported" ? t("reminders.pushUnsupported")
        : result.reason === "offline" ? t("reminders.offline")
        : t("reminders.failed", { detail: result.detail ?? result.reason });
      return;
    }
    await drawPush(root, conn, t);
    root.querySelector("button")?.focus();
  });
  replace(root, status, button);
}
