/**
 * A treatment function that runs a trace replay (sdk/replay) with the run's factors as replay
 * options, for sweeping router policy, worker counts, arrival speed-up, engine settings, …
 * Usable in-process or as a worker module (its default export).
 *
 * Factors map to `ReplayOptions` by name (`router`, `workers`, `mode`, `prefillWorkers`,
 * `decodeWorkers`, `arrivalSpeedupRatio`, `concurrency`, `overlapScoreWeight`, `engine.<field>`),
 * with the aliases `policy` → router and `speedup` → arrivalSpeedupRatio. Any other factor name is
 * an InputError listing these (a mistyped `routr` would otherwise replay the default router).
 * Params (top level, or an experiment's setup/run overrides): `trace` (a Mooncake/Azure file; default
 * the shared Mooncake conversation trace), `limit` (requests per run, default 200), `window` (when
 * set, each run replays `limit` consecutive requests starting at an offset chosen by its seed among
 * the first `window` requests — so replicates see different stretches of the workload, the
 * variation a deterministic simulator otherwise lacks). `workload` (an inference-perf config file,
 * or the same as a mapping) replaces the trace by the requests that config sends (sdk/trace/
 * inference-perf.ts, seeded by the run), and the run factors named as its shared-prefix keys
 * (`num_groups`, `num_prompts_per_group`, `system_prompt_len`, `question_len`, `output_len` and the
 * aliases `num_unique_system_prompts`, `num_users_per_system_prompt`) override that config's
 * `data.shared_prefix` — so llm-d-benchmark's shared-prefix run factors mean what they mean
 * upstream. The responses are the replay summary's numbers (non-finite → null).
 */
import { InputError } from "../core/errors.js";
import { sharedDataset } from "../core/paths.js";
import type { Cell } from "../core/rows.js";
import { replayTrace } from "../replay/replay.js";
import type { ReplayOptions } from "../replay/options.js";
import { ROUTER_POLICIES, type RouterPolicy } from "../replay/router.js";
import { parseAzure } from "../trace/azure.js";
import { parseMooncake } from "../trace/mooncake.js";
import { readTextFile } from "../trace/lines.js";
import type { TraceRequest } from "../trace/types.js";
import { inferencePerfTrace, parseInferencePerfConfig, readInferencePerfConfig } from "../trace/inference-perf.js";

export interface ReplayTreatmentInput {
  factors: Record<string, Cell>;
  seed: number;
  params?: Record<string, unknown>;
}

// Traces are read once per thread and reused across runs.
const traces = new Map<string, TraceRequest[]>();

function firstLines(path: string, limit: number): string {
  const text = readTextFile(path);
  let end = 0;
  for (let n = 0; n < limit && end !== -1; n++) {
    const next = text.indexOf("\n", end);
    end = next === -1 ? -1 : next + 1;
  }
  return end === -1 ? text : text.slice(0, end);
}

/** The first `limit` requests of a trace file (Mooncake JSONL, or Azure CSV by extension). */
export function traceHead(path: string, limit: number): TraceRequest[] {
  const key = `${path}\u0000${limit}`;
  let t = traces.get(key);
  if (!t) {
    const azure = /\.csv(\.gz)?$/i.test(path);
    const text = firstLines(path, azure ? limit + 1 : limit);
    t = (azure ? parseAzure(text, { source: path }) : parseMooncake(text, { source: path })).requests;
    traces.set(key, t);
  }
  return t;
}

/** Where a factor's problem is reported: the factor's key in the run (the sweep names the run). */
const at = (name: string) => ({ source: "replay treatment", path: `factors.${name}` });

function num(v: Cell | undefined, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(at(name), `a number, got ${typeof v === "string" ? `'${v}'` : String(v)}`);
  return v;
}

const FACTOR_NAMES = ["router", "policy", "mode", "workers", "prefillWorkers", "decodeWorkers", "speedup", "arrivalSpeedupRatio", "concurrency", "overlapScoreWeight", "engine.<field>"];

