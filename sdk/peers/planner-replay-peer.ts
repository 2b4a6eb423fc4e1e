/**
 * Dynamo's planner in the replay loop, unmodified: ai-dynamo 1.2.1's offline planner replay
 * (`dynamo.replay.main._run_planner_replay`, what `python -m dynamo.replay TRACE --planner-config`
 * runs: the mocker fleet plus the planner state machine) driven by our harness on a Mooncake trace
 * file, returning its scaling events and tick count. Without AIC (not installable from PyPI here)
 * 1.2.1 bootstraps no throughput regression and falls back to load-based scaling, so the
 * comparable configurations are load-scaling ones. Nothing of Dynamo's is copied.
 *
 * With `record`, the harness also logs every tick as the planner saw it, in the planner step
 * protocol's shape (sdk/planner/step.ts, Dynamo's own field names): the ScheduledTick, the TickInput
 * the replay adapter built (now_s, worker counts, the last-seen FPM per worker, the traffic window),
 * the extra forward passes the adapter fed straight to the regression that tick, and the planner's
 * reply (scale_to, diagnostics, every engine's estimate). It does so by wrapping the adapter's and
 * the state machine's methods in the harness process; their behaviour is unchanged.
 */
import { spawnSync } from "node:child_process";
import { dynamoPython } from "./install.js";
import type { StepCapabilities, StepFpm, StepRequest, StepTick } from "../planner/step.js";

export interface DynamoPlannerEvent {
  /** Replay time of the decision, seconds. */
  t: number;
  component: string;
  from: number;
  to: number;
  reason: string;
}

/** One planner tick of the replay, as the planner saw it (step-protocol shapes; `record` only). */
export interface DynamoPlannerTick {
  /** The ScheduledTick the planner asked for (its `at_s` is the scheduled time). */
  tick: StepTick;
  /** The TickInput the replay adapter built; `now_s` is the bridge's clock after `advance_to(at_s)`. */
  input: Extract<StepRequest, { op: "tick" }>["input"];
  /** Forward passes the adapter fed to the regressions directly this tick (all but each worker's last). */
  feed: { agg: StepFpm[]; prefill: StepFpm[]; decode: StepFpm[] };
  reply: {
    scale_to: { num_prefill: number | null; num_decode: number | null } | null;
    diagnostics: { estimated_ttft_ms: number | null; estimated_itl_ms: number | null; load_decision_reason: string | null; load_decision_reason_prefill: string | null; load_decision_reason_decode: string | null };
    /** Every engine's estimate (ms) by Dynamo's label ("agg TTFT", "agg ITL", …), before the decision. */
    estimates: Record<string, number[]>;
  };
}

