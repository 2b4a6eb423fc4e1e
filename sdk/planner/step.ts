/**
 * The planner step protocol over the SDK's state machine: Dynamo's snake_case `init` / `bootstrap`
 * / `tick` requests (its ScheduledTick, TickInput, ForwardPassMetrics and TickDiagnostics field
 * names) in, one reply each out. `actlab planner step` speaks it as JSON lines, and the installed
 * Dynamo planner core speaks it through sdk/peers/dynamo-planner-harness.ts, so the two can be
 * diffed line by line. Pure: a session holds one state machine; no I/O.
 */
import { InputError } from "../core/errors.js";
import { parsePlannerConfig } from "./config.js";
import type { FpmPoint } from "./regression.js";
import { PlannerStateMachine } from "./state-machine.js";
import type { ScheduledTick, TickDiagnostics, TickInput, WorkerFpm } from "./types.js";

/** JSON has no NaN: the protocol writes it as the string "NaN". */
export type Num = number | "NaN";

export interface StepCapabilities {
  num_gpu?: number | null;
  max_num_batched_tokens?: number | null;
  max_num_seqs?: number | null;
  context_length?: number | null;
  max_kv_tokens?: number | null;
}

/** dynamo.common.forward_pass_metrics.ForwardPassMetrics, the fields the planner reads. */
export interface StepFpm {
  worker_id?: string;
  dp_rank?: number;
  wall_time?: number;
  scheduled_requests?: { num_prefill_requests?: number; sum_prefill_tokens?: number; num_decode_requests?: number; sum_decode_kv_tokens?: number; [k: string]: unknown };
  queued_requests?: { num_prefill_requests?: number; sum_prefill_tokens?: number; num_decode_requests?: number; sum_decode_kv_tokens?: number; [k: string]: unknown };
}

export interface StepTick {
  at_s: number;
  run_load_scaling: boolean;
  run_throughput_scaling: boolean;
  need_traffic_metrics: boolean;
  traffic_metrics_duration_s: number;
  need_worker_states: boolean;
  need_worker_fpm: boolean;
}

export interface StepTraffic {
  duration_s: number;
  num_req: Num;
  isl: Num;
  osl: Num;
  kv_hit_rate?: Num | null;
}

export type StepRequest =
  | { op: "init"; config: Record<string, unknown>; capabilities?: { prefill?: StepCapabilities | null; decode?: StepCapabilities | null }; start_s?: number }
  | { op: "bootstrap"; prefill_fpms?: StepFpm[]; decode_fpms?: StepFpm[]; agg_fpms?: StepFpm[]; traffic?: { num_req: Num; isl: Num; osl: Num }[] }
  | {
      op: "tick";
      tick: Partial<StepTick> & { at_s: number };
      input: {
        now_s: number;
        traffic?: StepTraffic | null;
        worker_counts?: { ready_num_prefill?: number | null; ready_num_decode?: number | null; expected_num_prefill?: number | null; expected_num_decode?: number | null } | null;
        fpm_observations?: { prefill?: StepFpm[] | null; decode?: StepFpm[] | null } | null;
      };
    };

/** Dynamo's TickDiagnostics field names. */
export interface StepDiagnostics {
  estimated_ttft_ms: number | null;
  estimated_itl_ms: number | null;
  predicted_num_req: number | null;
  predicted_isl: number | null;
  predicted_osl: number | null;
  predicted_kv_hit_rate: number | null;
  engine_rps_prefill: number | null;
  engine_rps_decode: number | null;
  throughput_lower_bound_prefill: number | null;
  throughput_lower_bound_decode: number | null;
  load_decision_reason: string | null;
  throughput_decision_reason: string | null;
  load_decision_reason_prefill: string | null;
  load_decision_reason_decode: string | null;
  throughput_decision_reason_prefill: string | null;
  throughput_decision_reason_decode: string | null;
}

export type StepReply =
  | { op: "init"; next_tick: StepTick }
  | { op: "bootstrap"; ok: true }
  | { op: "tick"; scale_to: { num_prefill: number | null; num_decode: number | null } | null; next_tick: StepTick; diagnostics: StepDiagnostics }
  | { op: string | null; error: string };

