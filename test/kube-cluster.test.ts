/**
 * Acceptance over the embedded cluster, through the real client: for every path configuration the
 * classification equals the simulation's ground truth; tight timings within 1 ms; upper bounds
 * never below the truth; hit rates equal; fault injection changes nothing; record → replay gives the
 * same bytes; bad inputs are clear errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, type RunningCluster, type StartClusterOptions } from "../sdk/cluster/start.js";
import type { ActuationTruth } from "../sdk/cluster/types.js";
import { createObject, deleteObject, getObject } from "../sdk/kube/api-calls.js";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";
import { runNopIterations, type NopRunResult } from "../sdk/bench/nop-runner.js";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import type { Actuation } from "../sdk/actuation/classify.js";
import { hitRates } from "../sdk/actuation/summary.js";
import { nopOptionsFor } from "../sdk/actuation/nop-context.js";
import type { NopScenario } from "../sdk/actuation/nop-result.js";
import { readRunDir, RunWriter, writeAnalysis } from "../sdk/bench/run-files.js";
import { watchPods } from "../sdk/kube/watch.js";
import { collectEvents } from "../sdk/kube/event-log.js";
import { InputError } from "../sdk/core/errors.js";
import type { KubeObject } from "../sdk/kube/types.js";
import { tempDir } from "./helpers/temp-dir.js";

const NS = "default";
const SCALE = Number(process.env.ACTLAB_TEST_TIME_SCALE ?? 5000);

interface Scenario {
  name: string;
  cluster: StartClusterOptions;
  iterations: number;
  replicas: number;
  serverPatch?: string;
  timeScale?: number;
  beforeIteration?: (c: RunningCluster, it: number) => Promise<void>;
  faults?: StartClusterOptions["faults"];
  dir?: string;
  /** The sleeper budget can delete from the launcher the requester is bound to: instances_deleted is then only bounded. */
  budgetOnBoundLauncher?: boolean;
}

async function runScenario(s: Scenario): Promise<{ res: NopRunResult; truth: ActuationTruth[] }> {
  const c = await startCluster({ seed: 11, timeScale: s.timeScale ?? SCALE, ...s.cluster, faults: s.faults });
  try {
    await createObject(c.kubeConfig, `/apis/apps/v1/namespaces/${NS}/deployments`, c.model.requesterDeployment("req", s.serverPatch ? { serverPatch: s.serverPatch } : {}) as unknown as KubeObject);
    const writer = s.dir ? new RunWriter(s.dir, { scenario: s.name }) : null;
    const res = await runNopIterations({
      kubeConfig: c.kubeConfig, namespace: NS, deployment: "req", iterations: s.iterations, replicas: s.replicas, timeoutMs: 60_000,
      beforeIteration: s.beforeIteration ? (it) => s.beforeIteration!(c, it) : undefined,
      onEvent: writer ? (e) => writer.event(e) : undefined,
      onEvidence: writer ? (ch) => writer.evidence(ch) : undefined,
      onIteration: writer ? (_it, acts, rec) => writer.iteration(acts, rec) : undefined,
      watch: { backoff: { initialMs: 5, maxMs: 100, maxAttempts: 30 } },
    });
    writer?.close("completed");
    return { res, truth: c.model.actuations() };
  } finally {
    await c.stop();
  }
}

/** instances_deleted against the truth, over every `agree` call with the DPC log: exact / within the sound bound. */
const deletedTally = { checked: 0, exact: 0, upperBound: 0 };

