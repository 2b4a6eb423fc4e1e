/**
 * `actlab replay TRACE --planner CONFIG`: the replay command hands its parsed options here. CONFIG
 * is a JSON/YAML file or an inline JSON object (Dynamo's `--planner-config '{…}'`). Prints the
 * summary (with flapping and a hint against it), the first scaling events in Dynamo's format, and
 * where the report went.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ReplayOptions } from "../replay/options.js";
import type { Trace, TraceRequest } from "../trace/types.js";
import { InputError } from "../core/errors.js";
import { readFileSync } from "node:fs";
import { decodePlannerConfigText } from "./load-config.js";
import { replayTrace } from "../replay/replay.js";
import { planner } from "./loop.js";
import { plannerResult } from "./run.js";
import { writePlannerReplayOutputs } from "./write-outputs.js";
import { FLAP_WINDOW_S } from "./flapping.js";

export interface PlannerCliOptions {
  out?: string;
  json?: boolean;
  write?: (s: string) => void;
}

/** Reads CONFIG (file or inline JSON) as raw value + source name. */
function readConfig(spec: string): { text: string; source: string } {
  if (/^\s*\{/.test(spec)) return { text: spec, source: "--planner (inline JSON)" };
  if (!existsSync(spec)) throw new InputError({ source: spec }, "a planner config file (JSON or YAML) or an inline JSON object");
  if (statSync(spec).isDirectory()) throw new InputError({ source: spec }, "a planner config file (JSON or YAML) or an inline JSON object (got a directory)");
  return { text: readFileSync(spec, "utf8"), source: spec };
}

/** Scaling events printed; the rest are in scaling-events.csv. */
const SHOWN_EVENTS = 10;

/**
 * `actlab replay TRACE --planner CONFIG`: runs the planner replay, writes its outputs and prints the summary; returns the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = runPlannerCli(requests, "datasets/planner/agg-sla.json", { workers: 1 }, { out: "out/planner" });
 * ```
 */
export function runPlannerCli(trace: readonly TraceRequest[] | Trace, configSpec: string, replay: ReplayOptions, options: PlannerCliOptions = {}): number {
  const out = options.write ?? ((s: string) => void process.stdout.write(s));
  const { text, source } = readConfig(configSpec);
  // The planner is one more replay option; its config is validated at the replay's start, against
  // the replay's engine capabilities, and errors name the file and key. Its mode and SLA win.
  const loop = planner(decodePlannerConfigText(text, source), { configSource: source });
  const result = plannerResult(replayTrace(trace, { ...replay, controller: loop }), loop);
  const dir = options.out ?? result.config.report_output_dir;
  const files = writePlannerReplayOutputs(dir, result);
  const s = result.summary;
  if (options.json) {
    out(JSON.stringify(s, null, 2) + "\n");
    return 0;
  }
  const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? "–" : v.toFixed(d));
  const lines = [
    `planner replay: ${s.requests} requests, ${s.plannerMode}, ${s.optimizationTarget}, ${s.startupTimeS === null ? `FMA actuation (${s.actuationProfile})` : `fixed start-up ${s.startupTimeS} s`}`,
    `  completed      ${s.completed} in ${f(s.durationMs / 1000)} s simulated; TTFT p50 ${f(s.ttftP50Ms)} p99 ${f(s.ttftP99Ms)} ms; ITL p50 ${f(s.itlP50Ms, 2)} ms`,
    `  SLA            TTFT ≤ ${s.slaTtftMs} ms and ITL ≤ ${s.slaItlMs} ms: ${f(100 * (s.slaAttainment ?? Number.NaN))}%`,
    `  replicas       transitions ${s.replicaTransitions}, peak ${s.peakReplicas}, replica-seconds ${f(s.replicaSeconds, 0)}, GPU hours ${f(s.gpuHours, 2)}; flaps ${s.flaps} (reversals < ${FLAP_WINDOW_S} s apart)`,
    `  actuations     ${s.actuations} (${s.cancelledActuations} cancelled); hot_hit_rate ${f(s.hot_hit_rate, 2)} warm_hit_rate ${f(s.warm_hit_rate, 2)} cold_launcher_hit_rate ${f(s.cold_launcher_hit_rate, 2)}; mean delay ${f(s.meanActuationDelayS)} s`,
  ];
  if (s.flaps > 0 && result.config.scale_down_stabilization_window === 0) {
    lines.push(`hint: the planner reversed itself ${s.flaps} times within ${FLAP_WINDOW_S} s; a scale-down stabilisation window holds scale-downs as Kubernetes' HPA does (scale_down_stabilization_window: 300 in the planner config, HPA's default)`);
  }
  // Dynamo's event lines, after the summary and capped: a long run has hundreds of them (all in the CSV).
  const events = result.controller.events;
  lines.push("Scaling events:");
  for (const e of events.slice(0, SHOWN_EVENTS)) lines.push(`  t=${e.t.toFixed(1)}s [${e.component}]: ${e.from} -> ${e.to} workers (${e.reason})${e.applied ? "" : " [advisory]"}${e.paths ? ` via ${e.paths} (${e.delaysS} s)` : ""}`);
  if (events.length > SHOWN_EVENTS) lines.push(`  … ${events.length - SHOWN_EVENTS} more in ${join(dir, "scaling-events.csv")}`);
  lines.push(
    `Planner ticks: ${s.plannerTicks}`,
    `Saved full report to: ${join(dir, "summary.json")}`,
    `Planner diagnostics report: ${files.find((p) => p.endsWith(".html"))}`,
  );
  out(lines.join("\n") + "\n");
  return 0;
}
