// A new user's first hour (issue 16): results that cannot mean anything say so, loudly, in the exit status too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { degenerateReasons, DEGENERATE_EXIT } from "../sdk/cli/commands/start.js";

test("npm start on a trace too light to scale: WARNING line on stdout and stderr, in the writeup, exit 3", (t) => {
  const out = mkdtempSync(join(tmpdir(), "actlab-degenerate-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  // shared-prefix.jsonl: 200 requests in well under a minute of a two-replica fleet's capacity.
  const r = spawnSync(process.execPath, ["bin/actlab.js", "start", "--out", out, "--seed", "3", "--minutes", "1", "--replicates", "1", "--iterations", "0", "--trace", "datasets/traces/shared-prefix.jsonl"], { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, DEGENERATE_EXIT, r.stderr);
  assert.equal(DEGENERATE_EXIT, 3);
  const warning = r.stderr.split("\n").find((l) => l.startsWith("WARNING"));
  assert.ok(warning, r.stderr);
  assert.match(warning, /^WARNING: degenerate result: every treatment has the same mean sla_attainment \(1\.000\).*; the planner never scaled \(scale_ups 0 in every run\).*\(exit status 3\)$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(r.stdout.trim().endsWith(warning), "the warning is the last stdout line");
  assert.ok(readFileSync(join(out, "README.md"), "utf8").includes(`**${warning}**`), "the writeup says it at the top");
});

test("degenerateReasons: equal treatment means and no scaling are named; a real difference is not flagged", () => {
  const row = (model: string, sla: number, scale_ups: number) => ({ model, sla_attainment: sla, scale_ups, status: "ok" });
  assert.deepEqual(degenerateReasons([row("a", 0.5, 3), row("b", 0.7, 0)], "sla_attainment", ["model"]), []);
  const same = degenerateReasons([row("a", 1, 2), row("a", 1, 2), row("b", 1, 1)], "sla_attainment", ["model"]);
  assert.equal(same.length, 1);
  assert.match(same[0]!, /every treatment has the same mean sla_attainment \(1\.000\)/);
  const idle = degenerateReasons([row("a", 0.2, 0), row("b", 0.9, 0)], "sla_attainment", ["model"]);
  assert.deepEqual(idle.map((s) => s.split(" (")[0]), ["the planner never scaled"]);
  // Failed runs do not count: one ok run that scaled is enough.
  assert.deepEqual(degenerateReasons([row("a", 0.2, 1), { ...row("b", 0.2, 0), status: "error" }, row("b", 0.4, 0)], "sla_attainment", ["model"]), []);
});

test("replay treatment: a mistyped factor, a non-number or an unknown router is an InputError naming the factor", async () => {
  const { replayTreatment } = await import("../sdk/doe/replay-treatment.js");
  const { InputError } = await import("../sdk/core/errors.js");
  const params = { trace: "datasets/traces/shared-prefix.jsonl", limit: 5 };
  const cases: [Record<string, string | number>, RegExp][] = [
    [{ routr: "kv" }, /^replay treatment \(factors\.routr\): a factor the replay understands \(router, policy, .*\), got 'routr'$/],
    [{ workers: "four" }, /^replay treatment \(factors\.workers\): a number, got 'four'$/],
    [{ router: "fastest" }, /^replay treatment \(factors\.router\): one of round-robin, random, least-loaded, kv, got 'fastest'$/],
    [{ mode: "split" }, /^replay treatment \(factors\.mode\): agg or disagg, got 'split'$/],
  ];
  for (const [factors, message] of cases) {
    assert.throws(() => replayTreatment({ factors, seed: 1, params }), (e: unknown) => e instanceof InputError && message.test(e.message), JSON.stringify(factors));
  }
  assert.equal(replayTreatment({ factors: { router: "kv", workers: 2 }, seed: 1, params }).completed, 5);
});

test("the trace examples outside the repository root: exit 1 with one line saying the trace is bundled (no 'set ACTLAB_SHARED_DATASETS', no silent exit 0)", (t) => {
  const cwd = mkdtempSync(join(tmpdir(), "actlab-example-nodata-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  symlinkSync(join(process.cwd(), "node_modules"), join(cwd, "node_modules"));
  const env = { ...process.env };
  delete env.ACTLAB_SHARED_DATASETS;
  for (const ex of ["planner-mooncake.ts", "planner-startup-sweep.ts"]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(process.cwd(), "examples", ex)], { cwd, env, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 1, `${ex}: ${r.stderr}`);
    assert.equal(r.stderr, "the Mooncake conversation trace is bundled in datasets/traces/public/mooncake/: run this from the repository root (or point $ACTLAB_SHARED_DATASETS at a folder of the same layout)\n", ex);
  }
  for (const ex of readdirSync("examples")) assert.doesNotMatch(readFileSync(join("examples", ex), "utf8"), /set ACTLAB_SHARED_DATASETS/, ex);
});

test("empty CSVs keep their header: a planner that never scaled, a run with no actuation", async (t) => {
  const { writeAnalysis } = await import("../sdk/bench/run-files.js");
  const dir = mkdtempSync(join(tmpdir(), "actlab-empty-csv-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeAnalysis(dir, []);
  const recorded = readFileSync("datasets/event-logs/hot-8b-h100/actuations.csv", "utf8").split("\n")[0];
  assert.equal(readFileSync(join(dir, "actuations.csv"), "utf8"), `${recorded}\n`);
  // The same planner on 3 Mooncake requests (never scales) and on 600 at 2× (scales): same headers.
  const run = (head: string, speedup: string, out: string) => spawnSync(process.execPath, ["bin/actlab.js", "replay", "datasets/traces/public/mooncake/conversation_trace.jsonl.gz", "--head", head, "--speedup", speedup, "--planner", '{"mode":"agg","load_adjustment_interval":5}', "--out", out], { encoding: "utf8", timeout: 120_000 });
  const idle = run("3", "1", join(dir, "idle"));
  assert.equal(idle.status, 0, idle.stderr);
  const busy = run("600", "2", join(dir, "busy"));
  assert.equal(busy.status, 0, busy.stderr);
  for (const f of ["scaling-events.csv", "actuations.csv"]) {
    const [busyHeader, firstRow] = readFileSync(join(dir, "busy", f), "utf8").split("\n");
    assert.ok(firstRow, `the busy run has ${f} rows`);
    assert.equal(readFileSync(join(dir, "idle", f), "utf8"), `${busyHeader}\n`, f);
  }
});