/** Every actuation of the run against its truth; returns how many were checked. */
function agree(label: string, acts: readonly Actuation[], truth: readonly ActuationTruth[], epochMs: number, tight = true, budgetOnBoundLauncher = false): number {
  const byUid = new Map(truth.map((t) => [t.requester.uid, t]));
  assert.ok(acts.length > 0, `${label}: no actuations`);
  for (const a of acts) {
    const t = byUid.get(a.requester_uid);
    assert.ok(t, `${label}: ${a.requester} has no ground truth`);
    assert.equal(a.path, t.path, `${label}: ${a.requester}: classified ${a.path} (${a.classified_by}: ${a.reason}), truth ${t.path}`);
    assert.equal(a.mode, t.mode, `${label}: ${a.requester} mode`);
    const relay = t.relayStart!;
    const s = (ms: number) => ms / 1000;
    const near = (x: number | null, want: number, what: string) => assert.ok(x !== null && Math.abs(x - want) <= 0.001 + 1e-9, `${label}: ${a.requester} ${what} ${x} vs truth ${want}`);
    const atLeast = (x: number | null, want: number, what: string) => assert.ok(x !== null && x >= want - 1e-9, `${label}: ${a.requester} ${what} upper bound ${x} below truth ${want}`);
    if (t.path === "hot") {
      if (tight) near(a.t_wake, s(relay - t.wakeStart!), "t_wake");
      atLeast(a.t_wake_upper, s(relay - t.wakeStart!), "t_wake");
    } else if (t.path === "warm") {
      if (tight) near(a.t_instance_create, s(relay - t.instanceCreateStart!), "t_instance_create");
      atLeast(a.t_instance_create_upper, s(relay - t.instanceCreateStart!), "t_instance_create");
    } else if (t.path === "cold_launcher") {
      if (tight) near(a.t_cold_launcher, s(relay - t.launcherCreateStart!), "t_cold_launcher");
      atLeast(a.t_cold_launcher_upper, s(relay - t.launcherCreateStart!), "t_cold_launcher");
    }
    if (tight) {
      assert.equal(a.timing_source, t.mode === "direct" && t.path === "cold" ? "none" : "dpc", `${label}: ${a.requester} timing_source`);
      // Reclaim victims (the metric's instancesDeleted), every path. A sleeper-budget deletion on the bound
      // launcher is indistinguishable from a victim in the DPC log: then a sound upper bound, never below.
      const d = a.instances_deleted;
      const why = `${label}: ${a.requester} (${t.path}) instances_deleted ${d}, truth ${t.instancesDeleted} (+ ${t.sleepersEvicted} sleeper-budget deletions)`;
      assert.ok(d !== null && d >= t.instancesDeleted && d <= t.instancesDeleted + t.sleepersEvicted, why);
      if (t.sleepersEvicted === 0 || !budgetOnBoundLauncher) assert.equal(d, t.instancesDeleted, why);
      deletedTally.checked++;
      if (d === t.instancesDeleted) deletedTally.exact++; else deletedTally.upperBound++;
    }
    assert.ok(a.T_actuation !== null && a.T_actuation >= s(t.relayEnd! - t.containerStarted) - 1, `${label}: T_actuation`);
    void epochMs;
  }
  // Hit rates equal the truth's over the same actuations.
  const mine = hitRates(acts);
  const truthActs = acts.map((a) => ({ ...a, path: byUid.get(a.requester_uid)!.path }));
  assert.deepEqual(mine, hitRates(truthActs), `${label}: hit rates`);
  return acts.length;
}

/**
 * Kubernetes objects only (no DPC log, no vLLM lines, no metric): whatever gets a class agrees with the
 * truth, and every launcher the watch saw created bound to its requester gives cold_launcher.
 */
function agreeKubeOnly(label: string, acts: readonly Actuation[], truth: readonly ActuationTruth[]): void {
  const byUid = new Map(truth.map((t) => [t.requester.uid, t]));
  for (const a of acts) {
    const t = byUid.get(a.requester_uid)!;
    if (a.path !== "unknown") assert.equal(a.path, t.path, `${label}: ${a.requester}: classified ${a.path} (${a.classified_by}: ${a.reason}), truth ${t.path}`);
    if (t.path === "cold_launcher") assert.equal(a.path, "cold_launcher", `${label}: ${a.requester}: ${a.reason}`);
  }
}

