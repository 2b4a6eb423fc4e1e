// The main job in a clone with no shared/ folder anywhere above it runs the real-data study (issue 16).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const root = process.cwd();
const env = { ...process.env };
delete env.ACTLAB_SHARED_DATASETS;

function noSharedAbove(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "shared", "datasets"))) return false;
    if (dirname(d) === d) return true;
  }
}

test("npm start in a fresh clone uses the bundled Mooncake trace: treatments differ and the planner scaled", (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "actlab-fresh-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  assert.ok(noSharedAbove(tmp), `a shared/datasets folder exists above ${tmp}`);
  const clone = join(tmp, "x");
  const git = spawnSync("git", ["clone", "-q", root, clone], { encoding: "utf8" });
  assert.equal(git.status, 0, git.stderr);
  symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
  const out = join(tmp, "out");
  const r = spawnSync(process.execPath, ["bin/actlab.js", "start", "--seed", "3", "--minutes", "3", "--replicates", "1", "--iterations", "2", "--out", out], { cwd: clone, env, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const readme = readFileSync(join(out, "README.md"), "utf8");
  assert.match(readme, /Mooncake conversation trace \(datasets\/traces\/public\/mooncake\/conversation_trace\.jsonl\.gz\)/);
  const [header, ...lines] = readFileSync(join(out, "experiment", "results.csv"), "utf8").trim().split("\n");
  const cols = header!.split(",");
  const col = (name: string) => lines.map((l) => Number(l.split(",")[cols.indexOf(name)]));
  assert.ok(new Set(col("sla_attainment")).size > 1, "every treatment has the same SLA attainment");
  assert.ok(col("scale_ups").some((n) => n > 0), "the planner never scaled");
});

test("a mistyped $ACTLAB_SHARED_DATASETS stops npm start with a one-line error, exit 1", () => {
  const r = spawnSync(process.execPath, ["bin/actlab.js", "start", "--out", join(tmpdir(), "actlab-never-written")], { cwd: root, env: { ...env, ACTLAB_SHARED_DATASETS: "/nonexistent/datasets" }, encoding: "utf8" });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /ACTLAB_SHARED_DATASETS.*\/nonexistent\/datasets/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!existsSync(join(tmpdir(), "actlab-never-written")));
});
