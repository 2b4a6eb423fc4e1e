/**
 * Dynamo's planner in the replay loop, unmodified: ai-dynamo 1.2.1's offline planner replay
 * (`dynamo.replay.main._run_planner_replay`, what `python -m dynamo.replay TRACE --planner-config`
 * runs: the mocker fleet plus the planner state machine) driven by our harness on a Mooncake trace
 * file, returning its scaling events and tick count. Without AIC (not installable from PyPI here)
 * 1.2.1 bootstraps no throughput regression and falls back to load-based scaling, so the
 * comparable configurations are load-scaling ones. Nothing of Dynamo's is copied.
 */
import { spawnSync } from "node:child_process";
import { dynamoPython } from "./install.js";

export interface DynamoPlannerEvent {
  /** Replay time of the decision, seconds. */
  t: number;
  component: string;
  from: number;
  to: number;
  reason: string;
}

export interface DynamoPlannerReplay {
  events: DynamoPlannerEvent[];
  ticks: number;
  /** Dynamo's replay report keys (completed_requests, mean_ttft_ms, …). */
  summary: Record<string, number | string | null>;
  /** Seconds around the `_run_planner_replay` call, in its process (imports excluded). */
  wallSeconds: number;
}

const HARNESS_PY = String.raw`
import json, sys, logging, os, time
logging.disable(logging.CRITICAL)
spec = json.load(sys.stdin)
from dynamo.replay.main import _run_planner_replay
devnull = os.open(os.devnull, os.O_WRONLY)
saved = os.dup(2)
os.dup2(devnull, 2)  # the Rust side logs to stderr; keep only our JSON on stdout
t0 = time.perf_counter()
try:
    rep = _run_planner_replay(spec["trace"], None, None, None, None, spec.get("num_workers", 1), 1, 1, spec.get("router_mode", "round_robin"), 1.0, spec.get("trace_block_size", 512), json.dumps(spec["config"]))
finally:
    os.dup2(saved, 2)
wall = time.perf_counter() - t0
tr = rep.trace_report
summary = tr.get("summary", tr) if isinstance(tr, dict) else {}
events = [{"t": e.at_s, "component": e.component, "from": e.from_count, "to": e.to_count, "reason": e.reason} for e in rep.scaling_events]
sys.stdout.write(json.dumps({"wallSeconds": wall, "events": events, "ticks": rep.total_ticks, "summary": {k: v for k, v in summary.items() if isinstance(v, (int, float, str)) or v is None}}) + "\n")
`;

/** Runs Dynamo 1.2.1's planner replay of `traceFile` under `config` (Dynamo's planner config keys). Throws when not installed. */
export function runDynamoPlannerReplay(traceFile: string, config: Record<string, unknown>, o: { numWorkers?: number; routerMode?: "round_robin" | "kv_router" } = {}, python = dynamoPython()): DynamoPlannerReplay {
  if (!python) throw new Error("the Dynamo planner (ai-dynamo 1.2.1) is not installed; run: node bin/actlab.js peers install");
  const input = JSON.stringify({ trace: traceFile, config, num_workers: o.numWorkers ?? 1, router_mode: o.routerMode ?? "round_robin" });
  const r = spawnSync(python, ["-c", HARNESS_PY], { input, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, RUST_LOG: "error", PYTHONWARNINGS: "ignore" } });
  if (r.status !== 0) throw new Error(`Dynamo planner replay exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join("\n")}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as DynamoPlannerReplay;
}

/** Can the planner venv run the planner replay (1.2.1's offline adapter imports plotly and prometheus_api_client)? */
export function dynamoPlannerReplayAvailable(python = dynamoPython()): boolean {
  if (!python) return false;
  return spawnSync(python, ["-c", "import dynamo.planner.offline.replay_adapter"], { stdio: "ignore", env: { ...process.env, PYTHONWARNINGS: "ignore" } }).status === 0;
}