/** One InferenceServerConfig per port given, like the default one but each with its own --model (so its own instance id). */
async function variantIscs(c: RunningCluster, ports: readonly number[]): Promise<string[]> {
  const collection = `/apis/fma.llm-d.ai/v1alpha1/namespaces/${NS}/inferenceserverconfigs`;
  const base = await getObject(c.kubeConfig, `${collection}/default`);
  const names: string[] = [];
  for (const [i, port] of ports.entries()) {
    const spec = structuredClone(base!.spec) as { modelServerConfig: { options: string; port: number } };
    spec.modelServerConfig.options = spec.modelServerConfig.options.replace(/--model \S+/, `--model variant-${i}`);
    spec.modelServerConfig.port = port;
    await createObject(c.kubeConfig, collection, { apiVersion: "fma.llm-d.ai/v1alpha1", kind: "InferenceServerConfig", metadata: { name: `variant-${i}`, namespace: NS }, spec });
    names.push(`variant-${i}`);
  }
  return names;
}

/** Points the requester Deployment's pod template at another ISC (a new ReplicaSet on the next scale-up). */
async function useIsc(c: RunningCluster, isc: string): Promise<void> {
  const patch = { spec: { template: { metadata: { annotations: { "dual-pods.llm-d.ai/inference-server-config": isc } } } } };
  const r = await kubeRequest(c.kubeConfig, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/req`, {}, { contentType: "application/merge-patch+json", text: JSON.stringify(patch) });
  assert.equal(r.status, 200, r.body);
}

/** A new model (ISC) per iteration, round robin, on one GPU: the sleeper budget deletes as well as reclaim. */
const variants = (ports: readonly number[]) => {
  let iscs: string[] = [];
  return async (c: RunningCluster, it: number) => {
    if (it === 1) iscs = await variantIscs(c, ports);
    await useIsc(c, iscs[(it - 1) % iscs.length]!);
  };
};

const hog = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox", resources: { limits: { "nvidia.com/gpu": "1" } } }] } });
const waitFor = async (cond: () => boolean, ms = 20_000) => { const end = performance.now() + ms; while (!cond()) { if (performance.now() > end) throw new Error("waitFor timed out"); await new Promise((r) => setTimeout(r, 2)); } };

const SCENARIOS: Scenario[] = [
  // cold_launcher ×8, then hot ×8 per iteration (2 nodes × 4 GPUs).
  { name: "hot", cluster: { nodes: 2, gpusPerNode: 8 }, iterations: Number(process.env.ACTLAB_TEST_HOT_ITERATIONS ?? 45), replicas: 16 },
  // Populator launchers without instances: warm ×8 (no reclaim), then hot.
  { name: "warm", cluster: { nodes: 2, gpusPerNode: 8, launchersPerNode: 8 }, iterations: 3, replicas: 16 },
  // A GPU hog on every other iteration moves the requester to other GPUs: hot turns into warm with reclaim.
  { name: "reclaim", cluster: { nodes: 1, gpusPerNode: 2 }, iterations: 30, replicas: 1,
    beforeIteration: async (c, it) => {
      if (it % 2 === 0) await createObject(c.kubeConfig, `/api/v1/namespaces/${NS}/pods`, hog(`hog-${it}`));
      else if (it > 1) await deleteObject(c.kubeConfig, `/api/v1/namespaces/${NS}/pods/hog-${it - 1}`);
    } },
  // Three populator launchers, four models on one port, one GPU: a new model goes to an empty launcher
  // (warm, no reclaim) while the sleeper budget deletes the oldest sleeper on another launcher (a sleeper
  // on the bound launcher would hold the port, so it is always a reclaim victim: the count is exact).
  { name: "budget", cluster: { nodes: 1, gpusPerNode: 1, launchersPerNode: 3 }, iterations: 12, replicas: 1, beforeIteration: variants([8000, 8000, 8000, 8000]) },
  // One launcher, three models on three ports: the budget deletes a sleeper on the bound launcher itself,
  // which the DPC log cannot tell from a reclaim victim (instances_deleted is then an upper bound).
  { name: "budget-same-launcher", cluster: { nodes: 1, gpusPerNode: 1, launchersPerNode: 1 }, iterations: 6, replicas: 1, beforeIteration: variants([8000, 8001, 8002]), budgetOnBoundLauncher: true },
  // Direct providers (M2): cold ×8, then hot.
  { name: "direct", cluster: { nodes: 2, gpusPerNode: 8 }, iterations: 15, replicas: 16, serverPatch: "spec:\n  containers:\n  - name: inference-server\n    image: vllm/vllm-openai\n" },
  // 1-second ties: a populator launcher created in the same second as the requester (launchers deleted between iterations).
  { name: "ties", cluster: { nodes: 1, gpusPerNode: 2 }, iterations: 8, replicas: 1, timeScale: 100,
    beforeIteration: async (c) => {
      for (const p of c.model.store.list("pods", NS) as KubeObject[]) if (p.metadata!.name!.startsWith("launcher-")) await deleteObject(c.kubeConfig, `/api/v1/namespaces/${NS}/pods/${p.metadata!.name}`);
      await waitFor(() => !(c.model.store.list("pods", NS) as KubeObject[]).some((p) => p.metadata!.name!.startsWith("launcher-")));
      // The served clock moves on requests and due events: poll it with cheap requests until 50–300 ms into a second.
      const { kubeGet } = await import("../sdk/kube/kubeconfig.js");
      for (let k = 0; k < 10_000 && !(c.model.now % 1000 >= 50 && c.model.now % 1000 <= 300); k++) await kubeGet(c.kubeConfig, "/api");
      c.model.populateLauncher("node-0", c.model.now + 350);
    } },
];

test("against the embedded cluster over the real client: every path configuration and 1-s ties agree with ground truth", { timeout: 600_000 }, async () => {
  let total = 0;
  const paths = new Map<string, number>();
  let ties = 0;
  const only = process.env.ACTLAB_TEST_SCENARIOS?.split(",");
  for (const s of SCENARIOS.filter((x) => !only || only.includes(x.name))) {
    const t0 = performance.now();
    const { res, truth } = await runScenario(s);
    total += agree(s.name, res.actuations, truth, 0, true, s.budgetOnBoundLauncher);
    // Without the DPC log (Kubernetes objects, watch order and vLLM lines only) the classes still agree.
    const noDpc = analyzeRun({ ...res.record, use: { dpc: false } });
    agree(`${s.name} (no DPC log)`, noDpc.actuations, truth, 0, false);
    // One requester per iteration: fma_actuation_seconds deltas alone (no logs) decide every class.
    if (s.replicas === 1) agree(`${s.name} (metric only)`, analyzeRun({ ...res.record, use: { dpc: false, vllm: false } }).actuations, truth, 0, false);
    agreeKubeOnly(`${s.name} (Kubernetes objects only)`, analyzeRun({ ...res.record, use: { dpc: false, vllm: false, metric: false } }).actuations, truth);
    for (const a of res.actuations) paths.set(`${a.mode}/${a.path}${a.instances_deleted ? "+reclaim" : ""}`, (paths.get(`${a.mode}/${a.path}${a.instances_deleted ? "+reclaim" : ""}`) ?? 0) + 1);
    console.log(`${s.name}: ${res.actuations.length} actuations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const t = noDpc.actuations.filter((a) => a.tie);
    ties += t.length;
    if (s.name === "ties") {
      assert.ok(t.length >= 2, `expected ties in the tie scenario, got ${t.length}`);
      for (const a of t) assert.equal(a.path, "warm");
    }
  }
  console.log(`checked ${total} actuations: ${[...paths].map(([k, v]) => `${k} ${v}`).join(", ")}; ties ${ties}`);
  console.log(`instances_deleted: ${deletedTally.exact}/${deletedTally.checked} equal to the truth, ${deletedTally.upperBound} an upper bound (sleeper-budget deletion on the bound launcher)`);
  if (!only) for (const p of ["launcher/cold_launcher", "launcher/hot", "launcher/warm", "launcher/warm+reclaim", "direct/cold", "direct/hot"]) assert.ok((paths.get(p) ?? 0) > 0, `path configuration ${p} exercised`);
  assert.ok(total >= Number(process.env.ACTLAB_TEST_MIN_ACTUATIONS ?? 1000), `≥ 1,000 actuations checked, got ${total}`);
});

