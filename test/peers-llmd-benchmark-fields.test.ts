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
import { toBenchmarkReport, toNopResult, type LauncherInfo, type NopResult } from "../sdk/actuation/nop-result.js";
import { readRunDir } from "../sdk/bench/run-files.js";

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

const DATASETS = "datasets/event-logs";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct"; // the `model` of every recorded run's vLLM `non-default args:` line
const IP_URL = /^http:\/\/\d+\.\d+\.\d+\.\d+:(\d+)$/;

/** Last seen status.podIP and first container image of each pod in a run's events. */
function podFacts(events: ReturnType<typeof readRunDir>["events"]): Map<string, { ip?: string; image?: string }> {
  const m = new Map<string, { ip?: string; image?: string }>();
  for (const e of events) {
    const o = e.object as { metadata: { name: string }; status?: { podIP?: string }; spec?: { containers?: { image?: string }[] } };
    m.set(o.metadata.name, { ip: o.status?.podIP ?? m.get(o.metadata.name)?.ip, image: o.spec?.containers?.[0]?.image ?? m.get(o.metadata.name)?.image });
  }
  return m;
}

/** Every item-6 field of a nop result, checked against the run's own actuations and pods. */
function checkItem6(where: string, nop: NopResult, acts: readonly Actuation[], pods: Map<string, { ip?: string; image?: string }>) {
  assert.equal(nop.scenario.model?.name, MODEL, `${where}: model.name`);
  const engines = nop.scenario.platform?.engines ?? [];
  assert.ok(engines.length >= 1, `${where}: platform.engines`);
  for (const e of engines) {
    assert.equal(e.name, "vllm");
    assert.ok(e.args?.includes(`'model': '${MODEL}'`), `${where}: engine args ${e.args}`);
    assert.ok([...pods.values()].some((p) => p.image === e.image), `${where}: engine image ${e.image} is a pod's image`);
  }
  const infos = nop.extra_metrics[0]!.iterations.flatMap((it) => it.launcher_infos);
  for (const i of infos.filter((x) => x.name !== "unknown")) {
    assert.equal(IP_URL.exec(i.launcher_endpoint ?? "")?.[1], "8001", `${where}: launcher_endpoint ${i.launcher_endpoint}`);
    assert.equal(IP_URL.exec(i.vllm_endpoint ?? "")?.[1], "8000", `${where}: vllm_endpoint ${i.vllm_endpoint}`);
    assert.equal(new URL(i.launcher_endpoint!).hostname, pods.get(i.name)?.ip, `${where}: the IP is ${i.name}'s status.podIP`);
    assert.equal(i.ttft, 0);
    assert.equal(i.actlab!.ttft_measured, false, `${where}: no TTFT request was made, and ours says so`);
  }
  const byName = new Map(nop.vllm_metrics.map((v) => [v.name, v]));
  for (const a of acts) {
    const v = byName.get(a.provider!);
    assert.ok(v, `${where}: vllm_metrics has launcher ${a.provider}`);
    const ts = v.sleep_wake.map((e) => e.timestamp);
    assert.deepEqual(ts, [...ts].sort((x, y) => x - y), `${where}: sleep_wake in time order`);
    for (const e of v.sleep_wake) {
      assert.ok(e.type === "sleep" || e.type === "wake");
      assert.ok(e.time! > 0 && e.time! < 60, `${where}: ${e.type} took ${e.time} s`);
      if (e.type === "sleep") assert.ok(e.gpu_freed! > 0 && e.gpu_in_use! >= 0, `${where}: sleep carries the memory freed`);
    }
    assert.ok(v.load.time! > 0 && v.vllm_start_timestamp! >= v.pod_start!, `${where}: ${a.provider} start/load`);
    // Upstream's hot check reads these events: a wake of this launcher between the requester's creation and Ready
    // exactly when we classified the actuation hot (from the DPC log, a different piece of evidence).
    const woke = v.sleep_wake.some((e) => e.type === "wake" && e.timestamp >= a.creation_timestamp! && e.timestamp <= a.ready_timestamp! + 1);
    assert.equal(woke, a.path === "hot", `${where}: ${a.requester} (${a.path}) and the vLLM log's wake events`);
  }
}

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
