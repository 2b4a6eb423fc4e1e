/**
 * The planner in the replay loop: a `ReplayController` that turns the fleet's observations into
 * the planner's tick input, runs the pure state machine, and applies its decisions through the
 * fleet API — each scale-up priced by the run's actuator (actuation/actuator.ts: the delay of the
 * FMA path it takes, or a fixed `startup_time`, Dynamo's behaviour). Records one diagnostics row
 * per tick, every scaling event and every actuation, for the summary and the report.
 */
import { startActuator, type Actuator, type RunningActuator } from "../actuation/actuator.js";
import type { ActuationPath } from "../actuation/path.js";
import { Rng, rng as makeRng, type Seed } from "../core/rng.js";
import { engineCapabilities } from "../engine/config.js";
import type { StepTimeModel } from "../engine/step-time.js";
import type { FleetControl, FleetObservations, ForwardPassMetrics, Pool, ReplayController, WorkerInfo } from "../replay/control.js";
import { decodeSweep, prefillSweep } from "./bootstrap.js";
import { configActuator, type PlannerConfig } from "./config.js";
import type { FpmPoint } from "./regression.js";
import { PlannerStateMachine } from "./state-machine.js";
import type { ScheduledTick, TickDiagnostics, TickInput, WorkerFpm } from "./types.js";
import { STREAMS } from "../core/streams.js";
import { ScaleDownStabilizer } from "./flapping.js";

/** One diagnostics row per tick, with the fleet's view (times in seconds). */
export interface PlannerSnapshot extends TickDiagnostics {
  /** Ready and all (ready + starting) workers per planner component after the tick's decision. */
  activePrefill: number | null;
  activeDecode: number;
  provisionedPrefill: number | null;
  provisionedDecode: number;
  /** Cumulative GPU-hours of ready workers (right-endpoint rule, as Dynamo). */
  gpuHours: number;
}

export interface ScalingEvent {
  /** Seconds. */
  t: number;
  component: Pool;
  from: number;
  to: number;
  direction: "scale_up" | "scale_down";
  reason: string;
  /** False in advisory mode: decided and recorded but not applied. */
  applied: boolean;
  /** Scale-ups: the FMA path of each new replica ("fixed" with a fixed start-up time), ";"-joined. */
  paths: string;
  /** Scale-ups: each new replica's actuation delay in seconds, ";"-joined. */
  delaysS: string;
}

export interface ActuationRecord {
  /** Seconds, when asked for. */
  t: number;
  pool: Pool;
  workerId: string;
  /** The FMA path taken; null with a fixed `startup_time` (not classified). */
  path: ActuationPath | null;
  delayMs: number;
  /** Seconds, when it became (or would have become) ready. */
  readyAt: number;
  /** Scaled down again before it became ready. */
  cancelled: boolean;
  launcher: number | null;
}

export interface PlannerControllerOptions {
  config: PlannerConfig;
  /** Seed (or stream) for actuation delays. */
  seed?: Seed | Rng;
  /** The replay engine's step-time model, for the bootstrap sweep (default: Dynamo's polynomial). */
  stepTime?: StepTimeModel;
  blockSize?: number;
  /** What a scale-up costs (default: the one the config's `actuation` section describes). */
  actuator?: Actuator;
  /** Override the cost of a scale-up (ms), e.g. for tests. */
  delayMs?: (path: ActuationPath, r: Rng) => number;
  /** Where the config came from, for errors only known once the profile and fleet are (pre-warmed sleepers). */
  configSource?: string;
}

const COMPONENTS = { agg: ["agg"], disagg: ["prefill", "decode"] } as const;

function toPoint(p: ForwardPassMetrics): FpmPoint {
  return { numPrefill: p.numPrefill, sumPrefillTokens: p.sumPrefillTokens, numDecode: p.numDecode, sumDecodeKvTokens: p.sumDecodeKvTokens, wallTimeS: p.wallTimeMs / 1000 };
}