test("fault injection (dropped streams, 410s, delays, 5xx/429) changes nothing: same actuations, none lost, none twice", { timeout: 300_000 }, async () => {
  const base: Scenario = { name: "faults", cluster: { nodes: 2, gpusPerNode: 4 }, iterations: 6, replicas: 8 };
  const clean = await runScenario(base);
  const faulty = await runScenario({ ...base, faults: { watchCloseAfterEvents: 7, goneOnResumeProbability: 0.3, delayMs: [0, 3], errorRate: 0.05, throttleRate: 0.02, seed: 5 } });
  const key = (a: Actuation) => `${a.iteration} ${a.requester} ${a.mode} ${a.path} ${a.instances_deleted} ${a.t_wake} ${a.t_instance_create} ${a.t_cold_launcher}`;
  assert.equal(new Set(faulty.res.actuations.map((a) => a.requester_uid)).size, faulty.res.actuations.length, "no actuation counted twice");
  assert.equal(faulty.res.actuations.length, faulty.truth.length, "none lost");
  agree("faulty", faulty.res.actuations, faulty.truth, 0);
  agree("clean", clean.res.actuations, clean.truth, 0);
  assert.deepEqual(faulty.res.actuations.map((a) => `${a.iteration} ${a.requester} ${a.mode} ${a.path} ${a.instances_deleted}`), clean.res.actuations.map((a) => `${a.iteration} ${a.requester} ${a.mode} ${a.path} ${a.instances_deleted}`));
  void key;
  // The faults really happened: the watch was resumed and relisted.
  const st = faulty.res.watchStats;
  assert.ok(st.resumes > 0 && st.relists > 0 && st.retries > 0, `faults seen by the watch: ${JSON.stringify(st)}`);
  assert.equal(clean.res.watchStats.relists, 0);
});

