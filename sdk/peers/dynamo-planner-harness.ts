/**
 * Our driver of the installed Dynamo planner core (ai-dynamo's `PlannerStateMachine`, unmodified):
 * one Python process reads the planner step protocol as JSON lines on stdin and answers one line
 * per request on stdout. The same protocol is what `actlab planner step` speaks over the SDK's
 * state machine (sdk/planner/step.ts), so the two can be diffed line by line.
 *
 * Requests (snake_case, Dynamo's own field names):
 *   {"op":"init","config":{…PlannerConfig keys…},"capabilities":{"prefill":{…},"decode":{…}},"start_s":0}
 *   {"op":"bootstrap","prefill_fpms":[FPM],"decode_fpms":[FPM],"agg_fpms":[FPM],"traffic":[{num_req,isl,osl}]}
 *   {"op":"tick","tick":{ScheduledTick},"input":{"now_s","traffic","worker_counts","fpm_observations":{"prefill":[FPM],"decode":[FPM]}}}
 * FPM = {worker_id, dp_rank, wall_time, scheduled_requests:{…}, queued_requests:{…}} as in
 * dynamo.common.forward_pass_metrics. A NaN travels as the string "NaN" (JSON has no NaN).
 * Replies: {"op":"init","next_tick"} · {"op":"bootstrap","ok":true} · {"op":"tick","scale_to","next_tick","diagnostics"};
 * an exception answers {"op":…,"error":"Type: message"} and the process goes on.
 *
 * The script is kept here as text (it is ours; nothing of Dynamo's is copied) and run with
 * `python -c`, so it needs no file path at run time.
 */
export const PLANNER_HARNESS_PY = String.raw`
import json, math, sys, logging, warnings
logging.disable(logging.CRITICAL)
warnings.filterwarnings("ignore")
from dynamo.planner.config.planner_config import PlannerConfig
from dynamo.planner.core.state_machine import PlannerStateMachine
from dynamo.planner.core.types import (EngineCapabilities, FpmObservations, ScheduledTick, TickInput,
    TrafficObservation, WorkerCapabilities, WorkerCounts)
from dynamo.common.forward_pass_metrics import ForwardPassMetrics, ScheduledRequestMetrics, QueuedRequestMetrics
logging.disable(logging.CRITICAL)

def num(v):
    if v == "NaN":
        return float("nan")
    return v

def out_num(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v

def fpm(d):
    s = d.get("scheduled_requests") or {}
    q = d.get("queued_requests") or {}
    return ForwardPassMetrics(worker_id=str(d.get("worker_id", "")), dp_rank=int(d.get("dp_rank", 0)),
        wall_time=float(d.get("wall_time", 0.0)),
        scheduled_requests=ScheduledRequestMetrics(**s), queued_requests=QueuedRequestMetrics(**q))

def fpm_dict(lst):
    if lst is None:
        return None
    return {(f.worker_id, f.dp_rank): f for f in (fpm(x) for x in lst)}

def caps(d):
    return EngineCapabilities(**d) if d else None

def tick_out(t):
    return None if t is None else {k: out_num(getattr(t, k)) for k in ("at_s", "run_load_scaling",
        "run_throughput_scaling", "need_traffic_metrics", "traffic_metrics_duration_s", "need_worker_states", "need_worker_fpm")}

sm = None
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    op = None
    try:
        msg = json.loads(line)
        op = msg.get("op")
        if op == "init":
            c = msg.get("capabilities") or {}
            sm = PlannerStateMachine(PlannerConfig(**msg["config"]), WorkerCapabilities(prefill=caps(c.get("prefill")), decode=caps(c.get("decode"))))
            reply = {"op": op, "next_tick": tick_out(sm.initial_tick(float(msg.get("start_s", 0.0))))}
        elif op == "bootstrap":
            sm.load_benchmark_fpms(prefill_fpms=[fpm(x) for x in msg.get("prefill_fpms") or []] or None,
                decode_fpms=[fpm(x) for x in msg.get("decode_fpms") or []] or None,
                agg_fpms=[fpm(x) for x in msg.get("agg_fpms") or []] or None)
            tr = msg.get("traffic") or []
            if tr:
                sm.warm_load_predictors([TrafficObservation(duration_s=float(t.get("duration_s", 0.0)), num_req=num(t["num_req"]), isl=num(t["isl"]), osl=num(t["osl"])) for t in tr])
            reply = {"op": op, "ok": True}
        elif op == "tick":
            t = msg["tick"]
            i = msg["input"]
            tick = ScheduledTick(**t)
            tr = i.get("traffic")
            traffic = None if tr is None else TrafficObservation(duration_s=float(tr["duration_s"]), num_req=num(tr["num_req"]),
                isl=num(tr["isl"]), osl=num(tr["osl"]), kv_hit_rate=num(tr.get("kv_hit_rate")))
            wc = i.get("worker_counts")
            counts = None if wc is None else WorkerCounts(**wc)
            fo = i.get("fpm_observations")
            obs = None if fo is None else FpmObservations(prefill=fpm_dict(fo.get("prefill")), decode=fpm_dict(fo.get("decode")))
            eff = sm.on_tick(tick, TickInput(now_s=float(i["now_s"]), traffic=traffic, worker_counts=counts, fpm_observations=obs))
            st = eff.scale_to
            d = eff.diagnostics
            reply = {"op": op,
                "scale_to": None if st is None else {"num_prefill": st.num_prefill, "num_decode": st.num_decode},
                "next_tick": tick_out(eff.next_tick),
                "diagnostics": {k: out_num(v) for k, v in vars(d).items()}}
        else:
            reply = {"op": op, "error": "unknown op"}
    except Exception as e:
        reply = {"op": op, "error": type(e).__name__ + ": " + str(e).splitlines()[0] if str(e) else type(e).__name__}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
`;
