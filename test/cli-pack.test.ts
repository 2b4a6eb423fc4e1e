// The npm package (issue 16 "a package the ecosystem can use"): npm pack's file list, and the packed
// tarball unpacked into an empty folder runs its bin (--version, --help, data list, the main job's
// trace lookup) and the quickstart. Dependencies come from this checkout's node_modules (symlinked),
// so the test needs no registry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(".");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; version: string; bin: Record<string, string> };

test("npm pack ships bin, sdk, the bundled traces and examples, and no tests or outputs", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const f of ["bin/actlab.js", "sdk/index.ts", "sdk/cli/main.ts", "datasets/traces/public/mooncake/conversation_trace.jsonl.gz", "datasets/traces/public/README.md", "examples/quickstart.ts", "testbed/go.mod", "package.json", "README.md"]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(test|out|notebooks|node_modules|scripts)\/|\.part$|^datasets\/traces\/fetched\/[^.]/, `${f} should not be packed`);
});

test("the packed tarball, unpacked into an empty folder: bin --version/--help/data list, bundled traces found, quickstart runs", { timeout: 300_000 }, (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "actlab-pack-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const packed = spawnSync("npm", ["pack", "--pack-destination", tmp, "--json"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  const app = join(tmp, "app");
  const modules = join(app, "node_modules");
  mkdirSync(modules, { recursive: true });
  assert.equal(spawnSync("tar", ["-xzf", tarball, "-C", tmp]).status, 0);
  renameSync(join(tmp, "package"), join(modules, pkg.name));
  for (const dep of readdirSync(join(root, "node_modules"))) if (dep !== pkg.name) symlinkSync(join(root, "node_modules", dep), join(modules, dep));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const bin = join(modules, pkg.name, pkg.bin.actlab!);
  const env = { ...process.env };
  delete env.ACTLAB_SHARED_DATASETS;
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: app, env, encoding: "utf8", timeout: 240_000 });

  const version = run(process.execPath, [bin, "--version"]);
  assert.equal(version.stdout, `actlab ${pkg.version}\n`, version.stderr);
  const help = run(process.execPath, [bin, "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^\s+start\s/m);
  // The bundled traces are found inside the package, not under the user's folder.
  const list = run(process.execPath, [bin, "data", "list", "--verify"]);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^mooncake-conversation\s+bundled, sha256 ok/m);
  const stats = run(process.execPath, [bin, "trace", "stats", join(modules, pkg.name, "datasets/traces/public/mooncake/conversation_trace.jsonl.gz")]);
  assert.equal(stats.status, 0, stats.stderr);
  assert.match(stats.stdout, /requests\s+12,031/);
  const start = run(process.execPath, [bin, "start", "--minutes", "1", "--replicates", "1", "--iterations", "0", "--out", join(app, "out")]);
  assert.ok(start.status === 0 || start.status === 3, start.stderr);
  assert.match(readFileSync(join(app, "out", "README.md"), "utf8"), /Mooncake conversation trace \(.*node_modules\/actuation-lab\/datasets\/traces\/public\/mooncake\/conversation_trace\.jsonl\.gz\)/);

  copyFileSync(join(root, "examples", "quickstart.ts"), join(app, "quickstart.ts"));
  const quick = run(process.execPath, ["--import", "tsx", "quickstart.ts"]);
  assert.equal(quick.status, 0, quick.stderr);
  assert.ok(existsSync(join(app, "out", "quickstart.png")));
});
