/**
 * Planner benchmarks: pure state-machine ticks per second (agg and disagg, SLA mode with fitted
 * regressions, every tick a load tick with per-engine estimates and every 12th a throughput tick),
 * and planner-in-the-loop replay speed relative to real time on the full Mooncake conversation trace
 * (with the plain replay's speed for the planner's overhead), plus report rendering.
 */
import { sharedDataset } from "../../sdk/core/paths.js";
import { loadMooncake } from "../../sdk/trace/mooncake.js";
import { replayTrace } from "../../sdk/replay/replay.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../../sdk/planner/config.js";
import { PlannerStateMachine } from "../../sdk/planner/state-machine.js";
import { runPlannerReplay } from "../../sdk/planner/run.js";
import { renderDiagnosticsReport } from "../../sdk/planner/diagnostics-report.js";
import type { ScheduledTick, TickInput, WorkerFpm } from "../../sdk/planner/types.js";
import { figure, figureGoal, peakRssMb, timeIt } from "./measure.js";

const caps = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };
console.log("planner: pure state machine");
for (const mode of ["agg", "disagg"] as const) {
  const sm = new PlannerStateMachine(parsePlannerConfig({ mode, optimization_target: "sla", enable_load_scaling: true, throughput_adjustment_interval: 60, max_gpu_budget: -1, load_predictor: "kalman" }, { engineCapabilities: caps }));
  const pre = Array.from({ length: 40 }, (_, i) => ({ numPrefill: 1, sumPrefillTokens: 200 * (i + 1), numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.016 + 1.5e-5 * 200 * (i + 1) }));
  const dec = Array.from({ length: 40 }, (_, i) => ({ numPrefill: 0, sumPrefillTokens: 0, numDecode: 1 + (i % 8) * 8, sumDecodeKvTokens: 5000 * (i + 1), wallTimeS: 0.006 + 1e-4 * (1 + (i % 8) * 8) + 1e-7 * 5000 * (i + 1) }));
  sm.bootstrap({ prefill: pre, decode: dec });
  const engines = 8;
  const w = (id: string, k: number): WorkerFpm => ({ workerId: id, numPrefill: 2, sumPrefillTokens: 4000 + 37 * k, numDecode: 30, sumDecodeKvTokens: 200_000 + 1000 * k, wallTimeS: 0.05 + 1e-4 * k, queuedPrefillTokens: 1000 * (k % 9), queuedDecodeKvTokens: 0 });
  const n = 100_000;
  const r = timeIt(() => {
    let decisions = 0;
    for (let i = 0; i < n; i++) {
      const thpt = i % 12 === 11;
      const tick: ScheduledTick = { at: 5 * (i + 1), runLoad: true, runThroughput: thpt, needTraffic: thpt, trafficDurationS: 60, needWorkerFpm: true };
      const fpm = Array.from({ length: engines }, (_, e) => w(`w${e}`, (i + e) % 50));
      const input: TickInput = {
        now: tick.at,
        counts: mode === "agg" ? { decode: { ready: engines, expected: engines } } : { prefill: { ready: engines, expected: engines }, decode: { ready: engines, expected: engines } },
        fpm: mode === "agg" ? { prefill: [], decode: fpm } : { prefill: fpm, decode: fpm },
        traffic: thpt ? { durationS: 60, numReq: 200 + (i % 40), isl: 8000 + (i % 17) * 10, osl: 200, ttftMs: 400, itlMs: 20, kvHitRate: 0.3 } : undefined,
      };
      if (sm.onTick(tick, input).scaleTo) decisions++;
    }
    return decisions;
  });
  figure(`${mode}: ticks (8 engines, regressions refit each tick)`, n / (r.ms / 1000), "ticks/s", 0);
}

const path = sharedDataset("mooncake/conversation_trace.jsonl");
if (!path) {
  console.log("  (shared Mooncake conversation trace not found: in-loop replay skipped)");
} else {
  console.log("planner in the loop: full Mooncake conversation trace (12,031 requests, kv router)");
  const { requests } = loadMooncake(path);
  const plain = timeIt(() => replayTrace(requests, { mode: "agg", workers: 4, router: "kv", seed: 1 }));
  figure("plain replay, agg 4 workers: sim time / wall", plain.value.summary.durationMs / plain.ms, "× real time", 0);
  for (const mode of ["agg", "disagg"] as const) {
    for (const actuation of [{ startup_time: 120 }, { startup_time: null, profile: "8b-h100", sleep_pool: true }]) {
      const r = timeIt(() => runPlannerReplay(requests, { mode, optimization_target: "sla", ttft: 2500, itl: 50, enable_load_scaling: true, throughput_adjustment_interval: 60, max_gpu_budget: 16, load_predictor: "kalman", actuation }, { seed: 1, router: "kv" }));
      const s = r.value.summary;
      const label = actuation.startup_time === null ? "FMA paths" : "fixed 120 s";
      figureGoal(`${mode}, ${label}: sim time / wall`, s.durationMs / r.ms, "×", "≥ 2,500× real time", 0);
      figure(`${mode}, ${label}: wall`, r.ms / 1000, "s", 2);
      figure(`${mode}, ${label}: planner ticks/s of wall`, s.plannerTicks / (r.ms / 1000), "ticks/s", 0);
      if (mode === "agg" && actuation.startup_time === null) {
        const h = timeIt(() => renderDiagnosticsReport(r.value.report));
        figure("diagnostics report render (agg, full trace)", h.ms, "ms", 0);
        figure("diagnostics report size", h.value.length / 1024, "KiB", 0);
      }
    }
  }
  figure("peak RSS", peakRssMb(), "MB", 0);
}
