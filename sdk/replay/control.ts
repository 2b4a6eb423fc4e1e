/**
 * The contract between a trace replay and something that steers the fleet while it runs (the
 * planner issue's autoscaler, or a user's own policy). The replay calls the controller on its
 * virtual clock with the observations a real deployment would scrape; the controller resizes the
 * fleet through `FleetControl`. Modelled on Dynamo's replay adapter (`advance_to`,
 * `drain_traffic`, `apply_scaling`; see shared/docs/dynamo.md §2.8 and §3.11).
 *
 * Times are virtual milliseconds since the (normalised) trace start.
 */
import type { Seed } from "../core/rng.js";
import type { EngineConfig } from "../engine/config.js";

/** Worker pools: `agg` in aggregated mode; `prefill` and `decode` in disaggregated mode. */
export type Pool = "agg" | "prefill" | "decode";

/** One engine forward pass ("forward pass metrics", FPM) as a worker reports it. */
export interface ForwardPassMetrics {
  workerId: string;
  pool: Pool;
  /** Virtual time at the end of the pass. */
  at: number;
  /** Number of sequences with prefill work in this pass, and their scheduled prefill tokens. */
  numPrefill: number;
  sumPrefillTokens: number;
  /** Number of decoding sequences and the KV tokens they attend over. */
  numDecode: number;
  sumDecodeKvTokens: number;
  /** Duration of the pass, ms. */
  wallTimeMs: number;
  /** KV blocks in use / capacity after the pass, in [0, 1]. */
  kvUsage: number;
  /** Requests waiting in this worker's queue after the pass. */
  queued: number;
  /** Prefix (already computed) tokens the pass's prefill requests attend over (dynamo.md §2.3 item 7). */
  sumPrefillKvTokens?: number;
  /** Σ prompt tokens of waiting, not-preempted requests after the pass. */
  queuedPrefillTokens?: number;
  /** Σ prompt + generated tokens of preempted requests waiting to be recomputed, after the pass. */
  queuedDecodeKvTokens?: number;
}

/** Traffic since the previous drain (Dynamo's `drain_traffic`): completions, not arrivals. */
export interface TrafficWindow {
  durationS: number;
  /** Requests completed in the window. */
  numReq: number;
  avgIsl: number;
  avgOsl: number;
  /** Per-request means over requests with a positive sample; NaN when none. */
  avgTtftMs: number;
  avgItlMs: number;
  /** Mean over admissions of overlap_blocks / isl_blocks (0 when no samples; see dynamo.md §2.8). */
  avgKvHitRate: number;
}

export interface WorkerInfo {
  id: string;
  pool: Pool;
  /** `starting` until its start-up delay has elapsed, then `ready`; `draining` after removal was asked. */
  state: "starting" | "ready" | "draining";
  /** When it was asked for, and when it became (or will become) ready. */
  requestedAt: number;
  readyAt: number;
}

/** What the controller sees at a tick. */
export interface FleetObservations {
  now: number;
  /** Every forward pass since the previous tick, per pool. */
  passes: ForwardPassMetrics[];
  /** Ready workers per pool, and all workers (including starting ones) per pool. */
  active: Record<Pool, number>;
  total: Record<Pool, number>;
  /** Drains the traffic window since the last drain (call only on ticks that need it). */
  drainTraffic(): TrafficWindow;
}

/** How the controller changes the fleet. */
export interface FleetControl {
  /** Add a worker to `pool` that becomes ready `startupDelayMs` after now; returns its id. */
  addWorker(pool: Pool, startupDelayMs: number): string;
  /**
   * Remove a worker (by id, or the pool's newest when only the pool is given): it takes no new
   * requests and leaves when its in-flight requests finish. Returns the id removed, or undefined
   * when the pool has no removable worker.
   */
  removeWorker(target: { id: string } | { pool: Pool }): string | undefined;
  workers(): WorkerInfo[];
}

/** The part of the replay's options a controller reads, and may decide, before the replay starts. */
export interface FleetSetup {
  /** `agg` (default): one pool of aggregated workers. `disagg`: prefill and decode pools. */
  mode?: "agg" | "disagg";
  /** Initial aggregated workers (default 1). */
  workers?: number;
  /** Initial disaggregated workers per pool (default 1 each). */
  prefillWorkers?: number;
  decodeWorkers?: number;
  /** Engine settings for every pool (Dynamo defaults when omitted); per-pool overrides below. */
  engine?: Partial<EngineConfig>;
  prefillEngine?: Partial<EngineConfig>;
  decodeEngine?: Partial<EngineConfig>;
  /** Seed for router tie-breaks and random routing, and a controller's own streams (default 1). */
  seed?: Seed;
  /** SLA targets for attainment in the summary (defaults: Dynamo planner's 500 ms TTFT, 50 ms ITL). */
  sla?: { ttftMs?: number; itlMs?: number };
}

/** A controller steering a replay. */
export interface ReplayController {
  /**
   * Optional, called once before the replay starts with its options: the controller reads the
   * engines and seed it plans for and returns what it decides (e.g. a planner's mode, initial
   * workers and SLA), which overrides the options given.
   */
  setup?(options: Readonly<FleetSetup>): FleetSetup;
  /** Virtual time of the first tick. */
  firstTickAt(): number;
  /** Handle a tick; return the time of the next tick, or undefined to stop ticking. */
  tick(obs: FleetObservations, fleet: FleetControl): number | undefined;
}