test("a recorded run replays to byte-identical classification output (library and actlab classify)", { timeout: 300_000 }, async () => {
  const dir = tempDir("actlab-run-");
  const { res } = await runScenario({ name: "replay", cluster: { nodes: 1, gpusPerNode: 4 }, iterations: 3, replicas: 2, dir });
  // The recorded run also gives what result.yaml carries beyond classification (vllm_metrics, pod IPs,
  // engines, model), as actlab classify reads it: the same options for every writer compared here.
  const recorded = readRunDir(dir);
  const nopOptions = nopOptionsFor(recorded, recorded.options.nopScenario as NopScenario | undefined);
  const live = join(dir, "live");
  writeAnalysis(live, res.actuations, nopOptions);
  const replayed = analyzeRun(recorded);
  const again = join(dir, "replayed");
  writeAnalysis(again, replayed.actuations, nopOptions);
  for (const f of ["result.yaml", "benchmark_report.yaml", "actuations.json", "actuations.csv", "summary.json"]) {
    assert.equal(readFileSync(join(again, f), "utf8"), readFileSync(join(live, f), "utf8"), `${f} differs after replay`);
  }
  const { run } = await import("../sdk/cli/main.js");
  const cli = join(dir, "cli");
  const out = await captureStdout(() => run(["classify", dir, "--out", cli]));
  assert.equal(out.code, 0);
  assert.equal(readFileSync(join(cli, "result.yaml"), "utf8"), readFileSync(join(live, "result.yaml"), "utf8"));
  // A corrupted line in the recorded log: exit 1 and an error naming the file and line.
  const ev = join(dir, "events.jsonl");
  const lines = readFileSync(ev, "utf8").split("\n");
  lines[3] = lines[3]!.slice(0, 20);
  writeFileSync(ev, lines.join("\n"));
  const bad = await captureStdout(() => run(["classify", dir, "--out", join(dir, "bad")]));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`${ev.replace(/[/\\]/g, "[/\\\\]")}:4`));
});