const toNum = (v: Num | null | undefined): number => (v === "NaN" || v === null || v === undefined ? NaN : v);

/** Dynamo's long key names (ttft_ms, *_seconds) as the SDK's (Dynamo accepts both). */
const KEY_ALIASES: Record<string, string> = {
  ttft_ms: "ttft",
  itl_ms: "itl",
  throughput_adjustment_interval_seconds: "throughput_adjustment_interval",
  load_adjustment_interval_seconds: "load_adjustment_interval",
};
/** Dynamo keys with no SDK meaning in a step (deployment plumbing); dropped, not rejected. */
const IGNORED_KEYS = new Set(["environment", "namespace", "backend", "log_dir", "advisory", "model_name", "no_operation", "min_gpu_budget"]);

function point(f: StepFpm): FpmPoint {
  const s = f.scheduled_requests ?? {};
  return { numPrefill: s.num_prefill_requests ?? 0, sumPrefillTokens: s.sum_prefill_tokens ?? 0, numDecode: s.num_decode_requests ?? 0, sumDecodeKvTokens: s.sum_decode_kv_tokens ?? 0, wallTimeS: f.wall_time ?? 0 };
}

function workerFpm(f: StepFpm): WorkerFpm {
  const q = f.queued_requests ?? {};
  return { ...point(f), workerId: String(f.worker_id ?? ""), dpRank: f.dp_rank ?? 0, queuedPrefillTokens: q.sum_prefill_tokens ?? 0, queuedDecodeKvTokens: q.sum_decode_kv_tokens ?? 0 };
}

function tickOut(t: ScheduledTick): StepTick {
  return { at_s: t.at, run_load_scaling: t.runLoad, run_throughput_scaling: t.runThroughput, need_traffic_metrics: t.needTraffic, traffic_metrics_duration_s: t.trafficDurationS, need_worker_states: true, need_worker_fpm: t.needWorkerFpm };
}

/** One planner in the step protocol. `handle` never throws: a bad request gets an `error` reply. */
export class PlannerStepSession {
  private sm: PlannerStateMachine | undefined;

  /** The state machine behind the session (after `init`), for callers that inspect its models. */
  get machine(): PlannerStateMachine | undefined {
    return this.sm;
  }

