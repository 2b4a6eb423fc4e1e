// The nop bench classifies each iteration incrementally (issue 17): its per-iteration actuations must equal what a full analyzeRun of the same record gives at that moment, field for field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startCluster } from "../sdk/cluster/start.js";
import { createObject, deleteObject } from "../sdk/kube/api-calls.js";
import { runNopIterations } from "../sdk/bench/nop-runner.js";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import { IncrementalRunAnalysis } from "../sdk/actuation/incremental-analysis.js";
import type { Actuation } from "../sdk/actuation/classify.js";
import { readRunDir } from "../sdk/bench/run-files.js";
import { EVENTS, PODS, type KubeObject } from "../sdk/kube/types.js";

const ITERATIONS = 6;

const hog = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox", resources: { limits: { "nvidia.com/gpu": "1" } } }] } });

/**
 * Runs the nop bench on the embedded cluster (1 node × 2 GPUs, one requester: cold_launcher, then
 * hot; a GPU hog created before iteration 3 and deleted before 5 moves it between the GPUs, so those
 * two turn warm with a reclaim); at every
 * iteration, the incremental actuations against a full analyzeRun of the record so far.
 */
async function compareLive(watchEvents: boolean): Promise<Actuation[]> {
  const c = await startCluster({ seed: 5, timeScale: 5000, nodes: 1, gpusPerNode: 2 });
  try {
    await createObject(c.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", c.model.requesterDeployment("req") as unknown as KubeObject);
    const seen: Actuation[] = [];
    let compared = 0;
    await runNopIterations({
      kubeConfig: c.kubeConfig, namespace: "default", deployment: "req", iterations: ITERATIONS, replicas: 1, timeoutMs: 60_000,
      beforeIteration: async (it) => {
        if (it === 3) await createObject(c.kubeConfig, "/api/v1/namespaces/default/pods", hog("hog"));
        if (it === 5) await deleteObject(c.kubeConfig, "/api/v1/namespaces/default/pods/hog");
      },
      watch: watchEvents ? { resources: [PODS, EVENTS] } : undefined,
      onIteration: (it, acts, rec) => {
        const full = analyzeRun({ events: rec.events, evidence: rec.evidence, iterations: rec.iterations, metricDeltas: rec.metricDeltas }).actuations.filter((a) => a.iteration === it);
        assert.ok(full.length > 0, `iteration ${it}: no actuations`);
        assert.deepEqual(acts, full, `iteration ${it}`);
        if (watchEvents) assert.ok(rec.events.some((e) => e.resource === "events"), "the watch carried Kubernetes Events");
        seen.push(...acts);
        compared++;
      },
    });
    assert.equal(compared, ITERATIONS);
    return seen;
  } finally {
    await c.stop();
  }
}

test("per-iteration actuations from the incremental analysis equal a full analyzeRun of the record, live on the embedded cluster (cold_launcher, warm and hot)", { timeout: 120_000 }, async () => {
  const acts = await compareLive(false);
  const paths = new Set(acts.map((a) => a.path));
  assert.ok(paths.has("hot") && paths.has("warm") && paths.has("cold_launcher"), `paths seen: ${[...paths].join(", ")}`);
  assert.ok(acts.every((a) => a.classified_by === "dpc"), "the DPC log decided every actuation (the incremental reader was fed)");
  assert.ok(acts.some((a) => (a.instances_deleted ?? 0) > 0), "a reclaim was counted");
});

test("with Kubernetes Events in the watch the per-iteration actuations still equal the full analysis", { timeout: 120_000 }, async () => {
  await compareLive(true);
});

test("on the recorded runs, every iteration's incremental actuations equal the full analysis's", () => {
  for (const name of ["cold-launcher-8b-h100", "hot-8b-h100", "nop-8b-h100", "warm-8b-h100"]) {
    const run = readRunDir(`datasets/event-logs/${name}`);
    const inputs = { events: run.events, evidence: run.evidence ?? [], iterations: run.iterations ?? {}, metricDeltas: run.metricDeltas ?? {} };
    const inc = new IncrementalRunAnalysis(inputs);
    for (const e of inputs.events) inc.addEvent(e);
    for (const c of inputs.evidence) inc.addEvidence(c);
    const full = analyzeRun(inputs).actuations;
    const its = [...new Set(full.map((a) => a.iteration))];
    assert.ok(its.length > 0, name);
    const got = its.flatMap((it) => inc.actuationsOf(it));
    assert.deepEqual(got, full, name);
  }
});
