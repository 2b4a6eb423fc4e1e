/** `actlab replay TRACE [options] [--json]`: replay a trace against a simulated fleet and summarise it. */
import { join } from "node:path";
import { toCsv, writeFileAtomic } from "../../core/rows.js";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/defaults.js";
import { stepTimeProfile } from "../../engine/step-time-spec.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type Trace, type TraceRequest } from "../../trace/types.js";
import type { ReplaySummary } from "../../replay/results.js";
import type { EngineConfig } from "../../engine/config.js";
import { loadTrace, traceFormatOf, type TraceFormat } from "../../trace/load.js";
import { replayTrace } from "../../replay/replay.js";
import { ROUTER_POLICIES, type RouterPolicy } from "../../replay/router.js";
import type { ReplayOptions } from "../../replay/options.js";
import { Progress } from "../../core/progress.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";
import { runPlannerCli } from "../../planner/cli-run.js";

const usage = `Usage: actlab replay TRACE [options] [--json]

Replays a Mooncake JSONL (or Azure CSV) trace against a simulated vLLM-style fleet on a virtual clock
(Dynamo mocker semantics) and prints the summary.
  --mode agg|disagg            fleet layout (default agg)
  --workers N                  aggregated workers (default 1)
  --prefill-workers N          disagg prefill workers (default 1)
  --decode-workers N           disagg decode workers (default 1)
  --router P                   round-robin | random | least-loaded | kv (default round-robin)
  --router-queue-threshold X   hold requests at the router while every worker has > X × MBT active tokens
  --speedup R                  arrival speed-up ratio (default 1)
  --concurrency N              keep N requests in flight instead of following timestamps
  --num-gpu-blocks N           KV blocks per worker (default ${DEFAULT_ENGINE_CONFIG.numGpuBlocks})
  --block-size N               KV block size in tokens (default ${DEFAULT_ENGINE_CONFIG.blockSize})
  --max-num-batched-tokens N   token budget per pass (default ${DEFAULT_ENGINE_CONFIG.maxNumBatchedTokens})
  --max-num-seqs N             running sequences per worker (default ${DEFAULT_ENGINE_CONFIG.maxNumSeqs})
  --no-prefix-caching          disable prefix caching
  --step-time NAME             step-time profile (default dynamo-polynomial)
  --kv-bytes-per-token N       disagg KV transfer size per token
  --kv-bandwidth-gbps N        disagg KV transfer bandwidth (GB/s)
  --trace-block-size N         tokens per hash id (default 512)
  --head N                     replay only the first N requests
  --ttft-sla MS, --itl-sla MS  SLA targets for attainment (default 500, 50)
  --seed N                     router tie-break seed (default 1)
  --out DIR                    also write requests.csv, intervals.csv, summary.json there
  --json                       print the summary as JSON
  --lenient                    skip the trace's bad lines (named on standard error) instead of failing
  --max-workers N              refuse fleets larger than N workers (default 4096, a guard against typos)
  --planner CONFIG             steer the fleet with the Dynamo-style planner (JSON/YAML file or inline JSON);
                               writes summary.json, decisions.jsonl, scaling-events.csv, actuations.csv and the
                               diagnostics report to --out (default: the config's report_output_dir)`;

/** How many TTFT SLAs a median TTFT must exceed before the fleet counts as overloaded. */
const OVERLOAD_FACTOR = 10;

/**
 * A fleet too small for the trace queues requests without bound, and TTFT p50 grows to minutes (one
 * worker on the Mooncake trace: 29 s). Say so, with the offered rate against the served one and a
 * fleet size that would keep up.
 */
export function overloadHint(s: ReplaySummary, requests: readonly TraceRequest[], options: ReplayOptions): string | undefined {
  if (s.ttftP50Ms === null || !(s.ttftP50Ms > OVERLOAD_FACTOR * s.slaTtftMs) || requests.length < 2) return undefined;
  const ts = requests.map((r) => r.timestamp);
  const spanS = (Math.max(...ts) - Math.min(...ts)) / 1000 / (options.arrivalSpeedupRatio ?? 1);
  if (!(spanS > 0) || !(s.requestThroughputRps > 0)) return undefined;
  const offered = requests.length / spanS;
  const fleet = options.mode === "disagg" ? `${options.prefillWorkers} prefill + ${options.decodeWorkers} decode workers` : `${options.workers} worker${options.workers === 1 ? "" : "s"}`;
  const flag = options.mode === "disagg" ? "--prefill-workers/--decode-workers" : `--workers ${Math.ceil((options.workers ?? 1) * (offered / s.requestThroughputRps) * 1.25)}`;
  return `hint: the fleet is overloaded (TTFT p50 ${(s.ttftP50Ms / 1000).toFixed(1)} s, over ${OVERLOAD_FACTOR}× the ${s.slaTtftMs} ms SLA): ${fleet} served ${s.requestThroughputRps.toFixed(2)} req/s of the ${offered.toFixed(2)} req/s the trace offers; try ${flag}, or --planner CONFIG to scale with the load`;
}

