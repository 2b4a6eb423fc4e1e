// llm-d-benchmark reads our nop files (issue 15 item 6): the fields upstream's analysis and the Benchmark
// Report v0.1 schema need, each present with a sane value. Required fields encoded from the upstream
// documentation as summarised in shared/docs/fma.md §2.3–2.6 and §5.5 (schema_v0_1.py): metrics.time.duration,
// metrics.requests, metrics.latency.time_to_first_token {units, mean}, metrics.throughput.total_tokens_per_sec;
// FMALauncherInfo fields in declaration order; FMAActuationCondition's three values; timing_source's vocabulary.
//
// Also (item 6's second half): vllm_metrics with the sleep/wake events upstream's hot check reads, endpoints with
// pod IPs, platform.engines and model.name from vLLM's `non-default args:` line, ttft where measured — on the
// recorded runs of datasets/event-logs and on a fresh `actlab bench` nop run of the embedded cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Actuation } from "../sdk/actuation/classify.js";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import { nopOptionsFor } from "../sdk/actuation/nop-context.js";
import { toBenchmarkReport, toNopResult, type NopResult } from "../sdk/actuation/nop-result.js";
import { readRunDir } from "../sdk/bench/run-files.js";
import { checkInfo, checkItem6, IP_URL, podFacts, RECORDED_MODEL as MODEL, UPSTREAM_CONDITIONS } from "./helpers/llmd-fields.js";

const ROOT = "test/golden/classify";
const runs = readdirSync(ROOT).sort().map((d) => ({ name: d, acts: JSON.parse(readFileSync(join(ROOT, d, "actuations.json"), "utf8")) as Actuation[] }));

/** The same runs as if the DPC log were missing: classification by Kubernetes evidence, timings only as bounds. */
function withoutDpc(acts: Actuation[]): Actuation[] {
  return acts.map((a) => ({ ...a, timing_source: a.upper_source, t_wake: a.t_wake_upper, t_instance_create: a.t_instance_create_upper, t_cold_launcher: a.t_cold_launcher_upper }));
}

/** Cases upstream's analysis crashed on: an unclassified actuation never bound, and a direct-mode cold. */
function awkward(acts: Actuation[]): Actuation[] {
  const [a, b] = acts;
  return [
    { ...a!, path: "unknown", actuation_condition: null, provider: null, launcher_node: null, timing_source: "none", upper_source: "none", t_wake: null, t_instance_create: null, t_cold_launcher: null, ready_timestamp: null } as unknown as Actuation,
    { ...b!, path: "cold", mode: "direct", actuation_condition: "T_cold" } as Actuation,
  ];
}

test("result.yaml: every launcher_info has upstream's fields in order, no nulls where upstream reads strings, tight timings only, upstream's timing vocabulary", () => {
  for (const r of runs) {
    for (const [label, acts] of [["recorded", r.acts], ["no DPC log", withoutDpc(r.acts)], ["awkward", awkward(r.acts)]] as const) {
      const nop = toNopResult(acts, { scenario: { model: { name: "m" } } });
      const infos = nop.extra_metrics[0]!.iterations.flatMap((it) => it.launcher_infos);
      assert.equal(infos.length, acts.length);
      infos.forEach((i, k) => checkInfo(`${r.name}/${label}[${k}]`, i));
      if (label === "recorded") assert.ok(infos.every((i) => UPSTREAM_CONDITIONS.has(i.actuation_condition)), `${r.name}: recorded runs classify into upstream's three conditions`);
      if (label === "no DPC log") {
        // The bounds are kept, in fields of our own.
        const bounded = infos.filter((i) => i.actlab && [i.actlab.t_wake_upper, i.actlab.t_instance_create_upper, i.actlab.t_cold_launcher_upper].some((v) => typeof v === "number" && v > 0));
        assert.equal(bounded.length, infos.length, `${r.name}: every bound survives under actlab`);
      }
      if (label === "awkward") {
        assert.deepEqual(infos.map((i) => i.actuation_condition), ["unknown", "T_cold"]);
        assert.equal(infos[0]!.name, "unknown");
        assert.equal(infos[0]!.actlab!.timing_source, "none"); // ours, beside upstream's
      }
    }
  }
});

test("result.yaml: per-iteration hit rates over every launcher_info (upstream's denominator); ours over classified beside them", () => {
  const acts = [...runs[0]!.acts.slice(0, 1), ...awkward(runs[0]!.acts).slice(0, 1)].map((a) => ({ ...a, iteration: 1 }));
  const it = toNopResult(acts).extra_metrics[0]!.iterations[0]!;
  const known = acts[0]!.path;
  const rates = { hot: it.hot_hit_rate, warm: it.warm_hit_rate, cold_launcher: it.cold_launcher_hit_rate } as Record<string, number>;
  assert.equal(rates[known], 1 / 2, "one of two launcher_infos");
  assert.equal(it.actlab!.denominator, "classified_actuations");
  assert.equal(it.actlab![`${known}_hit_rate`], 1, "one of one classified");
  assert.equal(it.actlab!.unknown, 1);
  for (const r of runs) for (const i of toNopResult(r.acts).extra_metrics[0]!.iterations) assert.ok(i.hot_hit_rate + i.warm_hit_rate + i.cold_launcher_hit_rate <= 1 + 1e-12);
});

