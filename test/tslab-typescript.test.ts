// The notebooks' kernel (tslab) compiles the SDK with its own TypeScript (5.0, older than the project's):
// every module a notebook imports must compile there too, or each notebook fails with an empty "<Error>".
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

test("the SDK's entry points compile with tslab's TypeScript", { timeout: 300_000 }, (t) => {
  let tsc: string;
  try {
    tsc = join(resolve(createRequire(import.meta.url).resolve("@tslab/typescript-for-tslab/package.json"), ".."), "bin", "tsc");
  } catch {
    return t.skip("tslab is not installed (npm ci installs it)");
  }
  const dirs = readdirSync("sdk", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  // The entry points, plus the SDK's ambient declarations (typings for untyped packages).
  const entries = ["sdk/index.ts", ...dirs.filter((d) => existsSync(join("sdk", d, "index.ts"))).map((d) => `sdk/${d}/index.ts`), ...dirs.flatMap((d) => readdirSync(join("sdk", d)).filter((f) => f.endsWith(".d.ts")).map((f) => `sdk/${d}/${f}`))];
  const dir = mkdtempSync(join(tmpdir(), "actlab-tslab-tsc-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "tsconfig.json");
  writeFileSync(config, JSON.stringify({ extends: resolve("tsconfig.json"), compilerOptions: { typeRoots: [resolve("node_modules/@types")] }, include: [], files: entries.map((e) => resolve(e)) }));
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", config], { encoding: "utf8" });
  const version = spawnSync(process.execPath, [tsc, "--version"], { encoding: "utf8" }).stdout.trim();
  // Only files a notebook can reach: the test bed's node agent is not under an entry point a notebook imports.
  const errors = r.stdout.split("\n").filter((l) => /error TS/.test(l));
  assert.deepEqual(errors, [], `${version} (tslab's) refuses:\n${errors.join("\n")}`);
});
