// User mistakes through the real CLI: each gives one line naming the file/key/flag, expected and got, never a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });
}

const TRACE = "datasets/traces/shared-prefix.jsonl";

/** The first stderr line, with the checks every case shares: no stack trace. */
function firstLine(r: ReturnType<typeof actlab>): string {
  assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace in: ${r.stderr}`);
  return r.stderr.split("\n")[0]!;
}

test("a missing file or a folder for trace stats, replay, analyze and --planner: exit 1, names the path", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, "nope.jsonl");
  const cases: [string[], string][] = [
    [["trace", "stats", missing], missing],
    [["trace", "stats", dir], dir],
    [["replay", missing], missing],
    [["replay", dir], dir],
    [["analyze", join(dir, "nope.csv"), "--response", "x"], join(dir, "nope.csv")],
    [["analyze", dir, "--response", "x"], dir],
    [["replay", TRACE, "--planner", missing], missing],
    [["replay", TRACE, "--planner", dir, "--out", join(dir, "out")], dir],
  ];
  for (const [args, path] of cases) {
    const r = actlab(...args);
    assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    const line = firstLine(r);
    assert.ok(line.includes(path), `${args.join(" ")}: ${line}`);
    assert.match(line, path === dir ? /directory/ : /no such file|file \(JSON or YAML\)/, args.join(" "));
  }
});

test("a negative option value names the option and its range (exit 2), not parseArgs' 'ambiguous'", () => {
  const r = actlab("replay", TRACE, "--speedup", "-2");
  assert.equal(r.status, 2);
  assert.equal(firstLine(r), "actlab replay: --speedup expects a number ≥ 1e-9, got '-2'");
  const w = actlab("replay", TRACE, "--workers", "-3");
  assert.equal(w.status, 2);
  assert.match(firstLine(w), /--workers expects a number ≥ 1, got '-3'/);
});

test("--num-gpu-blocks too small for the trace: exit 2 naming the flag, the blocks needed and got", () => {
  const r = actlab("replay", TRACE, "--num-gpu-blocks", "1");
  assert.equal(r.status, 2);
  // Request 0 of shared-prefix.jsonl has 4608 + 128 tokens: ceil(4736 / 64) = 74 blocks.
  assert.match(firstLine(r), /--num-gpu-blocks expects ≥ 74 \(request 0 of .*shared-prefix\.jsonl needs 74 blocks of 64 tokens\), got 1$/);
});

test("planner config actuation.profile unknown: exit 1 naming the key and the known profiles", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = actlab("replay", TRACE, "--head", "5", "--planner", '{"mode":"agg","actuation":{"profile":"999b"}}', "--out", dir);
  assert.equal(r.status, 1);
  const line = firstLine(r);
  assert.match(line, /\(actuation\.profile\): expected one of the known profiles .*8b-h100.*, got '999b'$/);
});

test("guards: --workers 1e9 and --replicates 1000000 are refused naming the limit and the flag that raises it", () => {
  const w = actlab("replay", TRACE, "--workers", "1e9");
  assert.equal(w.status, 2);
  assert.equal(firstLine(w), "actlab replay: --workers 1000000000 exceeds the limit of 4096 workers; raise it with --max-workers N");
  const d = actlab("replay", TRACE, "--mode", "disagg", "--decode-workers", "5000");
  assert.equal(d.status, 2);
  assert.match(firstLine(d), /--decode-workers 5000 exceeds the limit of 4096 workers; raise it with --max-workers N/);
  const raised = actlab("replay", TRACE, "--workers", "5000", "--max-workers", "5000", "--head", "2", "--json");
  assert.equal(raised.status, 0, raised.stderr);
  assert.equal(JSON.parse(raised.stdout).completed, 2);
  const e = actlab("experiment", "datasets/experiments/router-study.yaml", "--replicates", "1000000", "--plan");
  assert.equal(e.status, 2);
  assert.match(firstLine(e), /^actlab experiment: \d+ runs \(\d+ treatments × 1000000 replicates\) exceed the limit of 100000; raise it with --max-runs N$/);
  const ok = actlab("experiment", "datasets/experiments/router-study.yaml", "--replicates", "2", "--plan");
  assert.equal(ok.status, 0, ok.stderr);
});

test("analyze takes its factors from the results file's own layout, never from response columns", () => {
  // The main job's results: factors model, sleep_pool, speedup sit between 'center' and 'seed'.
  const r = actlab("analyze", "test/golden/start/experiment/results.csv", "--response", "sla_attainment", "--order", "2", "--json");
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout) as { factors: string[]; anova: { rows: { term: string }[]; r2: number } };
  assert.deepEqual(a.factors, ["model", "sleep_pool", "speedup"]);
  assert.equal(a.anova.rows.length, 6, "3 main effects + 3 two-factor interactions, not hundreds of terms");
  assert.ok(a.anova.r2 < 1);
  const jsonl = actlab("analyze", "test/golden/doe/results.jsonl", "--response", "ttftP50Ms");
  assert.equal(jsonl.status, 0, jsonl.stderr);
  assert.equal(jsonl.stdout.split("\n")[0], "(factors from the results file: workers, router, speedup; set them with --factors)");
  // A table without the layout (the per-treatment means) must name its factors: exit 2, one line.
  const plain = actlab("analyze", "test/golden/start/experiment/per-treatment.csv", "--response", "sla");
  assert.equal(plain.status, 2);
  assert.equal(firstLine(plain), "actlab analyze: test/golden/start/experiment/per-treatment.csv does not declare its factors (a sweep's results list them between 'center' and 'seed'); name them with --factors A,B,…");
  const self = actlab("analyze", "test/golden/start/experiment/results.csv", "--response", "speedup");
  assert.equal(self.status, 2);
  assert.match(firstLine(self), /--response speedup is a factor of .*results\.csv; pick a response column$/);
});

test("classify never writes into its input: --out RUN_DIR is refused (exit 2), the default is out/classify/NAME", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-classify-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = join(dir, "hot-8b-h100");
  cpSync("datasets/event-logs/hot-8b-h100", run, { recursive: true });
  const snapshot = () => readdirSync(run).sort().map((f) => `${f}:${readFileSync(join(run, f), "utf8")}`).join("\n");
  const before = snapshot();
  const into = actlab("classify", run, "--no-dpc", "--out", run);
  assert.equal(into.status, 2);
  assert.equal(firstLine(into), `actlab classify: --out ${run} is the input folder; outputs are never written into inputs (give another folder)`);
  const bin = join(process.cwd(), "bin/actlab.js");
  const dflt = spawnSync(process.execPath, [bin, "classify", run, "--no-dpc"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(dflt.status, 0, dflt.stderr);
  assert.ok(existsSync(join(dir, "out", "classify", "hot-8b-h100", "result.yaml")));
  assert.equal(snapshot(), before, "the recorded run is unchanged");
});

test("classify with no classified actuation prints no rates (not 0.000) and says which evidence to record", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-classify-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The hot run's watch events alone: the sleeping label flips for hot and warm alike, so all 6 stay unknown.
  const r = actlab("classify", "--events", "datasets/event-logs/hot-8b-h100/events.jsonl", "--out", dir);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "6 actuations: hot 0, warm 0, cold_launcher 0, cold 0, unknown 6 (no classified actuations, so no hit rates)");
  assert.doesNotMatch(r.stdout, /0\.000/);
  // summary.json says the same: a rate over no classified actuation is null, not 0.
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual([summary.classified, summary.hot_hit_rate, summary.warm_hit_rate, summary.cold_launcher_hit_rate, summary.cold_hit_rate], [0, null, null, null, null]);
  assert.ok(lines.includes("hint: 6 unknown: the recording has no dual-pods controller (DPC) log (--dpc-log FILE; from a cluster: kubectl logs of the dual-pods-controller pod) and no launcher/provider vLLM logs (--pod-log POD=FILE); add them to decide hot vs warm vs cold_launcher (actlab watch --record DIR records them all)"), r.stdout);
  // With the recorded run's evidence (DPC log included) nothing is unknown and no hint is printed.
  const full = actlab("classify", "datasets/event-logs/hot-8b-h100", "--out", join(dir, "full"));
  assert.equal(full.status, 0, full.stderr);
  assert.match(full.stdout, /unknown 0 \(rates over 6 classified: hot /);
  assert.doesNotMatch(full.stdout, /^hint:/m);
});

test("invalid trace data is refused naming file:line, key, expected and got (exit 1), never rolled over or accepted", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const row = (o: Record<string, unknown>) => JSON.stringify({ timestamp: 0, input_length: 10, output_length: 10, hash_ids: [1], ...o }) + "\n";
  const cases: [string, string][] = [
    [file("azure.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-45 99:99:99.000000,10,10\n"), ":2 (TIMESTAMP): a calendar date and time (month 01–12, a day of that month, 00:00:00–23:59:59), got '2023-13-45 99:99:99.000000'"],
    [file("feb30.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-02-30 10:00:00,10,10\n"), ":2 (TIMESTAMP): a calendar date and time"],
    [file("huge-ts.jsonl", row({ timestamp: 1e300 })), ":1 (timestamp): a number of ms in [0, 2^53), got 1e+300"],
    [file("neg-ts.jsonl", row({ timestamp: -5 })), ":1 (timestamp): a number of ms in [0, 2^53), got -5"],
    [file("span.jsonl", row({}) + row({ timestamp: 400 * 86_400_000 })), ":2 (timestamp): a timestamp within 366 days (31622400000 ms) of the first (0), got 34560000000"],
    [file("osl.jsonl", row({ output_length: 1e20 })), ":1 (output_length): an integer ≥ 1 and ≤ 1048576 tokens, got 100000000000000000000"],
  ];
  for (const [path, message] of cases) {
    const r = actlab("trace", "stats", path);
    assert.equal(r.status, 1, `${path}: ${r.stdout}`);
    const line = firstLine(r);
    assert.ok(line.startsWith(`actlab trace stats: ${path}${message}`), line);
  }
});

test("planner configs: an empty file or {} is refused naming 'mode' (was a disaggregated planner on defaults); max_gpu_budget below -1 is refused", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of [["empty.yaml", ""], ["empty.json", "{}"]] as const) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const r = actlab("replay", TRACE, "--head", "3", "--planner", path, "--out", join(dir, "out"));
    assert.equal(r.status, 1, r.stdout);
    assert.equal(firstLine(r), `actlab replay: ${path} (mode): a planner mode, agg or disagg (missing: the config is empty)`);
  }
  const noMode = actlab("replay", TRACE, "--head", "3", "--planner", '{"ttft": 100}', "--out", join(dir, "out"));
  assert.equal(noMode.status, 1);
  assert.match(firstLine(noMode), /\(mode\): a planner mode, agg or disagg \(missing\)$/);
  // -1 is Dynamo's documented "unlimited"; anything lower is a mistake.
  const budget = actlab("replay", TRACE, "--head", "3", "--planner", '{"mode":"agg","max_gpu_budget":-2}', "--out", join(dir, "out"));
  assert.equal(budget.status, 1);
  assert.match(firstLine(budget), /\(max_gpu_budget\): expected an integer ≥ -1, got -2$/);
});

test("replay on a fleet too small for the trace ends with an overload hint naming the offered rate and a fleet that keeps up; a sized fleet gets none", () => {
  const trace = "datasets/traces/public/mooncake/conversation_trace.jsonl.gz";
  const one = actlab("replay", trace, "--head", "300");
  assert.equal(one.status, 0, one.stderr);
  const last = one.stdout.trim().split("\n").pop()!;
  assert.match(last, /^hint: the fleet is overloaded \(TTFT p50 \d+\.\d s, over 10× the 500 ms SLA\): 1 worker served \d+\.\d\d req\/s of the \d+\.\d\d req\/s the trace offers; try --workers (\d+), or --planner CONFIG to scale with the load$/);
  const suggested = /--workers (\d+)/.exec(last)![1]!;
  const sized = actlab("replay", trace, "--head", "300", "--workers", suggested);
  assert.equal(sized.status, 0, sized.stderr);
  assert.doesNotMatch(sized.stdout, /^hint:/m, `--workers ${suggested} keeps up`);
});

test("a planner replay without --out writes its reports where .gitignore keeps them out of commits", () => {
  const ignored = spawnSync("git", ["check-ignore", "-q", "planner_reports/summary.json"], { encoding: "utf8" });
  assert.equal(ignored.status, 0, "planner_reports/ (the planner config's default report_output_dir) is git-ignored");
});

test("guards: a 10⁹-run design (ten 8-level factors) is refused before it is built, naming the line, the limit and the flag (was 4.6 GB, then a crash)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const factors = Array.from({ length: 10 }, (_, i) => `      - {name: f${i}, levels: [1, 2, 3, 4, 5, 6, 7, 8]}`).join("\n");
  const file = join(dir, "huge.yaml");
  writeFileSync(file, `experiment:\n  name: huge\ndesign:\n  type: full_factorial\n  run:\n    factors:\n${factors}\n  response_variables: [ttftP50Ms]\n`);
  const r = actlab("experiment", file, "--plan");
  assert.equal(r.status, 1, r.stdout);
  assert.equal(firstLine(r), `actlab experiment: ${file}:7 (design.run.factors): at most 100000 run treatments from the full_factorial design (a guard against typos; raise it with --max-runs N), got 1073741824`);
  // Raising the limit lets a design through that the default refuses (8^6 = 262,144 treatments).
  writeFileSync(file, `experiment:\n  name: big\ndesign:\n  type: full_factorial\n  run:\n    factors:\n${factors.split("\n").slice(0, 6).join("\n")}\n  response_variables: [ttftP50Ms]\n`);
  assert.equal(actlab("experiment", file, "--plan").status, 1);
  const raised = actlab("experiment", file, "--plan", "--max-runs", "300000");
  assert.equal(raised.status, 0, raised.stderr);
});

test("option mistakes are one line in the CLI's style, exit 2: unknown option (with the near one), missing value, value to a switch, stray argument", () => {
  const cases: [string[], string][] = [
    [["replay", TRACE, "--minutes", "3"], "actlab replay: unknown option --minutes (the options are listed below)"],
    [["replay", TRACE, "--worker", "3"], "actlab replay: unknown option --worker; did you mean --workers? (the options are listed below)"],
    [["replay", TRACE, "--workers"], "actlab replay: --workers expects a value"],
    [["replay", TRACE, "--json=3"], "actlab replay: --json takes no value (it is a switch)"],
    [["watch", "extra"], "actlab watch: unexpected argument 'extra' (this command takes none)"],
  ];
  for (const [args, line] of cases) {
    const r = actlab(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.equal(firstLine(r), line);
  }
});

test("replay --lenient skips a bad trace line and says so on standard error (line and reason); without it the line stops the replay (exit 1)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-usererr-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const row = (ts: number | string, h: number) => `{"timestamp":${ts},"input_length":10,"output_length":10,"hash_ids":[${h}]}\n`;
  const file = join(dir, "bad.jsonl");
  writeFileSync(file, row(0, 1) + row("1e300", 1) + row(5, 2));
  const strict = actlab("replay", file);
  assert.equal(strict.status, 1);
  assert.equal(firstLine(strict), `actlab replay: ${file}:2 (timestamp): a number of ms in [0, 2^53), got 1e+300`);
  const lenient = actlab("replay", file, "--lenient", "--json");
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.equal(lenient.stderr, `warning: ${file}: skipped 1 bad line (--lenient)\n  line 2: a number of ms in [0, 2^53), got 1e+300\n`);
  assert.equal(JSON.parse(lenient.stdout).completed, 2);
});
