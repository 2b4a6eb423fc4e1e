// The SDK's CLI against the test bed, through the code paths a user runs against a production
// cluster (issue 12 item 4): `actlab watch --kubeconfig` records a requester's life from the real
// API server, `actlab classify` classifies the recording offline, and `actlab bench --kubeconfig`
// runs the nop iteration. No FMA controller runs here (the Go module proxy refuses FMA's module), so
// the requester is never bound: every tool must say so (path unknown, with the reason), not guess.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestbed, type Testbed } from "../sdk/testbed/start.js";
import { testbedInstalled } from "../sdk/testbed/versions.js";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";
import { untilDefaultServiceAccount } from "./helpers/jobs-study.js";
import { untilTrue } from "./helpers/testbed-pods.js";
import { standInDpc } from "./helpers/stand-in-dpc.js";
import { checkInfo, checkItem6, podFacts } from "./helpers/llmd-fields.js";
import { readRunDir } from "../sdk/bench/run-files.js";
import type { NopResult } from "../sdk/actuation/nop-result.js";
import { parse as parseYaml } from "yaml";
import { getProfile } from "../sdk/actuation/profiles.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed; run: actlab testbed install";
let tb: Testbed;
let dir: string;

/** The requester template (llm-d-benchmark's variables), FMA requester image, launcher mode. */
const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: \${REPLICASET_NAME}
spec:
  replicas: 0
  selector: {matchLabels: {app: "\${REPLICASET_NAME}"}}
  template:
    metadata:
      labels: {app: "\${REPLICASET_NAME}"}
      annotations: {dual-pods.llm-d.ai/inference-server-config: isc-a, dual-pods.llm-d.ai/admin-port: "8081"}
    spec:
      containers:
      - name: inference-server
        image: ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/requester:v0.6.4
        ports: [{containerPort: 8080}, {containerPort: 8081}]
        resources: {limits: {nvidia.com/gpu: "1"}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 2}
