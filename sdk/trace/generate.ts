/**
 * Seeded synthetic traces in the Mooncake shape (with hash ids): Poisson, Gamma (bursty, by CV)
 * and diurnal arrivals; independent requests, shared-prefix groups (the inference-perf
 * `shared_prefix_synthetic` shape: num_groups, prompts per group, system_prompt_len, question_len,
 * output_len) and multi-turn sessions whose turns extend the previous prompt + answer.
 * Every draw comes from the passed seed's named streams: same options, same trace.
 */
import { rng as makeRng, type Rng, type Seed } from "../core/rng.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest } from "./types.js";
import { STREAMS } from "../core/streams.js";

export type ArrivalSpec =
  | { kind: "poisson"; rateRps: number }
  /** Gamma inter-arrivals with the given coefficient of variation (CV > 1 is burstier than Poisson). */
  | { kind: "gamma"; rateRps: number; cv: number }
  /** Poisson with rate meanRps·(1 + amplitude·sin(2π(t + phaseS)/periodS)), by thinning. */
  | { kind: "diurnal"; meanRps: number; amplitude: number; periodS: number; phaseS?: number };

export type LengthSpec = number | { lognormal: { median: number; sigma: number }; min?: number; max?: number } | { uniform: [number, number] };

/**
 * Arrival times in ms from 0: `count` of them, or all before `durationS`.
 *
 * @example
 * ```ts
 * const at = arrivalTimes({ kind: "gamma", rateRps: 4, cv: 2 }, rng(1).split("arrivals"), { durationS: 60 });
 * ```
 */
export function arrivalTimes(spec: ArrivalSpec, r: Rng, limit: { count?: number; durationS?: number }): number[] {
  const count = limit.count ?? Infinity;
  const end = (limit.durationS ?? Infinity) * 1000;
  if (count === Infinity && end === Infinity) throw new RangeError("arrivalTimes: give a count or a duration");
  const out: number[] = [];
  let t = 0;
  switch (spec.kind) {
    case "poisson": {
      if (!(spec.rateRps > 0)) throw new RangeError(`poisson: rateRps must be > 0, got ${spec.rateRps}`);
      for (;;) {
        t += r.exponential(spec.rateRps / 1000);
        if (t >= end || out.length >= count) break;
        out.push(t);
      }
      break;
    }
    case "gamma": {
      if (!(spec.rateRps > 0) || !(spec.cv > 0)) throw new RangeError(`gamma: rateRps and cv must be > 0`);
      const shape = 1 / (spec.cv * spec.cv);
      const scale = 1000 / spec.rateRps / shape;
      for (;;) {
        t += r.gamma(shape, scale);
        if (t >= end || out.length >= count) break;
        out.push(t);
      }
      break;
    }
    case "diurnal": {
      const { meanRps, amplitude, periodS } = spec;
      if (!(meanRps > 0) || !(amplitude >= 0 && amplitude <= 1) || !(periodS > 0)) throw new RangeError("diurnal: meanRps > 0, amplitude in [0, 1], periodS > 0");
      const phase = (spec.phaseS ?? 0) * 1000;
      const max = meanRps * (1 + amplitude);
      for (;;) {
        t += r.exponential(max / 1000);
        if (t >= end || out.length >= count) break;
        const rate = meanRps * (1 + amplitude * Math.sin((2 * Math.PI * (t + phase)) / (periodS * 1000)));
        if (r.random() * max < rate) out.push(t);
      }
      break;
    }
  }
  return out;
}

/**
 * One integer length ≥ 1 from a spec.
 *
 * @example
 * ```ts
 * const isl = drawLength({ lognormal: { median: 2000, sigma: 0.6 }, min: 16 }, rng(1).split("isl"));
 * ```
 */
export function drawLength(spec: LengthSpec, r: Rng): number {
  let v: number;
  if (typeof spec === "number") v = spec;
  else if ("uniform" in spec) v = spec.uniform[0] + r.int(spec.uniform[1] - spec.uniform[0] + 1);
  else {
    v = Math.round(r.lognormal(Math.log(spec.lognormal.median), spec.lognormal.sigma));
    if (spec.min !== undefined) v = Math.max(spec.min, v);
    if (spec.max !== undefined) v = Math.min(spec.max, v);
  }
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`length spec gave ${v}; lengths must be integers ≥ 1`);
  return v;
}

/** Fresh hash ids in order. */
class HashIds {
  private next = 0;
  take(n: number): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.next++;
    return out;
  }
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

export interface SyntheticTraceOptions {
  seed: Seed;
  arrivals: ArrivalSpec;
  count?: number;
  durationS?: number;
  inputTokens: LengthSpec;
  outputTokens: LengthSpec;
  traceBlockSize?: number;
}

/**
 * Independent requests, each with its own hash ids (no prefix sharing).
 *
 * @example
 * ```ts
 * const requests = syntheticTrace({ seed: 1, count: 100, arrivals: { kind: "poisson", rateRps: 2 }, inputTokens: 2000, outputTokens: 200 });
 * ```
 */