export const command: Command = {
  name: "replay",
  summary: "replay a trace against a simulated engine fleet (TTFT/ITL, cache reuse, load)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      mode: { type: "string" },
      lenient: { type: "boolean" },
      workers: { type: "string" },
      "prefill-workers": { type: "string" },
      "decode-workers": { type: "string" },
      router: { type: "string" },
      speedup: { type: "string" },
      concurrency: { type: "string" },
      "num-gpu-blocks": { type: "string" },
      "block-size": { type: "string" },
      "max-num-batched-tokens": { type: "string" },
      "max-num-seqs": { type: "string" },
      "no-prefix-caching": { type: "boolean" },
      "step-time": { type: "string" },
      "kv-bytes-per-token": { type: "string" },
      "kv-bandwidth-gbps": { type: "string" },
      "trace-block-size": { type: "string" },
      head: { type: "string" },
      "ttft-sla": { type: "string" },
      "itl-sla": { type: "string" },
      "router-queue-threshold": { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
      format: { type: "string" },
      planner: { type: "string" },
      "max-workers": { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one TRACE file");
    const path = positionals[0]!;
    const mode = values.mode ?? "agg";
    if (mode !== "agg" && mode !== "disagg") throw new UsageError(`--mode expects agg or disagg, got '${mode}'`);
    const router = (values.router ?? "round-robin") as RouterPolicy;
    if (!ROUTER_POLICIES.includes(router)) throw new UsageError(`--router expects one of ${ROUTER_POLICIES.join(", ")}, got '${values.router}'`);
    const int = (flag: string, v: string | undefined, d: number) => {
      const n = numberOption(v, flag, d, 1);
      if (!Number.isInteger(n)) throw new UsageError(`--${flag} expects an integer, got '${v}'`);
      return n;
    };
    const stepTime = values["step-time"] ?? DEFAULT_ENGINE_CONFIG.stepTime;
    try {
      stepTimeProfile(stepTime);
    } catch (err) {
      throw new UsageError(`--step-time: ${(err as Error).message}`);
    }
    const d = DEFAULT_ENGINE_CONFIG;
    const engine: Partial<EngineConfig> = {
      numGpuBlocks: int("num-gpu-blocks", values["num-gpu-blocks"], d.numGpuBlocks),
      blockSize: int("block-size", values["block-size"], d.blockSize),
      maxNumBatchedTokens: int("max-num-batched-tokens", values["max-num-batched-tokens"], d.maxNumBatchedTokens),
      maxNumSeqs: int("max-num-seqs", values["max-num-seqs"], d.maxNumSeqs),
      enablePrefixCaching: !values["no-prefix-caching"],
      stepTime,
    };
    const traceBlockSize = int("trace-block-size", values["trace-block-size"], DEFAULT_TRACE_BLOCK_SIZE);
    const format = (values.format ?? traceFormatOf(path)) as TraceFormat;
    // The trace value carries its block size to the replay (not passed again in the options).
    const loaded = loadTrace(path, { format, traceBlockSize, lenient: values.lenient ?? false });
    // Lenient reading keeps going, but never silently: how many lines, and the first ones, by number.
    if (loaded.report.skipped > 0) {
      process.stderr.write(`warning: ${path}: skipped ${loaded.report.skipped} bad line${loaded.report.skipped === 1 ? "" : "s"} (--lenient)\n`);
      for (const p of loaded.report.problems.slice(0, 3)) process.stderr.write(`  line ${p.line}: ${p.message}\n`);
    }
    const trace: Trace = values.head !== undefined ? { ...loaded, requests: loaded.requests.slice(0, int("head", values.head, loaded.requests.length)) } : loaded;
    const requests = trace.requests;
    const options: ReplayOptions = {
      mode,
      workers: int("workers", values.workers, 1),
      prefillWorkers: int("prefill-workers", values["prefill-workers"], 1),
      decodeWorkers: int("decode-workers", values["decode-workers"], 1),
      router,
      engine,
      arrivalSpeedupRatio: numberOption(values.speedup, "speedup", 1, 1e-9),
      seed: numberOption(values.seed, "seed", 1),
      sla: { ttftMs: numberOption(values["ttft-sla"], "ttft-sla", 500, 0), itlMs: numberOption(values["itl-sla"], "itl-sla", 50, 0) },
    };
    // A typo like --workers 1e9 would allocate until the machine runs out of memory; refuse it up front.
    const maxWorkers = int("max-workers", values["max-workers"], 4096);
    for (const [flag, n] of [["workers", options.workers], ["prefill-workers", options.prefillWorkers], ["decode-workers", options.decodeWorkers]] as const) {
      if (n! > maxWorkers) throw new UsageError(`--${flag} ${n} exceeds the limit of ${maxWorkers} workers; raise it with --max-workers N`);
    }
    // A request larger than a worker's KV cache can never run; say so before the replay starts.
    const blocks = engine.numGpuBlocks!;
    const blockSize = engine.blockSize!;
    const worst = requests.reduce((w, r, i) => (Math.ceil((r.input_length + r.output_length) / blockSize) > w.need ? { need: Math.ceil((r.input_length + r.output_length) / blockSize), i } : w), { need: 0, i: -1 });
    if (worst.need > blocks) {
      throw new UsageError(`--num-gpu-blocks expects ≥ ${worst.need} (request ${worst.i} of ${path} needs ${worst.need} blocks of ${blockSize} tokens), got ${blocks}`);
    }
    if (values["router-queue-threshold"] !== undefined) options.routerQueueThreshold = numberOption(values["router-queue-threshold"], "router-queue-threshold", 4, 0);
    if (values.concurrency !== undefined) options.concurrency = int("concurrency", values.concurrency, 1);
    if (values["kv-bytes-per-token"] !== undefined || values["kv-bandwidth-gbps"] !== undefined) {
      options.kvTransfer = { bytesPerToken: numberOption(values["kv-bytes-per-token"], "kv-bytes-per-token", 0, 0), bandwidthGBps: numberOption(values["kv-bandwidth-gbps"], "kv-bandwidth-gbps", 64, 1e-9) };
    }
    if (values.planner !== undefined) return runPlannerCli(trace, values.planner, options, { out: values.out, json: values.json === true });
    const progress = new Progress({ label: "replay", total: requests.length, mode: !values.json && process.stderr.isTTY ? "bar" : "silent" });
    let done = 0;
    options.onEvent = (e) => { if (e.type === "finish") { done++; if (done % 500 === 0) progress.tick(500); } };
    const result = replayTrace(trace, options);
    progress.finish();
    const s = result.summary;
    if (values.out) {
      writeFileAtomic(join(values.out, "requests.csv"), toCsv(result.requests));
      writeFileAtomic(join(values.out, "intervals.csv"), toCsv(result.intervals));
      writeFileAtomic(join(values.out, "summary.json"), JSON.stringify(s, null, 2) + "\n");
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(s, null, 2) + "\n");
      return 0;
    }
    const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? "–" : v.toFixed(d));
    const fleet = mode === "agg" ? `${options.workers} workers` : `${options.prefillWorkers} prefill + ${options.decodeWorkers} decode workers`;
    const lines = [
      `replay of ${path}: ${s.requests} requests, ${mode}, ${fleet}, router ${router}`,
      `  completed      ${s.completed} in ${f(s.durationMs / 1000)} s simulated; ${f(s.requestThroughputRps, 2)} req/s, ${f(s.outputTokensPerS, 0)} output tok/s`,
      `  TTFT ms        mean ${f(s.ttftMeanMs)}  p50 ${f(s.ttftP50Ms)}  p90 ${f(s.ttftP90Ms)}  p99 ${f(s.ttftP99Ms)}`,
      `  ITL ms         mean ${f(s.itlMeanMs, 2)}  p50 ${f(s.itlP50Ms, 2)}  p90 ${f(s.itlP90Ms, 2)}  p99 ${f(s.itlP99Ms, 2)}  (per token)`,
      `  TPOT ms        mean ${f(s.tpotMeanMs, 2)}  p50 ${f(s.tpotP50Ms, 2)}  p90 ${f(s.tpotP90Ms, 2)}  p99 ${f(s.tpotP99Ms, 2)}  (per request)`,
      `  E2E ms         mean ${f(s.e2eMeanMs)}  p50 ${f(s.e2eP50Ms)}  p90 ${f(s.e2eP90Ms)}  p99 ${f(s.e2eP99Ms)}`,
      `  prefix reuse   ${f(100 * s.prefixCacheReusedRatio)}% of input tokens; KV hit rate ${f(100 * s.avgKvHitRate)}% (mean per request)`,
      `  SLA            TTFT ≤ ${s.slaTtftMs} ms: ${f(100 * (s.ttftAttainment ?? NaN))}%, ITL ≤ ${s.slaItlMs} ms: ${f(100 * (s.itlAttainment ?? NaN))}%, both: ${f(100 * (s.slaAttainment ?? NaN))}%`,
      `  preemptions    ${s.preemptions}; passes ${s.passes}; percentiles ${s.percentileMethod}`,
    ];
    const hint = overloadHint(s, requests, options);
    if (hint) lines.push(hint);
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
