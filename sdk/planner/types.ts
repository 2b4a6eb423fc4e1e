/**
 * The planner's tick-level vocabulary (dynamo.md §3.2–3.3). Planner time is in seconds, as in
 * Dynamo; the replay loop converts from its virtual milliseconds.
 */
import type { FpmPoint } from "./regression.js";
import type { LoadReason, ThroughputReason } from "./reasons.js";

/** A tick the state machine asked for. */
export interface ScheduledTick {
  /** Seconds since the start. */
  at: number;
  runLoad: boolean;
  runThroughput: boolean;
  /** Drain a traffic window on this tick, covering `trafficDurationS`. */
  needTraffic: boolean;
  trafficDurationS: number;
  needWorkerFpm: boolean;
}

/** The latest forward pass of one ready worker, with its queues (what the load path reads). */
export interface WorkerFpm extends FpmPoint {
  workerId: string;
  /** Data-parallel rank (replay: always 0). */
  dpRank?: number;
  /** Prompt tokens still to compute over waiting requests. */
  queuedPrefillTokens: number;
  /** KV tokens of preempted requests waiting to resume. */
  queuedDecodeKvTokens: number;
}

export interface ComponentCounts {
  /** Ready (routable) workers. */
  ready: number;
  /** The count the planner last asked for (equals `ready` when no scaling is in flight). */
  expected: number;
}

/** One drained traffic window (Dynamo's TrafficObservation; NaN/null where there was no sample). */
export interface TrafficObservation {
  durationS: number;
  numReq: number;
  isl: number;
  osl: number;
  ttftMs: number;
  itlMs: number;
  kvHitRate: number | null;
}

export interface TickInput {
  /** Seconds. */
  now: number;
  /** Agg mode reports its pool under `decode`, as Dynamo does. */
  counts: { prefill?: ComponentCounts; decode: ComponentCounts };
  /** Latest FPM per ready worker (load ticks). */
  fpm?: { prefill: WorkerFpm[]; decode: WorkerFpm[] };
  /** Further passes since the last tick, fed to the regressions only (replay feeds every pass). */
  regressionFeed?: { prefill: FpmPoint[]; decode: FpmPoint[] };
  traffic?: TrafficObservation;
}

export interface ScaleTarget {
  prefill?: number;
  decode?: number;
}

export interface EngineLoad {
  workerId: string;
  value: number;
}

/** Everything one tick decided and saw, for the diagnostics report (one row per tick). */
export interface TickDiagnostics {
  t: number;
  runLoad: boolean;
  runThroughput: boolean;
  readyPrefill: number | null;
  readyDecode: number;
  throughputLowerBoundPrefill: number | null;
  throughputLowerBoundDecode: number;
  observedNumReq: number | null;
  observedRps: number | null;
  observedIsl: number | null;
  observedOsl: number | null;
  observedTtftMs: number | null;
  observedItlMs: number | null;
  observedKvHitRate: number | null;
  predictedNumReq: number | null;
  predictedRps: number | null;
  predictedIsl: number | null;
  predictedOsl: number | null;
  predictedKvHitRate: number | null;
  /** The hit rate the load path used this tick (clamped later). */
  kvHitRateUsed: number | null;
  estimatedTtftMs: number | null;
  estimatedItlMs: number | null;
  engineRpsPrefill: number | null;
  engineRpsDecode: number | null;
  loadReason: LoadReason | null;
  loadReasonPrefill: LoadReason | null;
  loadReasonDecode: LoadReason | null;
  throughputReason: ThroughputReason | null;
  throughputReasonPrefill: ThroughputReason | null;
  throughputReasonDecode: ThroughputReason | null;
  /** Queued prefill tokens per prefill (or agg) engine. */
  prefillEngineLoad: EngineLoad[];
  /** Scheduled + queued decode KV tokens per decode (or agg) engine. */
  decodeEngineLoad: EngineLoad[];
  scaleToPrefill: number | null;
  scaleToDecode: number | null;
}

export interface PlannerEffects {
  scaleTo?: ScaleTarget;
  nextTick: ScheduledTick;
  diagnostics: TickDiagnostics;
}