async function captureStdout(fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  let stdout = "", stderr = "";
  process.stdout.write = ((s: string | Uint8Array) => { stdout += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { stderr += String(s); return true; }) as typeof process.stderr.write;
  try { return { code: await fn(), stdout, stderr }; } finally { process.stdout.write = ow; process.stderr.write = ew; }
}

test("bad inputs against the served cluster: unknown namespace, kubeconfig without a cluster, unreachable server; nothing recorded is lost", { timeout: 120_000 }, async () => {
  const c = await startCluster({ seed: 3, timeScale: 100, nodes: 1, gpusPerNode: 1 });
  const dir = tempDir("actlab-bad-");
  try {
    await assert.rejects(collectEvents(watchPods({ kubeConfig: c.kubeConfig, namespace: "no-such-ns" })), (err: Error) => err instanceof InputError && err.message.includes(c.url) && /no-such-ns/.test(err.message));
    const broken = join(dir, "kubeconfig");
    writeFileSync(broken, readFileSync(c.kubeconfigPath, "utf8").replace(/clusters:[\s\S]*?(?=contexts:)/, "clusters: []\n"));
    const { loadKubeConfig } = await import("../sdk/kube/kubeconfig.js");
    await assert.rejects(loadKubeConfig(broken), (err: Error) => err instanceof InputError && err.message.startsWith(broken) && /cluster/.test(err.message));
    // Record a watch, then the server goes away: the error names the server, the log keeps every event.
    const log = join(dir, "events.jsonl");
    const { recordEvents, parseEventLog } = await import("../sdk/kube/event-log.js");
    const seen: unknown[] = [];
    const stream = recordEvents(watchPods({ kubeConfig: c.kubeConfig, namespace: NS, backoff: { initialMs: 5, maxMs: 20, maxAttempts: 3 } }), log);
    await assert.rejects((async () => {
      for await (const e of stream) { seen.push(e); if (seen.length === 2) void c.stop(); }
    })(), (err: Error) => err instanceof InputError && err.message.includes(c.url) && /reachable/.test(err.message));
    const parsed = parseEventLog(readFileSync(log, "utf8"), log);
    assert.equal(parsed.events.length, seen.length);
    assert.ok(parsed.events.length >= 2);
    assert.equal(parsed.end?.end, "error");
  } finally {
    await c.stop();
  }
});

test("watchPods watches several kinds at once (pods and the FMA custom resources) and follows bookmarks", { timeout: 60_000 }, async () => {
  const { PODS, FMA_RESOURCES, EVENTS } = await import("../sdk/kube/types.js");
  const c = await startCluster({ seed: 4, timeScale: 1000, nodes: 1, gpusPerNode: 2, launchersPerNode: 1 });
  try {
    const ac = new AbortController();
    const stream = watchPods({ kubeConfig: c.kubeConfig, namespace: NS, resources: [PODS, ...FMA_RESOURCES, EVENTS], signal: ac.signal, emitBookmarks: true });
    const kinds = new Map<string, Set<string>>();
    const timer = setTimeout(() => ac.abort(), 30_000);
    for await (const e of stream) {
      const set = kinds.get(e.resource) ?? new Set<string>();
      set.add(e.type === "BOOKMARK" ? "BOOKMARK" : e.object.metadata?.name ?? "?");
      kinds.set(e.resource, set);
      if (kinds.get("pods")?.has("BOOKMARK") && kinds.has("inferenceserverconfigs") && kinds.has("launcherconfigs") && (kinds.get("events")?.size ?? 0) > 0) break;
    }
    clearTimeout(timer);
    assert.ok(!ac.signal.aborted, `expected pods, FMA objects, Events and a bookmark; got ${JSON.stringify([...kinds].map(([k, v]) => [k, [...v].slice(0, 3)]))}`);
    assert.ok(kinds.get("inferenceserverconfigs")!.has("default"));
    assert.ok(kinds.get("launcherconfigs")!.has("default"));
    assert.ok([...kinds.get("pods")!].some((n) => n.startsWith("launcher-default-")));
    assert.ok(stream.stats.bookmarks > 0);
  } finally {
    await c.stop();
  }
});
