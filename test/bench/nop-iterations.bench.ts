/**
 * The nop bench's per-iteration analysis over a long run (issue 17): the runner classifies each
 * iteration as it ends; re-analysing the whole run each time grew with the run (30 → 184 ms per
 * iteration over 600 iterations). Here one run on the embedded cluster, and at every iteration the
 * incremental analysis the runner uses (fed the same events and evidence), timed; the full
 * re-analysis it replaced is timed beside it at iteration 10 and at the last. Figures only.
 */
import { startCluster } from "../../sdk/cluster/start.js";
import { createObject } from "../../sdk/kube/api-calls.js";
import { runNopIterations } from "../../sdk/bench/nop-runner.js";
import { analyzeRun } from "../../sdk/actuation/analyze.js";
import { IncrementalRunAnalysis } from "../../sdk/actuation/incremental-analysis.js";
import type { KubeObject, WatchEvent } from "../../sdk/kube/types.js";
import { figure, figureGoal, median } from "./measure.js";

const ITERATIONS = Number(process.env.ACTLAB_BENCH_NOP_ITERATIONS ?? 200);
const REPLICAS = 2;
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => { gc?.(); return process.memoryUsage().heapUsed / 2 ** 20; };

console.log(`nop bench per-iteration analysis (embedded cluster, time scale 5000, 1 node × 4 GPUs, ${ITERATIONS} iterations × ${REPLICAS} requesters; heap after GC${gc ? "" : " unavailable: run with --expose-gc"})`);
const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 4, timeScale: 5000 });
try {
  await createObject(c.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", c.model.requesterDeployment("req") as unknown as KubeObject);
  const events: WatchEvent[] = [];
  const evidence: { source: string; text: string }[] = [];
  const iterations: Record<string, number> = {};
  const metricDeltas = {};
  const rec = { events, evidence, iterations, metricDeltas };
  const inc = new IncrementalRunAnalysis(rec);
  const incMs: number[] = [];
  const at: Record<number, { inc: number; full: number; heap: number; events: number }> = {};
  const t0 = performance.now();
  await runNopIterations({
    kubeConfig: c.kubeConfig, namespace: "default", deployment: "req", iterations: ITERATIONS, replicas: REPLICAS, timeoutMs: 120_000,
    onEvent: (e) => { events.push(e); inc.addEvent(e); },
    onEvidence: (ch) => { evidence.push(ch); inc.addEvidence(ch); },
    onIteration: (it, _acts, r) => {
      Object.assign(iterations, r.iterations);
      Object.assign(metricDeltas, r.metricDeltas);
      let s = performance.now();
      inc.actuationsOf(it);
      const ms = performance.now() - s;
      incMs.push(ms);
      if (it === 10 || it === ITERATIONS) {
        // The full re-analysis the runner did before, on the same record.
        s = performance.now();
        analyzeRun({ events: r.events, evidence: r.evidence, iterations: r.iterations, metricDeltas: r.metricDeltas }).actuations.filter((a) => a.iteration === it);
        at[it] = { inc: median(incMs.slice(-9)), full: performance.now() - s, heap: heapMb(), events: r.events.length };
      }
    },
  });
  const wall = performance.now() - t0;
  const first = at[10];
  const last = at[ITERATIONS];
  if (!first || !last) throw new Error(`the run stopped before iteration ${ITERATIONS}`);
  figure("run wall time", wall / 1000, "s", 1);
  figure("watch events recorded by iteration 10", first.events, "", 0);
  figure(`  … by iteration ${ITERATIONS}`, last.events, "", 0);
  figure("incremental analysis, iteration 10 (median of 9)", first.inc, "ms", 2);
  figure(`incremental analysis, iteration ${ITERATIONS} (median of 9)`, last.inc, "ms", 2);
  figureGoal(`  ratio iteration ${ITERATIONS} / 10`, last.inc / first.inc, "×", "flat (≈ 1)", 2);
  figure("full re-analysis (before) at iteration 10", first.full, "ms", 2);
  figure(`full re-analysis (before) at iteration ${ITERATIONS}`, last.full, "ms", 2);
  figure(`  ratio iteration ${ITERATIONS} / 10`, last.full / first.full, "×", 2);
  figure("heap used after GC at iteration 10", first.heap, "MB", 1);
  figureGoal(`heap used after GC at iteration ${ITERATIONS}`, last.heap, "MB", "flat but for the record (events, evidence) it holds", 1);
} finally {
  await c.stop();
}
