/**
 * Replay benchmark: the full Mooncake conversation trace (12,031 requests, ~1 h) on 8 aggregated
 * workers with prefix caching (Dynamo defaults). Prints wall time, simulated/wall ratio, requests/s
 * and peak RSS (target ≥ 2,000× real time on one core, ≤ 500 MB). Figures only; nothing asserted.
 */
import { sharedDataset } from "../../sdk/core/paths.js";
import { loadMooncake, traceStats } from "../../sdk/trace/index.js";
import { replayTrace, type ReplayController, type ReplayOptions } from "../../sdk/replay/index.js";
import { figure, figureGoal, peakRssMb, timeIt } from "./measure.js";

const path = sharedDataset("mooncake/conversation_trace.jsonl");
if (!path) {
  console.log("replay bench: shared dataset mooncake/conversation_trace.jsonl absent; skipped");
  process.exit(0);
}
console.log("replay: full Mooncake conversation trace, Node single thread (one core)");
const load = timeIt(() => loadMooncake(path).requests);
const requests = load.value;
figure(`load + validate ${requests.length} requests`, load.ms, "ms");
const st = timeIt(() => traceStats(requests));
figure("trace stats (incl. ideal prefix reuse)", st.ms, "ms");

/** One replay and its figures; `goals` are issue 18's for this row (× real time, peak RSS), printed beside them. */
function run(label: string, options: ReplayOptions, goals: { speed?: string; rssMb?: string } = {}): void {
  globalThis.gc?.();
  const r = timeIt(() => replayTrace(requests, options));
  const s = r.value.summary;
  console.log(`\n  ${label}`);
  figure("wall time", r.ms, "ms");
  figure("simulated time", s.durationMs / 1000, "s");
  if (goals.speed) figureGoal("simulated / wall time", s.durationMs / r.ms, "×", goals.speed, 0);
  else figure("simulated / wall time", s.durationMs / r.ms, "×", 0);
  figure("requests replayed per wall second", s.completed / (r.ms / 1000), "req/s", 0);
  figure("engine passes per wall second", s.passes / (r.ms / 1000), "passes/s", 0);
  if (goals.rssMb) figureGoal("peak RSS so far (whole process)", peakRssMb(), "MB", goals.rssMb, 0);
  else figure("peak RSS so far (whole process)", peakRssMb(), "MB", 0);
  console.log(`    completed ${s.completed}/${s.requests}, TTFT mean ${s.ttftMeanMs?.toFixed(1)} ms p99 ${s.ttftP99Ms?.toFixed(1)} ms, ITL mean ${s.itlMeanMs?.toFixed(2)} ms, prefix reuse ${(100 * s.prefixCacheReusedRatio).toFixed(1)}%, hit rate ${(100 * s.avgKvHitRate).toFixed(1)}%, passes ${s.passes}`);
}

// Headline first, so its peak RSS is not inflated by later runs.
run("8 agg workers, prefix caching, round-robin router (Dynamo's default)", { workers: 8 }, { speed: "≥ 5,000×", rssMb: "≤ 200 MB" });
run("8 agg workers, prefix caching, KV-aware router", { workers: 8, router: "kv" }, { speed: "≥ 5,000×", rssMb: "≤ 200 MB" });
const observer: ReplayController = { firstTickAt: () => 5000, tick: (obs) => { obs.drainTraffic(); return obs.now + 5000; } };
run("8 agg workers, KV router, controller every 5 s receiving every pass", { workers: 8, router: "kv", controller: observer }, { speed: "≥ 4,000×" });
run("disagg 4 prefill + 4 decode, KV router, 64 GB/s KV transfer", { mode: "disagg", prefillWorkers: 4, decodeWorkers: 4, router: "kv", kvTransfer: { bytesPerToken: 131072, bandwidthGBps: 64 } });
