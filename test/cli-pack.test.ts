// The npm package (issue 16 "a package the ecosystem can use"): npm pack's file list, and the packed
// tarball unpacked into an empty folder runs its bin (--version, --help, data list, the main job's
// trace lookup) and the quickstart. Dependencies come from this checkout's node_modules (symlinked),
// so the test needs no registry. The package's library entry points are built JavaScript with types
// (dist/, made by prepack and removed by postpack): plain node without tsx, tsc and Deno's npm:
// specifier import them; the repository's own package.json is left as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DENO_ENV, denoBinary } from "./helpers/deno.js";

const root = resolve(".");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; version: string; bin: Record<string, string> };

test("npm pack ships bin, sdk, the bundled traces and examples, and no tests or outputs", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const f of ["bin/actlab.js", "sdk/index.ts", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/sdk/replay/index.d.ts", "sdk/cli/main.ts", "datasets/traces/public/mooncake/conversation_trace.jsonl.gz", "datasets/traces/public/README.md", "examples/quickstart.ts", "testbed/go.mod", "package.json", "README.md"]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(test|out|notebooks|node_modules|scripts)\/|\.part$|^datasets\/traces\/fetched\/[^.]/, `${f} should not be packed`);
});

test("the packed tarball, unpacked into an empty folder: bin --version/--help/data list, bundled traces found, quickstart runs; plain node, tsc and Deno import the library with types", { timeout: 300_000 }, (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "actlab-pack-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const manifest = readFileSync("package.json");
  const packed = spawnSync("npm", ["pack", "--pack-destination", tmp, "--json"], { encoding: "utf8", timeout: 180_000 });
  assert.equal(packed.status, 0, packed.stderr);
  assert.ok(readFileSync("package.json").equals(manifest), "postpack restores the repository's package.json byte for byte");
  assert.ok(!existsSync("dist") && !existsSync("package.json.prepack"), "postpack removes dist/ and the backup");
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

  // The library without tsx: built JavaScript, resolved through the packed exports.
  const trace = "node_modules/actuation-lab/datasets/traces/public/mooncake/conversation_trace.jsonl.gz";
  writeFileSync(join(app, "plain.mjs"), `import { loadTrace, replayTrace } from "actuation-lab";\nimport { summarize } from "actuation-lab/replay";\nconst { requests } = loadTrace("${trace}");\nconsole.log(replayTrace(requests.slice(0, 50), { workers: 2 }).summary.completed, typeof summarize);\n`);
  const plain = run(process.execPath, ["plain.mjs"]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, "50 function\n");
  // Types: a consumer's tsc (NodeNext) accepts a typed use and rejects a wrong option type.
  const typed = `import { loadTrace, replayTrace } from "actuation-lab";\nimport type { ReplaySummary } from "actuation-lab/replay";\nconst s: ReplaySummary = replayTrace(loadTrace("${trace}").requests.slice(0, 5), { workers: 2 }).summary;\nconst n: number = s.completed;\nconsole.log(n);\n`;
  writeFileSync(join(app, "typed.ts"), typed);
  writeFileSync(join(app, "wrong.ts"), `import { replayTrace } from "actuation-lab";\nreplayTrace([], { workers: "two" });\n`);
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] }, files: ["typed.ts", "wrong.ts"] }));
  const tsc = run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."]);
  assert.equal(tsc.stdout.trim(), `wrong.ts(2,19): error TS2322: Type 'string' is not assignable to type 'number'.`);
  // Deno's npm: specifier, from the same node_modules (no registry): runs, and type-checks with the package's types.
  const deno = denoBinary();
  if (deno) {
    writeFileSync(join(app, "deno.ts"), typed.replaceAll('"actuation-lab', '"npm:actuation-lab'));
    writeFileSync(join(app, "deno-wrong.ts"), `import { replayTrace } from "npm:actuation-lab";\nreplayTrace([], { workers: "two" });\n`);
    const denoRun = spawnSync(deno, ["run", "-A", "--node-modules-dir=manual", "deno.ts"], { cwd: app, env: { ...env, ...DENO_ENV }, encoding: "utf8", timeout: 120_000 });
    assert.equal(denoRun.status, 0, denoRun.stderr);
    assert.equal(denoRun.stdout, "5\n");
    const denoCheck = spawnSync(deno, ["check", "--node-modules-dir=manual", "deno-wrong.ts"], { cwd: app, env: { ...env, ...DENO_ENV }, encoding: "utf8", timeout: 120_000 });
    assert.notEqual(denoCheck.status, 0);
    assert.match(denoCheck.stderr + denoCheck.stdout, /TS2322 \[ERROR\]: Type 'string' is not assignable to type 'number'/);
  } else t.diagnostic("Deno: skipped (no binary)");

  copyFileSync(join(root, "examples", "quickstart.ts"), join(app, "quickstart.ts"));
  const quick = run(process.execPath, ["--import", "tsx", "quickstart.ts"]);
  assert.equal(quick.status, 0, quick.stderr);
  assert.ok(existsSync(join(app, "out", "quickstart.png")));
});
