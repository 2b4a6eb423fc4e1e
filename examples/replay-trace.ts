// examples/replay-trace.ts — replay a trace against simulated fleets and compare routers and layouts.
// Run with: npx tsx examples/replay-trace.ts            (full Mooncake conversation trace when available)
//           ACTLAB_FAST=1 npx tsx examples/replay-trace.ts   (first 1,000 requests)
import { sharedDataset, loadTrace, traceStats, replayTrace, toArquero } from "actuation-lab";
import { head } from "actuation-lab/trace";
import type { ReplayOptions } from "actuation-lab/replay";

const fast = process.env.ACTLAB_FAST === "1";
const path = sharedDataset("mooncake/conversation_trace.jsonl") ?? "datasets/traces/shared-prefix.jsonl";
const all = loadTrace(path).requests;
const requests = fast ? head(all, 1000) : all;
const stats = traceStats(requests);
console.log(`${path}: ${requests.length} requests over ${(stats.durationMs / 1000).toFixed(0)} s, mean ISL ${stats.isl.mean.toFixed(0)}, OSL ${stats.osl.mean.toFixed(0)}; ideal prefix reuse ${(100 * stats.idealPrefixReuse.tokenRatio).toFixed(1)}%\n`);

const setups: Record<string, ReplayOptions> = {
  "agg ×8 round-robin": { workers: 8, router: "round-robin" },
  "agg ×8 kv": { workers: 8, router: "kv" },
  "agg ×4 kv": { workers: 4, router: "kv" },
  "disagg 3P+5D kv, 64 GB/s": { mode: "disagg", prefillWorkers: 3, decodeWorkers: 5, router: "kv", kvTransfer: { bytesPerToken: 131072, bandwidthGBps: 64 } },
};
const rows = Object.entries(setups).map(([setup, options]) => {
  const t0 = performance.now();
  const s = replayTrace(requests, { ...options, seed: 1, sla: { ttftMs: 500, itlMs: 50 } }).summary;
  return {
    setup,
    completed: s.completed,
    ttft_p50_ms: +(s.ttftP50Ms ?? NaN).toFixed(1),
    ttft_p99_ms: +(s.ttftP99Ms ?? NaN).toFixed(1),
    itl_p99_ms: +(s.itlP99Ms ?? NaN).toFixed(2),
    kv_hit_rate: +s.avgKvHitRate.toFixed(3),
    prefix_reuse: +s.prefixCacheReusedRatio.toFixed(3),
    sla_attainment: +(s.slaAttainment ?? NaN).toFixed(3),
    wall_ms: Math.round(performance.now() - t0),
  };
});
console.log(toArquero(rows).toMarkdown());
