/**
 * Planner-in-the-loop replay: a trace replayed against the simulated fleet with the planner
 * steering it on the virtual clock, scale-ups paying FMA actuation costs. Returns the replay result,
 * the planner's records, a flat summary and the diagnostics report input. Pure (no files); see
 * `write-outputs.ts` for the files.
 */
import { engineCapabilities, type EngineConfig } from "../engine/config.js";
import { replayTrace, type ReplayResult } from "../replay/replay.js";
import type { ReplaySummary } from "../replay/results.js";
import type { ReplayOptions } from "../replay/options.js";
import type { TraceRequest } from "../trace/types.js";
import { replicaTransitions, type DiagnosticsReportInput } from "../report/diagnostics-report.js";
import { parsePlannerConfig, type EngineCapabilities, type PlannerConfig } from "./config.js";
import { PlannerController } from "./controller.js";
import { traceIntervals } from "./trace-warmup.js";

/** The replay's own options (documented there); initial workers default to `min_endpoint` (at least 1). */
type ReplayPart = Pick<ReplayOptions, "seed" | "workers" | "prefillWorkers" | "decodeWorkers" | "engine" | "prefillEngine" | "decodeEngine" | "router" | "arrivalSpeedupRatio" | "maxSimTimeMs" | "kvTransfer">;

export interface PlannerReplayOptions extends ReplayPart {
  /** Source name for config errors. */
  configSource?: string;
  /**
   * Warm the request-count/ISL/OSL predictors from this trace (bucketed at the throughput
   * interval, Dynamo's trace warm-up). Use a different trace (e.g. yesterday's) to avoid peeking.
   */
  warmupTrace?: readonly TraceRequest[];
  /** Any other replay options (router tuning, trace block size, …), passed through; the fields above win. */
  replayOptions?: Partial<ReplayOptions>;
}

/** The replay summary plus what the planner did. Hit rates use FMA's names and definitions. */
export interface PlannerReplaySummary extends ReplaySummary {
  plannerMode: string;
  optimizationTarget: string;
  operationMode: string;
  /** Fixed start-up time (s), or null when each scale-up paid its FMA path's delay. */
  startupTimeS: number | null;
  actuationProfile: string;
  plannerTicks: number;
  replicaTransitions: number;
  scaleUpEvents: number;
  scaleDownEvents: number;
  peakReplicas: number;
  replicaSeconds: number;
  provisionedReplicaSeconds: number;
  gpuHours: number;
  actuations: number;
  cancelledActuations: number;
  classifiedActuations: number;
  hot_hit_rate: number | null;
  warm_hit_rate: number | null;
  cold_launcher_hit_rate: number | null;
  cold_rate: number | null;
  meanActuationDelayS: number | null;
  launchers: number;
}

export interface PlannerReplayResult {
  config: PlannerConfig;
  replay: ReplayResult;
  controller: PlannerController;
  summary: PlannerReplaySummary;
  /** Input for `renderDiagnosticsReport` / `diagnosticsCharts`. */
  report: DiagnosticsReportInput;
}

function plannerCaps(c: Partial<EngineConfig> | undefined): EngineCapabilities {
  const e = engineCapabilities(c ?? {});
  return { max_num_batched_tokens: e.maxNumBatchedTokens, max_num_seqs: e.maxNumSeqs, max_kv_tokens: e.maxKvTokens };
}

/** Validate `config` (raw JSON/YAML value or a parsed config) against the replay's engines. */
export function resolvePlannerConfig(config: unknown, options: PlannerReplayOptions = {}): PlannerConfig {
  const prefill = plannerCaps({ ...options.engine, ...options.prefillEngine });
  const decode = plannerCaps({ ...options.engine, ...options.decodeEngine });
  return parsePlannerConfig(config, { source: options.configSource ?? "planner config", engineCapabilities: { prefill, decode } });
}