test("benchmark_report.yaml: the v0.1 schema's required metrics are present with sane values (metrics.requests included)", () => {
  for (const r of runs) {
    const nop = toNopResult(r.acts, { scenario: { model: { name: "m" } } });
    const br = toBenchmarkReport(nop) as { version: string; scenario: { load: { name: string }; model: { name: string } }; metrics: Record<string, Record<string, unknown>> };
    assert.equal(br.version, "0.1");
    assert.equal(br.scenario.load.name, "nop"); // one of the WorkloadGenerator values
    assert.equal(br.scenario.model.name, "m");
    const m = br.metrics;
    assert.equal(typeof m.time!.duration, "number");
    assert.ok((m.time!.duration as number) >= 0);
    const req = m.requests as { total: number; failures: number; incomplete: number };
    assert.ok(req, `${r.name}: metrics.requests is required`);
    assert.equal(req.total, r.acts.length);
    assert.ok(Number.isInteger(req.failures) && req.failures >= 0 && req.failures <= req.total);
    assert.equal(req.failures, r.acts.filter((a) => a.ready_timestamp === null || !(a.ready_timestamp > 0)).length);
    assert.equal(req.incomplete, 0);
    const ttft = m.latency!.time_to_first_token as { units: string; mean: number };
    assert.equal(ttft.units, "s");
    assert.equal(typeof ttft.mean, "number");
    assert.equal(typeof m.throughput!.total_tokens_per_sec, "number");
  }
});

const DATASETS = "datasets/event-logs";

test("result.yaml of the recorded runs: vllm_metrics sleep/wake agree with the classification; IP endpoints; engines and model.name from the vLLM log", () => {
  for (const d of readdirSync(DATASETS).filter((x) => !x.includes(".")).sort()) {
    const run = readRunDir(join(DATASETS, d));
    const acts = analyzeRun(run).actuations;
    assert.ok(acts.length > 0, d);
    // As against a real cluster: the scenario does not know the model.
    checkItem6(d, toNopResult(acts, nopOptionsFor(run, { model: { name: "unknown" } })), acts, podFacts(run.events));
    // Without the vLLM logs nothing is invented: no events, no engine, no model; the IPs still come from the pods.
    const bare = toNopResult(acts, nopOptionsFor({ ...run, use: { vllm: false } }));
    assert.deepEqual([bare.vllm_metrics, bare.scenario.platform, bare.scenario.model], [[], { engines: [] }, { name: "unknown" }]);
    assert.match(bare.extra_metrics[0]!.iterations[0]!.launcher_infos[0]!.launcher_endpoint!, IP_URL);
  }
});

test("ttft where measured: launcher_infos carry it, benchmark_report's time_to_first_token is their mean, ours says which were measured", () => {
  const acts = runs[0]!.acts;
  const ttft = new Map([[acts[0]!.requester, 0.12], [acts[1]!.requester, 0.2]]);
  const nop = toNopResult(acts, { ttft });
  const infos = nop.extra_metrics[0]!.iterations.flatMap((it) => it.launcher_infos);
  assert.deepEqual(infos.slice(0, 3).map((i) => [i.ttft, i.actlab!.ttft_measured]), [[0.12, true], [0.2, true], [0, false]]);
  const br = toBenchmarkReport(nop) as { metrics: { latency: { time_to_first_token: { mean: number } } } };
  assert.ok(Math.abs(br.metrics.latency.time_to_first_token.mean - 0.16) < 1e-12);
});

test("actlab bench (embedded cluster, nop): result.yaml and benchmark_report.yaml carry every item-6 field", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-llmd-fields-"));
  try {
    const r = spawnSync(process.execPath, ["bin/actlab.js", "bench", "--iterations", "3", "--time-scale", "5000", "--seed", "1", "--out", dir], { encoding: "utf8", timeout: 150_000 });
    assert.equal(r.status, 0, r.stderr);
    const nop = parseYaml(readFileSync(join(dir, "result.yaml"), "utf8")) as NopResult;
    const run = readRunDir(dir);
    const acts = JSON.parse(readFileSync(join(dir, "actuations.json"), "utf8")) as Actuation[];
    assert.deepEqual(acts.map((a) => a.path), ["cold_launcher", "hot", "hot"]);
    checkItem6("bench", nop, acts, podFacts(run.events));
    for (const i of nop.extra_metrics[0]!.iterations.flatMap((it) => it.launcher_infos)) checkInfo("bench", i);
    const br = parseYaml(readFileSync(join(dir, "benchmark_report.yaml"), "utf8")) as { scenario: { model: { name: string }; platform: { engine: { name: string }[] } }; metrics: { requests: { total: number } } };
    assert.equal(br.scenario.model.name, MODEL);
    assert.equal(br.scenario.platform.engine[0]!.name, "vllm");
    assert.equal(br.metrics.requests.total, 3);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
