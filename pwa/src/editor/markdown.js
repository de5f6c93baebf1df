// Live Markdown preview: each Markdown field's text, rendered by the server with the very
// renderer and sanitiser of the snapshot (POST /editor/markdown), shortly after typing stops.
// Without this script the preview under the field shows the saved text, and "Preview in a new
// tab" renders what is typed.
const WAIT_MS = 400;

export function enhanceMarkdown(form, csrf) {
  for (const area of form.querySelectorAll("textarea[data-markdown]")) {
    const target = document.getElementById(area.dataset.markdown);
    if (!target) continue;
    let timer = null;
    let asked = 0;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        try {
          const response = await fetch("/editor/markdown", {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify({ text: area.value }),
            credentials: "same-origin",
          });
          if (!response.ok || mine !== asked) return;
          const { html } = await response.json();
          target.innerHTML = html; // sanitised by the server, as in the app
        } catch {
          // Offline: the preview waits for the next keystroke.
        }
      }, WAIT_MS);
    });
  }
}