`;

function actlab(args: string[], opts: { signalAfter?: () => Promise<void> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/actlab.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const kill = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.once("close", (code) => { clearTimeout(kill); resolve({ code, stdout, stderr }); });
    void opts.signalAfter?.().then(() => child.kill("SIGINT"));
  });
}

const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });

before(async () => {
  if (!installed) return;
  dir = mkdtempSync(join(tmpdir(), "actlab-testbed-cli-"));
  writeFileSync(join(dir, "requester.yaml"), TEMPLATE);
  tb = await startTestbed({ nodes: 1, gpusPerNode: 4, timeScale: 50, seed: 21 });
  await untilDefaultServiceAccount(tb.kubeconfig);
});

after(async () => {
  if (!installed) return;
  await tb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("actlab watch --kubeconfig records a requester's life; actlab classify says it was never bound", { skip: !installed && SKIP }, async () => {
  const log = join(dir, "watch.jsonl");
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "req-w", annotations: { "dual-pods.llm-d.ai/inference-server-config": "isc-a" } },
    // Held Pending by a scheduling gate until the watch has listed it: the life starts inside the recording
    // however slowly the watch starts (a busy machine once let the pod reach Running before the first list).
    spec: { schedulingGates: [{ name: "actlab.test/hold" }], containers: [{ name: "inference-server", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/requester:v0.6.4", ports: [{ containerPort: 8080 }, { containerPort: 8081 }], resources: { limits: { "nvidia.com/gpu": "1" } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 2 } }] } };
  const w = await actlab(["watch", "--kubeconfig", tb.kubeconfigPath, "--namespace", "default", "--out", log, "--duration", "120"], {
    signalAfter: async () => {
      assert.equal((await kubeRequest(tb.kubeconfig, "POST", "/api/v1/namespaces/default/pods", {}, json(pod))).status, 201);
      await untilTrue("req-w listed by the watch", () => { try { return readFileSync(log, "utf8").includes('"name":"req-w"'); } catch { return false; } }, 60_000);
      const ungate = { contentType: "application/json-patch+json", text: JSON.stringify([{ op: "remove", path: "/spec/schedulingGates" }]) };
      assert.equal((await kubeRequest(tb.kubeconfig, "PATCH", "/api/v1/namespaces/default/pods/req-w", {}, ungate)).status, 200);
      await untilTrue("req-w Running", async () => JSON.parse((await kubeRequest(tb.kubeconfig, "GET", "/api/v1/namespaces/default/pods/req-w")).body).status?.phase === "Running", 60_000);
      assert.equal((await kubeRequest(tb.kubeconfig, "DELETE", "/api/v1/namespaces/default/pods/req-w")).status, 200);
      await untilTrue("the DELETED event recorded", () => readFileSync(log, "utf8").includes('"type":"DELETED"'), 60_000);
    },
  });
  assert.equal(w.code, 0, w.stderr);
  // One line per event, as against any cluster: the pod from Pending to Running, then gone.
  assert.match(w.stdout, /ADDED\s+(list|watch)\s+pods\/req-w rv=\d+ Pending/);
  assert.match(w.stdout, /MODIFIED\s+watch\s+pods\/req-w rv=\d+ Running ready=False/);
  assert.match(w.stdout, /DELETED\s+watch\s+pods\/req-w/);
  const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].format, "actlab-event-log");
  assert.equal(lines[0].source.server, tb.server);
  const mine = lines.slice(1).filter((e) => e.object?.metadata?.name === "req-w");
  assert.deepEqual([mine[0].type, mine.at(-1).type], ["ADDED", "DELETED"]);
  // The server's own resourceVersions, strictly increasing through the pod's life.
  const rvs = mine.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(rvs.every((v, i) => i === 0 || v > rvs[i - 1]!), rvs.join(" "));

  const out = join(dir, "classified");
  const c = await actlab(["classify", "--events", log, "--out", out]);
  assert.equal(c.code, 0, c.stderr);
  const acts = JSON.parse(readFileSync(join(out, "actuations.json"), "utf8"));
  assert.equal(acts.length, 1);
  assert.equal(acts[0].requester, "req-w");
  assert.equal(acts[0].path, "unknown");
  assert.match(acts[0].reason, /never bound/);
});

test("actlab bench --kubeconfig runs the nop iteration on the test bed; with no controller it times out and reports the unbound requester as unknown", { skip: !installed && SKIP }, async () => {
  const out = join(dir, "bench");
  const b = await actlab(["bench", "--kubeconfig", tb.kubeconfigPath, "--namespace", "default", "--yaml", join(dir, "requester.yaml"), "--iterations", "1", "--timeout", "15", "--out", out]);
  // No controller binds it: the iteration times out (exit 1, one line naming what it waited for) and
  // the partial results say why.
  assert.equal(b.code, 1, b.stderr);
  assert.match(b.stderr, /^actlab bench: deployments\/default\/fma-requester: 1 new requester\(s\) Ready with the dual label within 15 s$/m);
  assert.doesNotMatch(b.stderr, /\n\s+at /, "no stack trace");
  const acts = JSON.parse(readFileSync(join(out, "actuations.json"), "utf8"));
  assert.equal(acts.length, 1);
  assert.equal(acts[0].path, "unknown");
  assert.equal(acts[0].outcome, "not_ready");
  assert.match(acts[0].reason, /no dual label, no DPC record/);
  // The run folder re-classifies offline to the same answer.
  const again = join(dir, "bench-again");
  const c = await actlab(["classify", out, "--out", again]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(again, "actuations.json"), "utf8")), acts);
  // The events came from the real API server: the scheduler's binding is in them.
  const events = readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n").slice(1).map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.object?.spec?.nodeName === tb.agent.nodes[0]), "a requester bound to the simulated node");
});

test("actlab bench --kubeconfig with a stand-in DPC: cold_launcher then hot, classified from Kubernetes objects and the launcher's vLLM log", { skip: !installed && SKIP }, async () => {
  // What the previous test left scaled up (its requester was never bound) goes first.
  await kubeRequest(tb.kubeconfig, "DELETE", "/apis/apps/v1/namespaces/default/deployments/fma-requester", { propagationPolicy: "Foreground" });
  await untilTrue("no requester left", async () => JSON.parse((await kubeRequest(tb.kubeconfig, "GET", "/api/v1/namespaces/default/pods")).body).items.length === 0, 60_000);
  const dpc = standInDpc(tb.kubeconfig, "default");
  const out = join(dir, "bench-dpc");
  try {
    const b = await actlab(["bench", "--kubeconfig", tb.kubeconfigPath, "--namespace", "default", "--deployment", "req-dpc", "--yaml", join(dir, "requester.yaml"), "--iterations", "2", "--timeout", "90", "--out", out]);
    assert.equal(b.code, 0, `${b.stderr}\n${dpc.actions.join("\n")}`);
  } finally {
    await dpc.stop();
  }
  assert.deepEqual(dpc.actions.map((a) => a.split(" ")[0]), ["cold_launcher", "slept", "hot", "slept"], dpc.actions.join("\n"));
  const acts = JSON.parse(readFileSync(join(out, "actuations.json"), "utf8"));
  assert.deepEqual(acts.map((a: any) => [a.iteration, a.path, a.classified_by, a.outcome]), [[1, "cold_launcher", "kube_created_bound", "ready"], [2, "hot", "vllm_log", "ready"]]);
  // The same GPU both times (the device plugin hands out the lowest free one), so the same instance.
  assert.equal(acts[0].instance_id, acts[1].instance_id);
  assert.ok(acts[1].vllm_wake_seconds > 0, "the wake line's duration read from the launcher's log");
  // What llm-d-benchmark reads (issue 15 item 6), from the test bed's pods, logs and API server: upstream's
  // launcher_info fields, IP endpoints, vLLM sleep/wake events agreeing with the classification, engines and
  // model.name from the launcher's vLLM log. No DPC log here, so upstream-named timings stay null.
  const nop = parseYaml(readFileSync(join(out, "result.yaml"), "utf8")) as NopResult;
  const infos = nop.extra_metrics[0]!.iterations.flatMap((it) => it.launcher_infos);
  assert.deepEqual(infos.map((i) => i.actuation_condition), ["T_cold_launcher", "T_hot"]);
  infos.forEach((i, k) => checkInfo(`testbed[${k}]`, i));
  // model.name as the test bed's hardware profile (its default, 8b-h100) writes it into the launcher's vLLM log.
  checkItem6("testbed", nop, acts, podFacts(readRunDir(out).events), getProfile("8b-h100").model.name);
  const br = parseYaml(readFileSync(join(out, "benchmark_report.yaml"), "utf8")) as { metrics: { requests: { total: number } } };
  assert.equal(br.metrics.requests.total, 2);
});