export class PlannerController implements ReplayController {
  readonly config: PlannerConfig;
  readonly planner: PlannerStateMachine;
  readonly snapshots: PlannerSnapshot[] = [];
  readonly events: ScalingEvent[] = [];
  readonly actuations: ActuationRecord[] = [];
  /** Replica-seconds of ready workers and of all provisioned (ready + starting) workers. */
  replicaSeconds = 0;
  provisionedReplicaSeconds = 0;
  gpuHours = 0;
  /** The run's actuator: its launchers and sleepers. */
  readonly actuation: RunningActuator;
  private next: ScheduledTick;
  private lastTickS: number | undefined;
  private readonly target = new Map<Pool, number>();
  private readonly passesSeen = new Map<string, number>();
  private readonly plannerAdded = new Set<string>();
  private readonly actuationOf = new Map<string, ActuationRecord>();
  private initialised = false;
  private lastIsl = 0;
  private readonly stabilizer: ScaleDownStabilizer | null;

  constructor(options: PlannerControllerOptions) {
    const cfg = options.config;
    this.config = cfg;
    this.planner = new PlannerStateMachine(cfg);
    this.stabilizer = cfg.scale_down_stabilization_window > 0 ? new ScaleDownStabilizer(cfg.scale_down_stabilization_window) : null;
    // One sequential stream: how many numbers a draw uses depends on the path, so runs whose paths
    // differ (sleep pool vs direct) do not share later delays even with the same seed. Compare such
    // arms over several seeds; one seed's ramp draws can outweigh the path difference.
    const rng = options.seed instanceof Rng ? options.seed : makeRng(options.seed ?? 1).split(STREAMS.plannerActuation);
    this.actuation = startActuator(options.actuator ?? configActuator(cfg), { rng, source: options.configSource ?? "planner config", ...(options.delayMs ? { delayMs: options.delayMs } : {}) });
    if (cfg.optimization_target === "sla" && cfg.pre_deployment_sweeping_mode !== "none") {
      const st = options.stepTime ?? engineCapabilities().stepTime;
      const g = cfg.benchmark_granularity * (cfg.pre_deployment_sweeping_mode === "thorough" ? 4 : 1);
      const bo = { granularity: g, blockSize: options.blockSize };
      if (cfg.mode === "agg") {
        const caps = cfg.decode_capabilities!;
        this.planner.bootstrap({ prefill: prefillSweep(st, "agg", caps, bo), decode: decodeSweep(st, "agg", caps, bo) });
      } else {
        this.planner.bootstrap({ prefill: prefillSweep(st, "prefill", cfg.prefill_capabilities!, bo), decode: decodeSweep(st, "decode", cfg.decode_capabilities!, bo) });
      }
    }
    this.next = this.planner.initialTick(0);
  }

  private get pools(): readonly Pool[] {
    return COMPONENTS[this.config.mode];
  }

  /** The planner component a pool is reported under (agg → decode, as Dynamo). */
  private component(pool: Pool): "prefill" | "decode" {
    return pool === "prefill" ? "prefill" : "decode";
  }

  firstTickAt(): number {
    return this.next.at * 1000;
  }

  /** At the first tick (no scale-up can happen earlier) the actuator places the running workers and any pre-warmed sleepers. */
  private initialise(workers: readonly WorkerInfo[]): void {
    this.actuation.start(workers.filter((w) => w.state !== "draining").map((w) => w.id), this.pools);
    this.initialised = true;
  }

