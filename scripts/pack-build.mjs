// npm pack's prepack/postpack: the packed package imports as plain JavaScript with types (dist/),
// while the repository keeps importing its TypeScript sources (no build step while developing).
//   pre:  tsc -p tsconfig.build.json → dist/ (JS + .d.ts of sdk/, not the CLI, which bin/ runs
//         through tsx); then package.json's "main"/"exports" point at dist/ (original kept aside).
//   post: the original package.json back, dist/ removed.
// A stale backup (a pack that failed between the two) is restored first, so the tree never keeps
// the rewritten manifest.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

const BACKUP = "package.json.prepack";
const mode = process.argv[2];

function restore() {
  if (existsSync(BACKUP)) renameSync(BACKUP, "package.json");
}

/** "./sdk/x/index.ts" → the built files' conditions: types for TypeScript and Deno, JS for everyone. */
function built(source) {
  const base = `./dist/${source.replace(/^\.\//, "").replace(/\.ts$/, "")}`;
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

if (mode === "pre") {
  restore();
  rmSync("dist", { recursive: true, force: true });
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  const text = readFileSync("package.json", "utf8");
  const pkg = JSON.parse(text);
  const main = built(pkg.main);
  pkg.main = main.default;
  pkg.types = main.types;
  pkg.exports = Object.fromEntries(Object.entries(pkg.exports).map(([k, v]) => [k, built(v)]));
  pkg.files = [...pkg.files, "dist/"];
  writeFileSync(BACKUP, text);
  writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
} else if (mode === "post") {
  restore();
  rmSync("dist", { recursive: true, force: true });
} else {
  console.error("usage: node scripts/pack-build.mjs pre|post");
  process.exit(2);
}
