/** Options and event types of a replay. */
import type { FleetSetup, Pool, ReplayController } from "./control.js";
import type { RouterPolicy } from "./router.js";

/** A replay's options: the fleet's shape, engines, seed and SLA (`FleetSetup`, control.ts) and the rest below. */
export interface ReplayOptions extends FleetSetup {
  /** Routing policy (default `round-robin`, Dynamo's replay default). The decode pool's KV router ignores overlap. */
  router?: RouterPolicy;
  /**
   * Router queue (Dynamo's `router_queue_threshold`, 4.0 in its KV router): hold a request at the
   * router, first come first served, while every ready worker of its pool has more than
   * threshold × max_num_batched_tokens active tokens (pending prefill + KV blocks × block size).
   * Off when omitted.
   */
  routerQueueThreshold?: number;
  /** KV router overlap weight (default 1.0). */
  overlapScoreWeight?: number;
  /** Tokens per trace hash id of a bare request array (default 512); a `Trace` value carries its own. */
  traceBlockSize?: number;
  /** Trace mode: first-turn timestamps (normalized to start at 0) and inter-turn delays are divided by this (default 1). */
  arrivalSpeedupRatio?: number;
  /** Concurrency mode: ignore timestamps and keep this many requests in flight (TTFT measured from dispatch). */
  concurrency?: number;
  /** Disagg KV hand-off time = input tokens × bytesPerToken / (bandwidthGBps × 1e9) s; none when omitted. */
  kvTransfer?: { bytesPerToken: number; bandwidthGBps: number };
  /** Steers the fleet on the virtual clock. */
  controller?: ReplayController;
  /** Keep every forward pass in the result (`passes`); costs memory. */
  recordPasses?: boolean;
  /** Width of the per-interval series (default 60 s). */
  intervalS?: number;
  /** Stop the simulation at this virtual time (ms); unfinished requests are reported as not completed. */
  maxSimTimeMs?: number;
  /** Called for every event (arrival, route, admit, first token, finish, preemption, fleet changes, ticks). */
  onEvent?: (e: ReplayEvent) => void;
}

export type ReplayEvent =
  | { type: "arrival"; atMs: number; request: number; inputTokens: number; outputTokens: number }
  | { type: "route"; atMs: number; request: number; workerId: string; pool: Pool; overlapBlocks: number; islBlocks: number }
  | { type: "admit"; atMs: number; request: number; workerId: string; cachedTokens: number; first: boolean }
  | { type: "first_token"; atMs: number; request: number; workerId: string; ttftMs: number }
  | { type: "prefill_done"; atMs: number; request: number; workerId: string; transferMs: number }
  | { type: "finish"; atMs: number; request: number; workerId: string; e2eMs: number; outputTokens: number }
  | { type: "preempt"; atMs: number; request: number; workerId: string }
  | { type: "worker_requested"; atMs: number; workerId: string; pool: Pool; readyAtMs: number }
  | { type: "worker_ready"; atMs: number; workerId: string; pool: Pool }
  | { type: "worker_draining"; atMs: number; workerId: string; pool: Pool }
  | { type: "worker_removed"; atMs: number; workerId: string; pool: Pool }
  | { type: "tick"; atMs: number; active: Record<Pool, number>; total: Record<Pool, number> };
