// llm-d-benchmark reads our nop files (issue 15 item 6): the fields upstream's analysis and the Benchmark
// Report v0.1 schema need, each present with a sane value. Required fields encoded from the upstream
// documentation as summarised in shared/docs/fma.md §2.3–2.6 and §5.5 (schema_v0_1.py): metrics.time.duration,
// metrics.requests, metrics.latency.time_to_first_token {units, mean}, metrics.throughput.total_tokens_per_sec;
// FMALauncherInfo fields in declaration order; FMAActuationCondition's three values; timing_source's vocabulary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Actuation } from "../sdk/actuation/classify.js";
import { toBenchmarkReport, toNopResult, type LauncherInfo } from "../sdk/actuation/nop-result.js";

const ROOT = "test/golden/classify";
const runs = readdirSync(ROOT).sort().map((d) => ({ name: d, acts: JSON.parse(readFileSync(join(ROOT, d, "actuations.json"), "utf8")) as Actuation[] }));

const UPSTREAM_CONDITIONS = new Set(["T_hot", "T_warm", "T_cold_launcher"]);
const UPSTREAM_TIMING = new Set(["dpc", "kube_container_start", "kube_pod_create"]);
const INFO_FIELDS = ["namespace", "pod_name", "container_name", "name", "requester_info", "vllm_instance_id", "launcher_endpoint", "vllm_endpoint", "ttft", "actuation_condition", "launcher_creation_timestamp", "launcher_node", "t_wake", "t_instance_create", "t_cold_launcher", "timing_source", "dpc_timing_available"];

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

function checkInfo(where: string, i: LauncherInfo) {
  assert.deepEqual(Object.keys(i).slice(0, INFO_FIELDS.length), INFO_FIELDS, `${where}: field order`);
  for (const k of ["actuation_condition", "name", "pod_name", "launcher_node"] as const) assert.equal(typeof i[k], "string", `${where}: ${k} must be a string, got ${JSON.stringify(i[k])}`);
  assert.ok(i.name.length > 0 && i.launcher_node.length > 0, where);
  assert.ok(UPSTREAM_TIMING.has(i.timing_source), `${where}: timing_source ${i.timing_source}`);
  assert.equal(i.dpc_timing_available, i.timing_source === "dpc");
  // Upstream-named timings are tight DPC values or null; never a Kubernetes bound.
  if (i.timing_source !== "dpc") for (const k of ["t_wake", "t_instance_create", "t_cold_launcher"] as const) assert.equal(i[k], null, `${where}: ${k} holds a bound`);
  for (const k of ["t_wake", "t_instance_create", "t_cold_launcher"] as const) if (i[k] !== null) assert.ok(i[k]! >= 0 && i[k]! < 3600, `${where}: ${k} = ${i[k]}`);
  assert.ok(i.requester_info.creation_timestamp > 1e9, `${where}: creation_timestamp is epoch seconds`);
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