export function runPlannerReplay(requests: readonly TraceRequest[], config: unknown, options: PlannerReplayOptions = {}): PlannerReplayResult {
  const cfg = resolvePlannerConfig(config, options);
  const seed = options.seed ?? 1;
  const decodeEngine = { ...options.engine, ...(cfg.mode === "disagg" ? options.decodeEngine : {}) };
  const controller = new PlannerController({ config: cfg, seed, configSource: options.configSource, stepTime: engineCapabilities(decodeEngine).stepTime, blockSize: engineCapabilities(decodeEngine).blockSize });
  if (options.warmupTrace && cfg.enable_throughput_scaling) controller.planner.warmTraffic(traceIntervals(options.warmupTrace, cfg.throughput_adjustment_interval));
  const initial = Math.max(1, cfg.min_endpoint);
  const replay = replayTrace(requests, {
    ...options.replayOptions,
    mode: cfg.mode,
    workers: options.workers ?? initial,
    prefillWorkers: options.prefillWorkers ?? initial,
    decodeWorkers: options.decodeWorkers ?? initial,
    engine: options.engine,
    prefillEngine: options.prefillEngine,
    decodeEngine: options.decodeEngine,
    router: options.router,
    seed,
    arrivalSpeedupRatio: options.arrivalSpeedupRatio,
    maxSimTimeMs: options.maxSimTimeMs,
    kvTransfer: options.kvTransfer,
    sla: { ttftMs: cfg.ttft, itlMs: cfg.itl },
    controller,
  });
  const snaps = controller.snapshots;
  const acts = controller.actuations;
  const hits = controller.hitRates();
  const done = acts.filter((a) => !a.cancelled);
  const summary: PlannerReplaySummary = {
    ...replay.summary,
    plannerMode: cfg.mode,
    optimizationTarget: cfg.optimization_target,
    operationMode: cfg.operation_mode,
    startupTimeS: cfg.actuation.startup_time,
    actuationProfile: cfg.actuation.profile,
    plannerTicks: snaps.length,
    replicaTransitions: replicaTransitions(snaps),
    scaleUpEvents: controller.events.filter((e) => e.direction === "scale_up").length,
    scaleDownEvents: controller.events.filter((e) => e.direction === "scale_down").length,
    peakReplicas: Math.max(0, ...snaps.map((s) => (s.activePrefill ?? 0) + s.activeDecode)),
    replicaSeconds: controller.replicaSeconds,
    provisionedReplicaSeconds: controller.provisionedReplicaSeconds,
    gpuHours: controller.gpuHours,
    actuations: acts.length,
    cancelledActuations: acts.length - done.length,
    classifiedActuations: hits.classified,
    hot_hit_rate: hits.hot_hit_rate,
    warm_hit_rate: hits.warm_hit_rate,
    cold_launcher_hit_rate: hits.cold_launcher_hit_rate,
    cold_rate: hits.cold_rate,
    meanActuationDelayS: done.length ? done.reduce((a, x) => a + x.delayMs, 0) / done.length / 1000 : null,
    launchers: controller.launchers,
  };
  const fmt = (v: number | null) => (v === null ? null : Number(v.toFixed(3)));
  const report: DiagnosticsReportInput = {
    title: `Planner Diagnostics Report — ${cfg.mode}, ${cfg.optimization_target}`,
    mode: cfg.mode,
    ttftSlaMs: cfg.ttft,
    itlSlaMs: cfg.itl,
    snapshots: snaps,
    actuations: acts,
    events: controller.events,
    kvCapacityTokens: cfg.decode_capabilities?.max_kv_tokens ?? null,
    summary: {
      Requests: `${summary.completed} / ${summary.requests} completed`,
      "SLA attainment (TTFT and ITL)": fmt(summary.slaAttainment),
      "TTFT p50 / p99 (ms)": `${summary.ttftP50Ms?.toFixed(0) ?? "—"} / ${summary.ttftP99Ms?.toFixed(0) ?? "—"}`,
      "Replica-seconds": Math.round(summary.replicaSeconds),
      // The pre-warmed count only when set, so reports of runs without it keep their bytes.
      "Start-up": cfg.actuation.startup_time === null ? `FMA paths (${cfg.actuation.profile})${cfg.actuation.prewarmed_sleepers > 0 ? `, ${cfg.actuation.prewarmed_sleepers} pre-warmed sleepers per pool` : ""}` : `fixed ${cfg.actuation.startup_time} s`,
      "Actuations (hot / warm / cold_launcher / cold)": acts.length ? `${done.length}: ${[hits.hot_hit_rate, hits.warm_hit_rate, hits.cold_launcher_hit_rate, hits.cold_rate].map((x) => (x === null ? "—" : x.toFixed(2))).join(" / ")}` : "none",
    },
  };
  return { config: cfg, replay, controller, summary, report };
}
