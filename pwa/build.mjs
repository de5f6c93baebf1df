// Builds the installable app into dist/ (build output, never committed):
//   assets/app-[hash].js|css  the app, bundled and minified by esbuild (hashed: cached for good)
//   index.html               the shell, naming the hashed files
//   manifest.webmanifest     for installing; icons/ drawn by tools/icons.mjs
//   sw.js                    the service worker, bundled by esbuild, its precache list injected
//                            by workbox-build (injectManifest)
//   assets/editor-[hash].js  the browser editor's script (server/templates/editor/)
//   assets/preview-[hash].js|css  the editor's phone preview: the app's own cards and styles
//   assets/dashboard-[hash].js|css  the dashboards' charts, Observable Plot (server/templates/dashboards/)
//   pages.json               which hashed files the server's editor and dashboard pages load
import { build } from "esbuild";
import { injectManifest } from "workbox-build";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ICONS, icon } from "./tools/icons.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, "dist");
const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
const THEME = "#0b57d0";

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, "assets"), { recursive: true });
await mkdir(path.join(dist, "icons"), { recursive: true });

const common = { bundle: true, minify: true, target: ["es2020", "safari15", "chrome96", "firefox96"], logLevel: "warning" };
const app = await build({
  ...common,
  entryPoints: { app: path.join(root, "src/main.js") },
  format: "esm",
  sourcemap: true,
  entryNames: "[name]-[hash]",
  outdir: path.join(dist, "assets"),
  metafile: true,
});
const outputs = Object.keys(app.metafile.outputs).map((p) => path.relative(dist, path.resolve(root, p)));
const script = outputs.find((p) => p.endsWith(".js"));
const style = outputs.find((p) => p.endsWith(".css"));

// The editor's pages: its script, and the phone preview, which draws an item with the app's own
// cards (src/cards.js) and styles. Separate bundles: the app does not carry them, nor does the
// service worker precache them (editors work online, on their laptops).
const pages = {};
// The dashboards' charts likewise: managers and HR read them online, reps never load them.
for (const [name, entry] of [["editor", "src/editor/main.js"], ["preview", "src/preview.js"], ["dashboard", "src/dashboard/main.js"]]) {
  const built = await build({
    ...common,
    entryPoints: { [name]: path.join(root, entry) },
    format: "esm",
    entryNames: "[name]-[hash]",
    outdir: path.join(dist, "assets"),
    metafile: true,
  });
  const files = Object.keys(built.metafile.outputs).map((p) => "/" + path.relative(dist, path.resolve(root, p)));
  pages[name] = { js: files.find((p) => p.endsWith(".js")), css: files.find((p) => p.endsWith(".css")) ?? null };
}
await writeFile(path.join(dist, "pages.json"), JSON.stringify(pages, null, 2));

for (const { file, size, purpose } of ICONS) {
  await writeFile(path.join(dist, "icons", file), icon(size, { maskable: purpose === "maskable" }));
}
const manifest = {
  name: "Recap: sales training that sticks",
  short_name: "Recap",
  description: "Daily scenario questions, two-minute lessons and How do I…? refreshers, offline.",
  id: "/",
  start_url: "/",
  scope: "/",
  display: "standalone",
  orientation: "portrait",
  theme_color: THEME,
  background_color: "#ffffff",
  icons: ICONS.filter((i) => i.purpose === "any" || i.purpose === "maskable").map((i) => ({
    src: `/icons/${i.file}`,
    sizes: `${i.size}x${i.size}`,
    type: "image/png",
    purpose: i.purpose,
  })),
};
await writeFile(path.join(dist, "manifest.webmanifest"), JSON.stringify(manifest, null, 2));

const template = await readFile(path.join(root, "src/index.html"), "utf8");
await writeFile(
  path.join(dist, "index.html"),
  template
    .replaceAll("{{app}}", `/${script}`)
    .replaceAll("{{style}}", style ? `<link rel="stylesheet" href="/${style}">` : "")
    .replaceAll("{{theme}}", THEME),
);

// The service worker: bundled as a classic script (not hashed: its URL must stay the same),
// then workbox-build writes the list of files to precache into it.
await build({
  ...common,
  entryPoints: [path.join(root, "src/sw.js")],
  format: "iife",
  outfile: path.join(dist, "sw.js"),
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
});
const { count, size, warnings } = await injectManifest({
  swSrc: path.join(dist, "sw.js"),
  swDest: path.join(dist, "sw.js"),
  globDirectory: dist,
  // The app shell only. Not precached, and why: source maps (debugging only), the content
  // snapshot and media (large, versioned: cached at run time by the service worker).
  globPatterns: ["index.html", "assets/*.{js,css}", "manifest.webmanifest", "icons/*.png"],
  // The editor's script and phone preview are for editors' pages, the charts for the dashboards,
  // not the app: not precached.
  globIgnores: ["**/*.map", "sw.js", "assets/editor-*", "assets/preview-*", "assets/dashboard-*"],
  // Hashed file names already change with their content.
  dontCacheBustURLsMatching: /^assets\//,
});
for (const warning of warnings) console.warn(`pwa: ${warning}`);
console.log(`pwa: built ${[script, style].filter(Boolean).join(", ")}; service worker precaches ${count} files (${size} bytes)`);