export function syntheticTrace(o: SyntheticTraceOptions): TraceRequest[] {
  const root = makeRng(o.seed);
  const T = o.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
  const times = arrivalTimes(o.arrivals, root.split(STREAMS.traceArrivals), { ...(o.count !== undefined ? { count: o.count } : {}), ...(o.durationS !== undefined ? { durationS: o.durationS } : {}) });
  const lengths = root.split(STREAMS.traceLengths);
  const ids = new HashIds();
  return times.map((t) => {
    const input = drawLength(o.inputTokens, lengths);
    return { timestamp: ms(t), input_length: input, output_length: drawLength(o.outputTokens, lengths), hash_ids: ids.take(Math.ceil(input / T)) };
  });
}

export interface SharedPrefixOptions {
  seed: Seed;
  numGroups: number;
  promptsPerGroup: number;
  systemPromptLen: number;
  questionLen: number;
  outputLen: number;
  arrivals: ArrivalSpec;
  traceBlockSize?: number;
}

/**
 * Groups sharing a system prompt: each request is its group's system prompt followed by its own
 * question. The prompt's full trace blocks inside the system prompt carry the group's ids; the
 * rest are fresh. numGroups × promptsPerGroup requests, in a seeded shuffled order.
 *
 * @example
 * ```ts
 * const requests = sharedPrefixTrace({ seed: 1, numGroups: 4, promptsPerGroup: 50, systemPromptLen: 4096, questionLen: 128, outputLen: 128, arrivals: { kind: "poisson", rateRps: 5 } });
 * ```
 */
export function sharedPrefixTrace(o: SharedPrefixOptions): TraceRequest[] {
  const root = makeRng(o.seed);
  const T = o.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
  for (const [k, v] of Object.entries({ numGroups: o.numGroups, promptsPerGroup: o.promptsPerGroup, outputLen: o.outputLen })) if (!Number.isInteger(v) || v < 1) throw new RangeError(`sharedPrefixTrace: ${k} must be an integer ≥ 1, got ${v}`);
  const ids = new HashIds();
  const shared = Math.floor(o.systemPromptLen / T);
  const groupIds = Array.from({ length: o.numGroups }, () => ids.take(shared));
  const order = root.split(STREAMS.traceOrder).shuffle(Array.from({ length: o.numGroups * o.promptsPerGroup }, (_, i) => i % o.numGroups));
  const times = arrivalTimes(o.arrivals, root.split(STREAMS.traceArrivals), { count: order.length });
  const input = o.systemPromptLen + o.questionLen;
  return times.map((t, k) => ({
    timestamp: ms(t),
    input_length: input,
    output_length: o.outputLen,
    hash_ids: [...groupIds[order[k]!]!, ...ids.take(Math.ceil(input / T) - shared)],
  }));
}

export interface MultiTurnOptions {
  seed: Seed;
  sessions: number;
  turnsPerSession: number;
  /** Arrivals of first turns. */
  arrivals: ArrivalSpec;
  firstInputTokens: LengthSpec;
  /** New user tokens added by each later turn (after the previous prompt and answer). */
  newInputTokens: LengthSpec;
  outputTokens: LengthSpec;
  /** Think time after the previous turn completes (ms). */
  interTurnDelayMs: LengthSpec;
  traceBlockSize?: number;
}

/**
 * Multi-turn sessions: turn n+1's prompt = turn n's prompt + its answer + new tokens, so it shares
 * turn n's full prompt blocks. Later turns carry `delay` (after the previous turn completes) and
 * the session's first timestamp. Rows are grouped by session, turns in order.
 *
 * @example
 * ```ts
 * const requests = multiTurnTrace({ seed: 1, sessions: 50, turnsPerSession: 4, arrivals: { kind: "poisson", rateRps: 1 }, firstInputTokens: 1000, newInputTokens: 200, outputTokens: 200, interTurnDelayMs: 5000 });
 * ```
 */
export function multiTurnTrace(o: MultiTurnOptions): TraceRequest[] {
  const root = makeRng(o.seed);
  const T = o.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
  if (!Number.isInteger(o.turnsPerSession) || o.turnsPerSession < 1) throw new RangeError(`multiTurnTrace: turnsPerSession must be an integer ≥ 1`);
  const times = arrivalTimes(o.arrivals, root.split(STREAMS.traceArrivals), { count: o.sessions });
  const lengths = root.split(STREAMS.traceLengths);
  const think = root.split(STREAMS.traceThink);
  const ids = new HashIds();
  const out: TraceRequest[] = [];
  times.forEach((t, s) => {
    let input = drawLength(o.firstInputTokens, lengths);
    let hashes = ids.take(Math.ceil(input / T));
    for (let turn = 0; turn < o.turnsPerSession; turn++) {
      const output = drawLength(o.outputTokens, lengths);
      const row: TraceRequest = { timestamp: ms(t), input_length: input, output_length: output, hash_ids: hashes, session_id: `s${s}` };
      if (turn > 0) row.delay = drawLength(o.interTurnDelayMs, think);
      out.push(row);
      const kept = Math.floor(input / T);
      input = input + output + drawLength(o.newInputTokens, lengths);
      hashes = [...hashes.slice(0, kept), ...ids.take(Math.ceil(input / T) - kept)];
    }
  });
  return out;
}
