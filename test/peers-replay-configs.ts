// The replay differential's and the peers benchmark's shared inputs: the trace and the configurations in both vocabularies.
import type { ReplayOptions } from "../sdk/replay/options.js";
import type { DynamoReplayRun } from "../sdk/peers/replay-peer.js";

export const TRACE = "datasets/traces/public/mooncake/conversation_trace.jsonl.gz";

/** The configurations, in both vocabularies. */
export const CONFIGS: { run: DynamoReplayRun; ours: ReplayOptions }[] = [
  { run: { name: "agg 2w round-robin", mode: "agg", num_workers: 2, router_mode: "round_robin" }, ours: { mode: "agg", workers: 2, router: "round-robin" } },
  { run: { name: "agg 4w kv-router", mode: "agg", num_workers: 4, router_mode: "kv_router" }, ours: { mode: "agg", workers: 4, router: "kv" } },
  { run: { name: "disagg 1P2D round-robin", mode: "disagg", num_prefill_workers: 1, num_decode_workers: 2, router_mode: "round_robin" }, ours: { mode: "disagg", prefillWorkers: 1, decodeWorkers: 2, router: "round-robin" } },
  { run: { name: "disagg 2P2D kv-router", mode: "disagg", num_prefill_workers: 2, num_decode_workers: 2, router_mode: "kv_router" }, ours: { mode: "disagg", prefillWorkers: 2, decodeWorkers: 2, router: "kv" } },
];

