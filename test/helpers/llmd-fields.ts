// What llm-d-benchmark's analysis and schema need of a nop result (issue 15 item 6), as checks shared by the
// tests of the embedded cluster's, the recorded runs' and the test bed's `actlab bench` outputs.
import assert from "node:assert/strict";
import type { Actuation } from "../../sdk/actuation/classify.js";
import type { LauncherInfo, NopResult } from "../../sdk/actuation/nop-result.js";
import type { readRunDir } from "../../sdk/bench/run-files.js";

export const UPSTREAM_CONDITIONS = new Set(["T_hot", "T_warm", "T_cold_launcher"]);
export const UPSTREAM_TIMING = new Set(["dpc", "kube_container_start", "kube_pod_create"]);
export const INFO_FIELDS = ["namespace", "pod_name", "container_name", "name", "requester_info", "vllm_instance_id", "launcher_endpoint", "vllm_endpoint", "ttft", "actuation_condition", "launcher_creation_timestamp", "launcher_node", "t_wake", "t_instance_create", "t_cold_launcher", "timing_source", "dpc_timing_available"];

/** The `model` of every recorded run's vLLM `non-default args:` line. */
export const RECORDED_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

export function checkInfo(where: string, i: LauncherInfo) {
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

export const IP_URL = /^http:\/\/\d+\.\d+\.\d+\.\d+:(\d+)$/;

/** Last seen status.podIP and first container image of each pod in a run's events. */
export function podFacts(events: ReturnType<typeof readRunDir>["events"]): Map<string, { ip?: string; image?: string }> {
  const m = new Map<string, { ip?: string; image?: string }>();
  for (const e of events) {
    const o = e.object as { metadata: { name: string }; status?: { podIP?: string }; spec?: { containers?: { image?: string }[] } };
    m.set(o.metadata.name, { ip: o.status?.podIP ?? m.get(o.metadata.name)?.ip, image: o.spec?.containers?.[0]?.image ?? m.get(o.metadata.name)?.image });
  }
  return m;
}

/** Every item-6 field of a nop result, checked against the run's own actuations and pods. */
export function checkItem6(where: string, nop: NopResult, acts: readonly Actuation[], pods: Map<string, { ip?: string; image?: string }>, MODEL = RECORDED_MODEL) {
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