  tick(obs: FleetObservations, fleet: FleetControl): number | undefined {
    const tick = this.next;
    const nowS = obs.now / 1000;
    const workers = fleet.workers();
    if (!this.initialised) this.initialise(workers);

    // Accounting for the interval since the last tick (right-endpoint rule).
    const provisioned = (pool: Pool) => workers.filter((w) => w.pool === pool && w.state !== "draining").length;
    if (this.lastTickS !== undefined) {
      const dt = nowS - this.lastTickS;
      let ready = 0, prov = 0, gpus = 0;
      for (const pool of this.pools) {
        ready += obs.active[pool];
        prov += provisioned(pool);
        const g = (pool === "prefill" ? this.config.prefill_engine_num_gpu : this.config.decode_engine_num_gpu) ?? 1;
        gpus += obs.active[pool] * g;
      }
      this.replicaSeconds += ready * dt;
      this.provisionedReplicaSeconds += prov * dt;
      this.gpuHours += (gpus * dt) / 3600;
    }
    this.lastTickS = nowS;

    // Worker counts; a scaling target clears once the ready count reaches it.
    const counts: TickInput["counts"] = { decode: { ready: 0, expected: 0 } };
    for (const pool of this.pools) {
      const ready = obs.active[pool];
      const t = this.target.get(pool);
      if (t !== undefined && t === ready) this.target.delete(pool);
      counts[this.component(pool)] = { ready, expected: this.target.get(pool) ?? ready };
    }

    // Forward passes: the last per ready worker is its FPM; every other pass feeds the regressions.
    const readyIds = new Map<string, Pool>();
    for (const w of workers) if (w.state === "ready" && this.pools.includes(w.pool)) readyIds.set(w.id, w.pool);
    const lastOf = new Map<string, ForwardPassMetrics>();
    const feed: { prefill: FpmPoint[]; decode: FpmPoint[] } = { prefill: [], decode: [] };
    const skip = this.config.fpm_cold_start_exclusion_passes;
    for (const p of obs.passes) {
      const seen = (this.passesSeen.get(p.workerId) ?? 0) + 1;
      this.passesSeen.set(p.workerId, seen);
      // A new worker's first passes are slow for reasons the regressions should not learn (#12430).
      if (skip > 0 && this.plannerAdded.has(p.workerId) && seen <= skip) continue;
      const prev = lastOf.get(p.workerId);
      if (prev) feed[this.component(prev.pool)].push(toPoint(prev));
      if (readyIds.has(p.workerId)) lastOf.set(p.workerId, p);
      else feed[this.component(p.pool)].push(toPoint(p));
    }
    if (!tick.runLoad) {
      // No FPM read on this tick: every pass goes to the regressions.
      for (const p of lastOf.values()) feed[this.component(p.pool)].push(toPoint(p));
      lastOf.clear();
    }
    const fpm: { prefill: WorkerFpm[]; decode: WorkerFpm[] } = { prefill: [], decode: [] };
    for (const [id, pool] of [...readyIds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const p = lastOf.get(id);
      fpm[this.component(pool)].push(p ? this.workerFpm(p) : heartbeat(id));
    }

    let traffic: TickInput["traffic"];
    if (tick.needTraffic) {
      const w = obs.drainTraffic();
      traffic = { durationS: w.durationS, numReq: w.numReq, isl: w.avgIsl, osl: w.avgOsl, ttftMs: w.avgTtftMs, itlMs: w.avgItlMs, kvHitRate: w.avgKvHitRate };
      if (w.numReq > 0 && Number.isFinite(w.avgIsl)) this.lastIsl = w.avgIsl;
    }

    const input: TickInput = { now: nowS, counts, traffic, regressionFeed: feed };
    if (tick.runLoad) input.fpm = fpm;
    const effects = this.planner.onTick(tick, input);
    this.next = effects.nextTick;

    const applied = this.config.operation_mode === "active";
    if (effects.scaleTo || this.stabilizer) {
      for (const pool of this.pools) {
        const comp = this.component(pool);
        const current = workers.filter((w) => w.pool === pool && w.state !== "draining");
        const from = current.length;
        const wanted = effects.scaleTo?.[comp];
        // Off by default: without a window the planner's decision is applied as Dynamo's is.
        const to = this.stabilizer ? this.stabilizer.recommend(pool, nowS, wanted ?? from, from) : wanted;
        if (to === undefined) continue;
        if (to === from) continue;
        const d = effects.diagnostics;
        const reason = (comp === "prefill" ? d.loadReasonPrefill ?? d.throughputReasonPrefill : d.loadReasonDecode ?? d.throughputReasonDecode) ?? d.loadReason ?? d.throughputReason ?? "";
        const ev: ScalingEvent = { t: nowS, component: pool, from, to, direction: to > from ? "scale_up" : "scale_down", reason, applied, paths: "", delaysS: "" };
        this.events.push(ev);
        if (!applied) continue;
        this.target.set(pool, to);
        const before = this.actuations.length;
        if (to > from) for (let i = from; i < to; i++) this.scaleUp(pool, nowS, fleet);
        else for (let i = to; i < from; i++) this.scaleDown(pool, fleet, workers);
        const made = this.actuations.slice(before);
        ev.paths = made.map((a) => a.path ?? "fixed").join(";");
        ev.delaysS = made.map((a) => (a.delayMs / 1000).toFixed(3)).join(";");
      }
    }

    const after = fleet.workers();
    const count = (pool: Pool, ready: boolean) => after.filter((w) => w.pool === pool && (ready ? w.state === "ready" : w.state !== "draining")).length;
    const dPool: Pool = this.config.mode === "agg" ? "agg" : "decode";
    this.snapshots.push({
      ...effects.diagnostics,
      activePrefill: this.config.mode === "agg" ? null : count("prefill", true),
      activeDecode: count(dPool, true),
      provisionedPrefill: this.config.mode === "agg" ? null : count("prefill", false),
      provisionedDecode: count(dPool, false),
      gpuHours: this.gpuHours,
    });
    return this.next.at * 1000;
  }

  private workerFpm(p: ForwardPassMetrics): WorkerFpm {
    const ext = p as ForwardPassMetrics & { queuedPrefillTokens?: number; queuedDecodeKvTokens?: number };
    return {
      workerId: p.workerId,
      ...toPoint(p),
      // The replay may not report queued tokens; estimate them from the queue length and the last ISL.
      queuedPrefillTokens: typeof ext.queuedPrefillTokens === "number" ? ext.queuedPrefillTokens : p.queued * this.lastIsl,
      queuedDecodeKvTokens: typeof ext.queuedDecodeKvTokens === "number" ? ext.queuedDecodeKvTokens : 0,
    };
  }

  private scaleUp(pool: Pool, nowS: number, fleet: FleetControl): void {
    const plan = this.actuation.scaleUp(pool);
    const delayMs = plan.delayMs;
    const id = fleet.addWorker(pool, delayMs);
    plan.bind(id);
    this.plannerAdded.add(id);
    const rec: ActuationRecord = { t: nowS, pool, workerId: id, path: plan.path, delayMs, readyAt: nowS + delayMs / 1000, cancelled: false, launcher: plan.launcher };
    this.actuations.push(rec);
    this.actuationOf.set(id, rec);
  }

  private scaleDown(pool: Pool, fleet: FleetControl, before: readonly WorkerInfo[]): void {
    const id = fleet.removeWorker({ pool });
    if (id === undefined) return;
    const was = before.find((w) => w.id === id);
    if (was?.state === "starting") {
      const rec = this.actuationOf.get(id);
      if (rec) rec.cancelled = true;
    }
    this.actuation.scaleDown(id, pool);
  }

  /** Hit rates over classified, completed actuations (count of a path / classified actuations). */
  hitRates(): { classified: number; hot_hit_rate: number | null; warm_hit_rate: number | null; cold_launcher_hit_rate: number | null; cold_rate: number | null } {
    const done = this.actuations.filter((a) => a.path !== null && !a.cancelled);
    const n = done.length;
    const rate = (p: ActuationPath) => (n === 0 ? null : done.filter((a) => a.path === p).length / n);
    return { classified: n, hot_hit_rate: rate("hot"), warm_hit_rate: rate("warm"), cold_launcher_hit_rate: rate("cold_launcher"), cold_rate: rate("cold") };
  }

  get launchers(): number {
    return this.actuation.launchers;
  }
}

function heartbeat(workerId: string): WorkerFpm {
  // An idle engine runs no passes; like a live engine's heartbeat FPM, report it with zero load.
  return { workerId, numPrefill: 0, sumPrefillTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0, queuedPrefillTokens: 0, queuedDecodeKvTokens: 0 };
}
