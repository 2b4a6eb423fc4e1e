/**
 * The installed `dynamo.replay` (ai-dynamo's offline mocker replay, unmodified) driven by our
 * harness: one Python process runs every requested configuration over one Mooncake trace file and
 * prints one JSON summary per run (Dynamo's report keys) plus the wall time of the call, measured
 * around `run_trace_replay` in that process. Nothing of Dynamo's is copied.
 */
import { spawnSync } from "node:child_process";
import { dynamoReplayPython } from "./install.js";

/** One replay configuration, in `run_trace_replay`'s own argument names. */
export interface DynamoReplayRun {
  name: string;
  /** agg: `num_workers`; disagg: prefill/decode pools with `worker_type` engine args. */
  mode: "agg" | "disagg";
  num_workers?: number;
  num_prefill_workers?: number;
  num_decode_workers?: number;
  router_mode: "round_robin" | "kv_router";
  /** Repeat the call this many times (wall times of each are returned). */
  repeats?: number;
}

export interface DynamoReplayResult {
  name: string;
  summary: Record<string, number | string | null>;
  /** Seconds around each `run_trace_replay` call. */
  wallSeconds: number[];
  error?: string;
}

const HARNESS_PY = String.raw`
import json, sys, time, logging
logging.disable(logging.CRITICAL)
from dynamo.replay import run_trace_replay
spec = json.load(sys.stdin)
for run in spec["runs"]:
    kw = {"router_mode": run["router_mode"]}
    if run["mode"] == "disagg":
        kw.update(prefill_engine_args={"engine": {"worker_type": "prefill"}}, decode_engine_args={"engine": {"worker_type": "decode"}},
                  num_prefill_workers=run.get("num_prefill_workers", 1), num_decode_workers=run.get("num_decode_workers", 1))
    else:
        kw.update(num_workers=run.get("num_workers", 1))
    walls = []
    out = {"name": run["name"]}
    try:
        for _ in range(int(run.get("repeats", 1))):
            t0 = time.perf_counter()
            rep = run_trace_replay([spec["trace"]], **kw)
            walls.append(time.perf_counter() - t0)
        out["summary"] = {k: v for k, v in rep.to_dict()["summary"].items() if isinstance(v, (int, float, str)) or v is None}
    except Exception as e:
        out["error"] = type(e).__name__ + ": " + str(e).splitlines()[0]
        out["summary"] = {}
    out["wallSeconds"] = walls
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
`;

/** Runs `runs` over `traceFile` in one Python process; throws when dynamo.replay is not installed. */
export function runDynamoReplay(traceFile: string, runs: readonly DynamoReplayRun[], python = dynamoReplayPython()): DynamoReplayResult[] {
  if (!python) throw new Error("ai-dynamo (dynamo.replay) is not installed; run: node bin/actlab.js peers install");
  const r = spawnSync(python, ["-c", HARNESS_PY], { input: JSON.stringify({ trace: traceFile, runs }), encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, RUST_LOG: "error" } });
  if (r.status !== 0) throw new Error(`dynamo.replay harness exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-5).join("\n")}`);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as DynamoReplayResult);
}
