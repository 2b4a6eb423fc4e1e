// examples/classify-event-log.ts — classify a recorded run offline and compare what each kind of evidence decides.
// Run with: npx tsx examples/classify-event-log.ts [RUN_DIR]    (default: datasets/event-logs/nop-8b-h100)
import { analyzeRun, toArquero } from "actuation-lab";
import { summarizeActuations } from "actuation-lab/actuation";
import { kubeBurnerPodLatency, podLifecycles } from "actuation-lab/kube";
import { readRunDir } from "actuation-lab/bench";

const dir = process.argv[2] ?? "datasets/event-logs/nop-8b-h100";
const run = readRunDir(dir);
console.log(`${dir}: ${run.events.length} watch events, ${run.evidence?.length ?? 0} evidence chunks\n`);

// The same events with less and less evidence: DPC log → vLLM lines + watch order → metric deltas only.
for (const [label, use] of [["DPC log + vLLM + Kubernetes", {}], ["no DPC log", { dpc: false }], ["fma_actuation_seconds only", { dpc: false, vllm: false }]] as const) {
  const { actuations } = analyzeRun({ ...run, use });
  const s = summarizeActuations(actuations);
  console.log(`${label.padEnd(28)} hot ${s.hot}, warm ${s.warm}, cold_launcher ${s.cold_launcher}, unknown ${s.unknown}; timing sources ${JSON.stringify(s.timing_sources)}`);
}

const { actuations } = analyzeRun(run);
console.log("");
toArquero(actuations.map((a) => ({ iteration: a.iteration, requester: a.requester.slice(-5), path: a.path, by: a.classified_by, t_wake: a.t_wake, t_wake_upper: a.t_wake_upper, t_cold_launcher: a.t_cold_launcher, T_actuation: a.T_actuation }))).print();
const s = summarizeActuations(actuations);
// A rate over no classified actuation is null (undefined), printed as n/a.
const rate = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
console.log(`hot_hit_rate ${rate(s.hot_hit_rate)}, warm_hit_rate ${rate(s.warm_hit_rate)}, cold_launcher_hit_rate ${rate(s.cold_launcher_hit_rate)} (over ${s.classified} classified actuations)`);

// Kubernetes start-up latencies of the requester pods, kube-burner style.
const requesters = podLifecycles(run.events).filter((p) => p.annotations["dual-pods.llm-d.ai/inference-server-config"] !== undefined);
for (const q of kubeBurnerPodLatency(requesters).quantiles) console.log(`kube-burner ${q.quantileName.padEnd(26)} P50 ${q.P50} ms  P99 ${q.P99} ms  (n=${q.count})`);