/** Replay options from factor values (see the module comment for the names understood). */
export function replayOptionsOf(factors: Record<string, Cell>, seed: number): ReplayOptions {
  const o: ReplayOptions = { seed };
  const engine: Record<string, number | boolean | string> = {};
  for (const [name, v] of Object.entries(factors)) {
    if (v === null) continue;
    switch (name) {
      case "router": case "policy":
        if (!(ROUTER_POLICIES as readonly string[]).includes(String(v))) throw new InputError(at(name), `one of ${ROUTER_POLICIES.join(", ")}, got '${String(v)}'`);
        o.router = String(v) as RouterPolicy; break;
      case "mode":
        if (v !== "agg" && v !== "disagg") throw new InputError(at(name), `agg or disagg, got '${String(v)}'`);
        o.mode = v; break;
      case "workers": o.workers = num(v, name); break;
      case "prefillWorkers": o.prefillWorkers = num(v, name); break;
      case "decodeWorkers": o.decodeWorkers = num(v, name); break;
      case "speedup": case "arrivalSpeedupRatio": o.arrivalSpeedupRatio = num(v, name); break;
      case "concurrency": o.concurrency = num(v, name); break;
      case "overlapScoreWeight": o.overlapScoreWeight = num(v, name); break;
      default:
        if (!name.startsWith("engine.")) throw new InputError(at(name), `a factor the replay understands (${FACTOR_NAMES.join(", ")}), got '${name}'`);
        engine[name.slice(7)] = v;
    }
  }
  if (Object.keys(engine).length) o.engine = engine as ReplayOptions["engine"];
  return o;
}

/** inference-perf `data.shared_prefix` keys a run factor may set when `params.workload` is given. */
export const WORKLOAD_FACTORS = ["num_groups", "num_prompts_per_group", "system_prompt_len", "question_len", "output_len", "num_unique_system_prompts", "num_users_per_system_prompt"];

/** The requests an inference-perf workload sends with the run's shared-prefix factors applied. */
export function workloadTrace(workload: unknown, factors: Record<string, Cell>, seed: number): TraceRequest[] {
  const w = typeof workload === "string" ? parseInferencePerfConfig(readTextFile(workload), workload) : readInferencePerfConfig(workload, "params.workload");
  const set = Object.entries(factors).filter(([k, v]) => WORKLOAD_FACTORS.includes(k) && v !== null);
  if (set.length && w.data.type !== "shared_prefix") throw new InputError(at(set[0]![0]), `a workload with data.type shared_prefix (this one is ${w.data.type})`);
  if (w.data.type === "shared_prefix") {
    const sp = { ...w.data.shared_prefix };
    for (const [k, v] of set) {
      const n = num(v, k);
      if (!Number.isInteger(n) || n < (k.startsWith("num_") ? 1 : 0)) throw new InputError(at(k), `an integer ≥ ${k.startsWith("num_") ? 1 : 0}, got ${n}`);
      if (k === "num_groups" || k === "num_unique_system_prompts") sp.num_groups = n;
      else if (k === "num_prompts_per_group" || k === "num_users_per_system_prompt") sp.num_prompts_per_group = n;
      else sp[k as "system_prompt_len" | "question_len" | "output_len"] = n;
    }
    w.data = { type: "shared_prefix", shared_prefix: sp };
  }
  return inferencePerfTrace(w, { seed });
}

export function replayTreatment(input: ReplayTreatmentInput): Record<string, Cell> {
  const raw = input.params ?? {};
  const sub = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const p: Record<string, unknown> = { ...raw, ...sub(raw.setup), ...sub(raw.run) };
  const workloadKeys = Object.keys(input.factors).filter((k) => WORKLOAD_FACTORS.includes(k));
  if (p.workload !== undefined) {
    const rest = Object.fromEntries(Object.entries(input.factors).filter(([k]) => !WORKLOAD_FACTORS.includes(k)));
    let requests = workloadTrace(p.workload, input.factors, input.seed);
    if (typeof p.limit === "number") requests = requests.slice(0, p.limit);
    return responses(replayTrace(requests, replayOptionsOf(rest, input.seed)).summary);
  }
  if (workloadKeys.length) throw new InputError(at(workloadKeys[0]!), "params.workload (an inference-perf config) for an inference-perf workload factor");
  const path = typeof p.trace === "string" ? p.trace : sharedDataset("mooncake/conversation_trace.jsonl");
  if (!path) throw new InputError({ source: "replay treatment", path: "params.trace" }, "a Mooncake/Azure trace file (none given, and the Mooncake conversation trace is not in datasets/traces/public/ or $ACTLAB_SHARED_DATASETS)");
  const limit = typeof p.limit === "number" ? p.limit : 200;
  const window = typeof p.window === "number" && p.window > limit ? p.window : undefined;
  let requests = traceHead(path, window ?? limit);
  if (window && requests.length > limit) {
    const start = input.seed % (requests.length - limit + 1);
    requests = requests.slice(start, start + limit);
  }
  return responses(replayTrace(requests, replayOptionsOf(input.factors, input.seed)).summary);
}

/** The replay summary's numbers as responses (factors and constants left out; non-finite → null). */
function responses(summary: object): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(summary)) {
    if (k === "mode" || k === "router" || k === "percentileMethod") continue; // factors or constants, not responses
    if (typeof v === "number") out[k] = Number.isFinite(v) ? v : null;
    else if (v === null) out[k] = null;
  }
  return out;
}

export default replayTreatment;