export interface DynamoPlannerReplay {
  events: DynamoPlannerEvent[];
  ticks: number;
  /** With `record`: every tick's input and reply, and the capabilities the replay gave the planner. */
  tickLog?: DynamoPlannerTick[];
  capabilities?: { prefill: StepCapabilities | null; decode: StepCapabilities | null };
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
log, caps = [], {}
if spec.get("record"):
    import math
    import dynamo.planner.offline.replay_adapter as ra
    import dynamo.planner.core.load_scaling as ls
    SR = ("num_prefill_requests", "sum_prefill_tokens", "num_decode_requests", "sum_decode_kv_tokens")
    def clean(o):
        if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
            return "NaN" if math.isnan(o) else None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return o
    def fpm_out(f):
        return {"worker_id": f.worker_id, "dp_rank": f.dp_rank, "wall_time": f.wall_time,
            "scheduled_requests": {k: getattr(f.scheduled_requests, k) for k in SR},
            "queued_requests": {k: getattr(f.queued_requests, k) for k in SR}}
    def caps_out(c):
        return None if c is None else {k: getattr(c, k) for k in ("num_gpu", "max_num_batched_tokens", "max_num_seqs", "context_length", "max_kv_tokens")}
    A, SM = ra.ReplayPlannerAdapter, ra.PlannerStateMachine
    build0, feed0, on_tick0, decide0 = A._build_tick_input, A._feed_extra_fpm_to_regression, SM.on_tick, ls.LoadScalingMixin._scale_decision
    def feed(self, decode_snaps, prefill_snaps):
        got, wrapped = self._rec_feed, []
        for name, key in (("_agg_regression", "agg"), ("_prefill_regression", "prefill"), ("_decode_regression", "decode")):
            m = getattr(self._sm, name, None)
            if m is not None:
                m.add_observation = (lambda add, k: lambda f: (got[k].append(fpm_out(f)), add(f))[1])(m.add_observation, key)
                wrapped.append(m)
        try:
            return feed0(self, decode_snaps, prefill_snaps)
        finally:
            for m in wrapped:
                del m.add_observation
    def build(self, tick, result):
        if not caps:
            c = self._sm._capabilities
            caps.update({"prefill": caps_out(c.prefill), "decode": caps_out(c.decode)})
        self._rec_feed = {"agg": [], "prefill": [], "decode": []}
        ti = build0(self, tick, result)
        wc, fo, tr = ti.worker_counts, ti.fpm_observations, ti.traffic
        log.append({"tick": {k: getattr(tick, k) for k in ("at_s", "run_load_scaling", "run_throughput_scaling", "need_traffic_metrics", "traffic_metrics_duration_s", "need_worker_states", "need_worker_fpm")},
            "input": {"now_s": ti.now_s,
                "worker_counts": None if wc is None else {k: getattr(wc, k) for k in ("ready_num_prefill", "ready_num_decode", "expected_num_prefill", "expected_num_decode")},
                "fpm_observations": None if fo is None else {side: None if getattr(fo, side) is None else [fpm_out(f) for f in getattr(fo, side).values()] for side in ("prefill", "decode")},
                "traffic": None if tr is None else {k: getattr(tr, k) for k in ("duration_s", "num_req", "isl", "osl", "kv_hit_rate")}},
            "feed": self._rec_feed})
        return ti
    def decide(self, estimates, sla, num_workers, label, *, can_scale_down):
        self._rec_est[label] = list(estimates)
        return decide0(self, estimates, sla, num_workers, label, can_scale_down=can_scale_down)
    def on_tick(self, tick, tick_input):
        self._rec_est = {}
        eff = on_tick0(self, tick, tick_input)
        d, s = eff.diagnostics, eff.scale_to
        log[-1]["reply"] = {"scale_to": None if s is None else {"num_prefill": s.num_prefill, "num_decode": s.num_decode},
            "diagnostics": {k: getattr(d, k) for k in ("estimated_ttft_ms", "estimated_itl_ms", "load_decision_reason", "load_decision_reason_prefill", "load_decision_reason_decode")},
            "estimates": self._rec_est}
        return eff
    A._feed_extra_fpm_to_regression, A._build_tick_input, SM.on_tick, ls.LoadScalingMixin._scale_decision = feed, build, on_tick, decide
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
out = {"wallSeconds": wall, "events": events, "ticks": rep.total_ticks, "summary": {k: v for k, v in summary.items() if isinstance(v, (int, float, str)) or v is None}}
if spec.get("record"):
    out["tickLog"], out["capabilities"] = clean(log), clean(caps)
sys.stdout.write(json.dumps(out) + "\n")
`;

/** Runs Dynamo 1.2.1's planner replay of `traceFile` under `config` (Dynamo's planner config keys); `record` adds the tick log. Throws when not installed. */
export function runDynamoPlannerReplay(traceFile: string, config: Record<string, unknown>, o: { numWorkers?: number; routerMode?: "round_robin" | "kv_router"; record?: boolean } = {}, python = dynamoPython()): DynamoPlannerReplay {
  if (!python) throw new Error("the Dynamo planner (ai-dynamo 1.2.1) is not installed; run: node bin/actlab.js peers install");
  const input = JSON.stringify({ trace: traceFile, config, num_workers: o.numWorkers ?? 1, router_mode: o.routerMode ?? "round_robin", record: o.record ?? false });
  const r = spawnSync(python, ["-c", HARNESS_PY], { input, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, RUST_LOG: "error", PYTHONWARNINGS: "ignore" } });
  if (r.status !== 0) throw new Error(`Dynamo planner replay exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join("\n")}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as DynamoPlannerReplay;
}

/** Can the planner venv run the planner replay (1.2.1's offline adapter imports plotly and prometheus_api_client)? */
export function dynamoPlannerReplayAvailable(python = dynamoPython()): boolean {
  if (!python) return false;
  return spawnSync(python, ["-c", "import dynamo.planner.offline.replay_adapter"], { stdio: "ignore", env: { ...process.env, PYTHONWARNINGS: "ignore" } }).status === 0;
}
