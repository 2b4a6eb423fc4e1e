// A new user's first hour (issue 16): results that cannot mean anything say so, loudly, in the exit status too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
