/**
 * Planner-in-the-loop replay: "replay + summary". The planner is a replay controller value placed in
 * the replay's options (`planner(config)`, loop.ts); the trace replays against the simulated fleet
 * with it steering on the virtual clock, each scale-up priced by the actuator. Returns the replay
 * result, the planner's records, a flat summary and the diagnostics report input. Pure (no files);
 * see `write-outputs.ts` for the files.
 */
import type { Actuator } from "../actuation/actuator.js";
import { replayTrace, type ReplayResult } from "../replay/replay.js";
import type { ReplaySummary } from "../replay/results.js";
import type { ReplayOptions } from "../replay/options.js";
import type { Trace, TraceRequest } from "../trace/types.js";
import { replicaTransitions, type DiagnosticsReportInput } from "./diagnostics-report.js";
import type { PlannerConfig } from "./config.js";
import type { PlannerController } from "./controller.js";
import { planner, type PlannerLoop, type PlannerOptions } from "./loop.js";
import { countFlaps, FLAP_WINDOW_S } from "./flapping.js";

export { resolvePlannerConfig } from "./loop.js";

/**
 * The replay's own options (documented there) and the planner's. The planner decides the mode and
 * the SLA (its config's); initial workers default to `min_endpoint` (at least 1).
 */
export interface PlannerReplayOptions extends Omit<ReplayOptions, "controller" | "mode" | "sla">, PlannerOptions {}

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
  /** Applied scaling events that reverse the previous one of their pool within FLAP_WINDOW_S (60 s). */
  flaps: number;
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

/**
 * Replays a trace with a Dynamo-style planner in the loop; returns the replay, the planner's records, a summary and the diagnostics report input.
 *
 * @example
 * ```ts
 * const trace = loadTrace(sharedDataset("mooncake/conversation_trace.jsonl")!);
 * const r = runPlannerReplay(trace, { mode: "agg", ttft: 2500, itl: 50, actuation: { profile: "8b-h100", sleep_pool: true } });
 * console.log(r.summary.slaAttainment, r.summary.flaps);
 * ```
 */
export function runPlannerReplay(trace: readonly TraceRequest[] | Trace, config: unknown, options: PlannerReplayOptions = {}): PlannerReplayResult {
  const { configSource, warmupTrace, actuator, delayMs, ...replayOptions } = options;
  const loop = planner(config, { configSource, warmupTrace, actuator, delayMs });
  return plannerResult(replayTrace(trace, { ...replayOptions, controller: loop }), loop);
}

/** How the actuator is described in summaries and the report. */
function startupOf(a: Actuator): { startupTimeS: number | null; text: string } {
  if (a.kind === "fixed-startup") return { startupTimeS: a.startupS, text: `fixed ${a.startupS} s` };
  const n = a.fleet.prewarmedSleepers;
  // The pre-warmed count only when set, so reports of runs without it keep their bytes.
  return { startupTimeS: null, text: `FMA paths (${a.profile})${n > 0 ? `, ${n} pre-warmed sleepers per pool` : ""}` };
}

/**
 * The summary and report of a replay a `planner(…)` value steered.
 *
 * @example
 * ```ts
 * const loop = planner(config);
 * const result = plannerResult(replayTrace(requests, { controller: loop }), loop);
 * ```
 */
export function plannerResult(replay: ReplayResult, loop: PlannerLoop): PlannerReplayResult {
  const controller = loop.controller;
  const cfg = controller.config;
  const actuator = controller.actuation.actuator;
  const startup = startupOf(actuator);
  const snaps = controller.snapshots;
  const acts = controller.actuations;
  const hits = controller.hitRates();
  const done = acts.filter((a) => !a.cancelled);
  const summary: PlannerReplaySummary = {
    ...replay.summary,
    plannerMode: cfg.mode,
    optimizationTarget: cfg.optimization_target,
    operationMode: cfg.operation_mode,
    startupTimeS: startup.startupTimeS,
    actuationProfile: actuator.profile,
    plannerTicks: snaps.length,
    replicaTransitions: replicaTransitions(snaps),
    scaleUpEvents: controller.events.filter((e) => e.direction === "scale_up").length,
    scaleDownEvents: controller.events.filter((e) => e.direction === "scale_down").length,
    flaps: countFlaps(controller.events),
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
      [`Flaps (scale reversals < ${FLAP_WINDOW_S} s apart)`]: summary.flaps,
      "Start-up": startup.text,
      "Actuations (hot / warm / cold_launcher / cold)": acts.length ? `${done.length}: ${[hits.hot_hit_rate, hits.warm_hit_rate, hits.cold_launcher_hit_rate, hits.cold_rate].map((x) => (x === null ? "—" : x.toFixed(2))).join(" / ")}` : "none",
    },
  };
  return { config: cfg, replay, controller, summary, report };
}