  handle(req: StepRequest): StepReply {
    try {
      if (req.op === "init") return this.init(req);
      const sm = this.sm;
      if (!sm) throw new InputError({ source: "planner step", path: "op" }, `expected an "init" request first, got "${req.op}"`);
      if (req.op === "bootstrap") {
        const pre = (req.prefill_fpms ?? []).map(point);
        const dec = (req.decode_fpms ?? []).map(point);
        const agg = (req.agg_fpms ?? []).map(point);
        // Dynamo loads agg FPMs only in agg mode and prefill/decode ones only outside it.
        if (sm.config.mode === "agg") sm.bootstrap({ prefill: agg, decode: [] });
        else sm.bootstrap({ prefill: pre, decode: dec });
        if (req.traffic?.length) sm.warmTraffic(req.traffic.map((t) => ({ numReq: toNum(t.num_req), isl: toNum(t.isl), osl: toNum(t.osl) })));
        return { op: "bootstrap", ok: true };
      }
      if (req.op === "tick") return this.tick(sm, req);
      throw new InputError({ source: "planner step", path: "op" }, `expected "init", "bootstrap" or "tick", got ${JSON.stringify((req as { op?: unknown }).op)}`);
    } catch (e) {
      const op = (req as { op?: unknown } | null)?.op;
      return { op: typeof op === "string" ? op : null, error: e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e) };
    }
  }

  private init(req: Extract<StepRequest, { op: "init" }>): StepReply {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.config ?? {})) {
      if (IGNORED_KEYS.has(k)) continue;
      raw[KEY_ALIASES[k] ?? k] = v;
    }
    const caps = (c: StepCapabilities | null | undefined) =>
      c && c.max_num_batched_tokens && c.max_num_seqs && c.max_kv_tokens ? { max_num_batched_tokens: c.max_num_batched_tokens, max_num_seqs: c.max_num_seqs, max_kv_tokens: c.max_kv_tokens } : undefined;
    const p = req.capabilities?.prefill;
    const d = req.capabilities?.decode;
    if (p?.num_gpu !== undefined && raw.prefill_engine_num_gpu === undefined) raw.prefill_engine_num_gpu = p.num_gpu;
    if (d?.num_gpu !== undefined && raw.decode_engine_num_gpu === undefined) raw.decode_engine_num_gpu = d.num_gpu;
    const config = parsePlannerConfig(raw, { source: "planner step init.config", engineCapabilities: { prefill: caps(p), decode: caps(d) } });
    this.sm = new PlannerStateMachine(config);
    return { op: "init", next_tick: tickOut(this.sm.initialTick(req.start_s ?? 0)) };
  }

  private tick(sm: PlannerStateMachine, req: Extract<StepRequest, { op: "tick" }>): StepReply {
    const t = req.tick;
    const i = req.input;
    const tick: ScheduledTick = { at: t.at_s, runLoad: t.run_load_scaling ?? false, runThroughput: t.run_throughput_scaling ?? false, needTraffic: t.need_traffic_metrics ?? false, trafficDurationS: t.traffic_metrics_duration_s ?? 0, needWorkerFpm: t.need_worker_fpm ?? false };
    const wc = i.worker_counts ?? {};
    const readyP = wc.ready_num_prefill ?? 0;
    const readyD = wc.ready_num_decode ?? 0;
    const tr = i.traffic;
    const fo = i.fpm_observations;
    const input: TickInput = {
      now: i.now_s,
      // Dynamo: no expected count means no scaling in flight.
      counts: { prefill: { ready: readyP, expected: wc.expected_num_prefill ?? readyP }, decode: { ready: readyD, expected: wc.expected_num_decode ?? readyD } },
      fpm: fo ? { prefill: (fo.prefill ?? []).map(workerFpm), decode: (fo.decode ?? []).map(workerFpm) } : undefined,
      traffic: tr ? { durationS: tr.duration_s, numReq: toNum(tr.num_req), isl: toNum(tr.isl), osl: toNum(tr.osl), ttftMs: NaN, itlMs: NaN, kvHitRate: tr.kv_hit_rate === null || tr.kv_hit_rate === undefined ? null : toNum(tr.kv_hit_rate) } : undefined,
    };
    const eff = sm.onTick(tick, input);
    const s = eff.scaleTo;
    return {
      op: "tick",
      scale_to: s ? { num_prefill: s.prefill ?? null, num_decode: s.decode ?? null } : null,
      next_tick: tickOut(eff.nextTick),
      diagnostics: diagnosticsOut(eff.diagnostics, sm.config.mode === "agg"),
    };
  }
}

/** The SDK's diagnostics under Dynamo's names (agg: Dynamo reports the one engine rate on both sides). */
export function diagnosticsOut(d: TickDiagnostics, agg: boolean): StepDiagnostics {
  return {
    estimated_ttft_ms: d.estimatedTtftMs,
    estimated_itl_ms: d.estimatedItlMs,
    predicted_num_req: d.predictedNumReq,
    predicted_isl: d.predictedIsl,
    predicted_osl: d.predictedOsl,
    predicted_kv_hit_rate: d.predictedKvHitRate,
    engine_rps_prefill: agg ? d.engineRpsDecode : d.engineRpsPrefill,
    engine_rps_decode: d.engineRpsDecode,
    // In agg the prefill floor is never touched: Dynamo reports its initial 1.
    throughput_lower_bound_prefill: d.throughputLowerBoundPrefill ?? 1,
    throughput_lower_bound_decode: d.throughputLowerBoundDecode,
    load_decision_reason: d.loadReason,
    throughput_decision_reason: d.throughputReason,
    load_decision_reason_prefill: agg ? null : d.loadReasonPrefill,
    load_decision_reason_decode: agg ? null : d.loadReasonDecode,
    throughput_decision_reason_prefill: agg ? null : d.throughputReasonPrefill,
    throughput_decision_reason_decode: agg ? null : d.throughputReasonDecode,
  };
}
