// Registers the service worker and reports the two moments the user must hear about:
// the app is ready to work offline (first install), and an update is waiting. An update is
// applied only when the user agrees (applyUpdate), never in the middle of a question.
import { Workbox } from "workbox-window";

/**
 * @param {{onOfflineReady?: () => void, onUpdateWaiting?: (applyUpdate: () => void) => void}} handlers
 * @returns {Promise<Workbox|null>} null where service workers are not available
 */
export async function registerServiceWorker({ onOfflineReady, onUpdateWaiting } = {}) {
  if (!("serviceWorker" in navigator)) return null;
  const wb = new Workbox("/sw.js");
  wb.addEventListener("installed", (event) => {
    if (!event.isUpdate) onOfflineReady?.();
  });
  wb.addEventListener("waiting", () => {
    onUpdateWaiting?.(() => {
      // Reload once the new worker has taken over, not before.
      wb.addEventListener("controlling", () => window.location.reload());
      wb.messageSkipWaiting();
    });
  });
  await wb.register();
  return wb;
}
