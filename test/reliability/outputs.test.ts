// Commands never hang on an output error and leave no temp folder behind: `actlab bench` with an
// --out it cannot write stops its embedded cluster and says so in one line; `actlab cluster serve`,
// `watch` and `bench` remove the actlab-* folders they make (each run in a private TMPDIR, counted).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "actlab-outputs-test-"));
after(() => {
  chmodSync(join(root, "read-only"), 0o755);
  rmSync(root, { recursive: true, force: true });
});
const actlab = join(process.cwd(), "bin/actlab.js");
let privateTmps = 0;

/** A fresh TMPDIR for one command, so the actlab-* folders it leaves can be counted exactly. */
function privateTmp(): string {
  const d = join(root, `tmp-${privateTmps++}`);
  mkdirSync(d);
  return d;
}
const leftovers = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith("actlab-"));

mkdirSync(join(root, "holds-dir", "events.jsonl"), { recursive: true });
writeFileSync(join(root, "a-file"), "x");
mkdirSync(join(root, "read-only"));
chmodSync(join(root, "read-only"), 0o555);
const asRoot = process.getuid?.() === 0; // root writes into 0555 folders: that case cannot be made

const OUTPUT_CASES: [string, string, RegExp][] = [
  ["--out is an existing file", join(root, "a-file"), /a-file: a writable output file.*\(EEXIST\)/],
  ["--out is below a file", join(root, "a-file", "sub"), /a-file\/sub: a writable output file.*\(ENOTDIR\)/],
  ["--out holds a folder named events.jsonl", join(root, "holds-dir"), /events\.jsonl: a writable output file.*\(EISDIR\)/],
  ...(asRoot ? [] : [["--out is read-only", join(root, "read-only", "run"), /read-only\/run: a writable output file.*\(EACCES\)/] as [string, string, RegExp]]),
  // mkdir answers ENOENT under /proc, where Node's recursive mkdirSync loops forever.
  ...(existsSync("/proc/self") ? [["--out under /proc", "/proc/actlab-no-such-folder", /\/proc\/actlab-no-such-folder: a writable output file.*\(ENOENT\)/] as [string, string, RegExp]] : []),
];

test(`actlab bench on an unwritable --out: exit 1, one line naming the path, embedded cluster stopped, no temp folder left (${OUTPUT_CASES.length} cases${asRoot ? "; the read-only case needs a non-root user" : ""})`, { timeout: 240_000 }, () => {
  for (const [what, out, want] of OUTPUT_CASES) {
    const tmp = privateTmp();
    const r = spawnSync(process.execPath, [actlab, "bench", "--iterations", "1", "--out", out], { encoding: "utf8", timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
    assert.notEqual(r.signal, "SIGTERM", `${what}: hung until the 60 s timeout`);
    assert.equal(r.status, 1, `${what}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("embedded cluster "));
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.match(lines[0]!, want, what);
    assert.ok(!/\n\s+at /.test(r.stderr), `${what}: no stack trace`);
    assert.deepEqual(leftovers(tmp), [], `${what}: the kubeconfig folder is removed`);
  }
});

test("actlab cluster serve removes its kubeconfig folder on --lifetime and on SIGINT", { timeout: 120_000 }, async () => {
  for (const how of ["lifetime", "SIGINT"] as const) {
    const tmp = privateTmp();
    const child = spawn(process.execPath, [actlab, "cluster", "serve", ...(how === "lifetime" ? ["--lifetime", "1"] : [])], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TMPDIR: tmp } });
    let stdout = "";
    let sent = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      // The last line before it listens for SIGINT; a moment later it surely does.
      if (how === "SIGINT" && !sent && /\n(clients|try):/.test(stdout)) {
        sent = true;
        const kubeconfig = /kubeconfig: (\S+)/.exec(stdout)![1]!;
        assert.ok(kubeconfig.startsWith(tmp) && existsSync(kubeconfig), `the kubeconfig is in the private TMPDIR while serving: ${kubeconfig}`);
        setTimeout(() => child.kill("SIGINT"), 300);
      }
    });
    // Bounded: a serve that never stops (or never prints its address) is killed, not left behind.
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve)).finally(() => clearTimeout(killer));
    assert.equal(code, 0, `${how}: ${stdout}`);
    assert.match(stdout, /stopped after/);
    assert.deepEqual(leftovers(tmp), [], `${how}: no actlab-* folder left`);
  }
});

test("actlab watch and a finished actlab bench leave no actlab-* folder in TMPDIR", { timeout: 120_000 }, () => {
  const runs: [string, string[]][] = [
    ["watch", ["watch", "--duration", "1", "--quiet", "--time-scale", "1000"]],
    ["bench", ["bench", "--iterations", "1", "--out", join(root, "bench-ok")]],
  ];
  for (const [what, args] of runs) {
    const tmp = privateTmp();
    const r = spawnSync(process.execPath, [actlab, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`kubeconfig ${tmp}/actlab-`), `${what} made its folder in the private TMPDIR`);
    assert.deepEqual(leftovers(tmp), [], `${what}: no actlab-* folder left`);
  }
});

test("test files remove the temp folders they make: two of them run in a private TMPDIR leave 0 actlab-* folders", { timeout: 180_000 }, () => {
  const tmp = privateTmp();
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "test/planner-config.test.ts", "test/kube-watch.test.ts"], { encoding: "utf8", timeout: 170_000, env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 0, r.stdout.slice(-2000));
  assert.deepEqual(leftovers(tmp), []);
});

test("no test file makes a temp folder it never removes (mkdtemp without rm: use test/helpers/temp-dir.ts)", () => {
  const files = readdirSync("test", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".test.ts")).map((f) => join("test", f));
  const leaking = files.filter((f) => { const s = readFileSync(f, "utf8"); return /mkdtemp(Sync)?\(/.test(s) && !/\brm(Sync)?\(/.test(s); });
  assert.deepEqual(leaking, []);
  assert.ok(files.length > 50, `the scan saw the test files (${files.length})`);
});
