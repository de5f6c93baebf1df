// Builds the app into dist/: hashed, minified bundles under dist/assets and an index.html
// that names them. dist/ is build output and is never committed.
import { build } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, "assets"), { recursive: true });

const result = await build({
  entryPoints: { app: path.join(root, "src/main.js") },
  bundle: true,
  format: "esm",
  target: ["es2020", "safari15", "chrome96", "firefox96"],
  minify: true,
  sourcemap: true,
  entryNames: "[name]-[hash]",
  outdir: path.join(dist, "assets"),
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(dist, path.resolve(root, p)));
const script = outputs.find((p) => p.endsWith(".js"));
const template = await readFile(path.join(root, "src/index.html"), "utf8");
await writeFile(path.join(dist, "index.html"), template.replace("{{app}}", `/${script}`));
console.log(`pwa: built ${outputs.filter((p) => !p.endsWith(".map")).join(", ")} and index.html`);
