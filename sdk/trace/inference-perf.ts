/**
 * inference-perf workload configs as seeded traces, with inference-perf 0.7.0's semantics (read
 * from its source; checked against its own generators by test/peers-inference-perf.test.ts):
 *
 * - `load`: `constant` or `poisson` stages `{rate, duration}`, each sending int(rate × duration)
 *   requests; `constant` spaces them by exponential gaps rescaled to end exactly at `duration`,
 *   `poisson` draws a Poisson(rate) count per second and spaces each second's like `constant`.
 *   Stage k starts after stage k−1's duration plus `interval` (upstream also waits for the stage's
 *   requests to finish, which a trace cannot know).
 * - `data.type: shared_prefix`: num_groups system prompts (one length drawn per group) and
 *   num_prompts_per_group questions per group (question and output lengths drawn per prompt);
 *   the prompts are shuffled once and request i sends prompt i mod (groups × prompts), so a run
 *   longer than the prompt list repeats whole prompts. Lengths are an int or a Distribution
 *   (`sample_from_distribution`: normal, lognormal moment-matched, uniform over [min, max + 1),
 *   poisson, fixed; clipped to [min, max] and rounded).
 * - `data.type: synthetic | random`: input/output_distribution with total_count lengths drawn by
 *   `generate_distribution` (lognormal shifted by min, uniform over [min, max)); request n sends
 *   length n, and asking for more than total_count requests is an error (upstream fails too).
 *
 * Hash ids: a group's full blocks inside its system prompt are shared; every other block belongs
 * to its prompt (a repeated prompt repeats its ids). Our RNG is not numpy's: same semantics and
 * distributions, not the same draws.
 */
import { parse as parseYaml } from "yaml";
import { InputError } from "../core/errors.js";
import { rng as makeRng, type Rng, type Seed } from "../core/rng.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest } from "./types.js";
import { STREAMS } from "../core/streams.js";

export type IpDistributionType = "normal" | "lognormal" | "uniform" | "poisson" | "fixed";

/** inference-perf's `Distribution` (its defaults: min 10, max 1024, mean 512, std_dev 200, normal). */
export interface IpDistribution {
  min: number;
  max: number;
  mean: number;
  std_dev: number;
  type: IpDistributionType;
  total_count?: number;
}

export interface IpSharedPrefix {
  num_groups: number;
  num_prompts_per_group: number;
  system_prompt_len: number | IpDistribution;
  question_len: number | IpDistribution;
  output_len: number | IpDistribution;
}

export interface IpWorkload {
  data: { type: "shared_prefix"; shared_prefix: IpSharedPrefix } | { type: "synthetic" | "random"; input_distribution: IpDistribution; output_distribution: IpDistribution };
  load: { type: "constant" | "poisson"; interval: number; stages: { rate: number; duration: number }[] };
}

type Obj = Record<string, unknown>;
const TYPES: readonly IpDistributionType[] = ["normal", "lognormal", "uniform", "poisson", "fixed"];

/**
 * Reads one config object; `source` names the file in errors. Only `data` and `load` are read.
 *
 * @example
 * ```ts
 * const workload = readInferencePerfConfig(YAML.parse(text), "config.yml");
 * ```
 */
export function readInferencePerfConfig(value: unknown, source: string): IpWorkload {
  const fail = (path: string, expected: string): never => { throw new InputError({ source, path }, expected); };
  const obj = (v: unknown, path: string): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : fail(path, "a mapping"));
  const keys = (o: Obj, path: string, allowed: string[]) => { for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${path}.${k}`, `one of ${allowed.join(", ")} (inference-perf rejects unknown keys; others are not supported here)`); };
  const num = (v: unknown, path: string, dflt: number | undefined, check: (x: number) => boolean, what: string): number => {
    if (v === undefined && dflt !== undefined) return dflt;
    return typeof v === "number" && Number.isFinite(v) && check(v) ? v : fail(path, `${what}, got ${JSON.stringify(v)}`);
  };
  const int = (v: unknown, path: string, dflt?: number) => num(v, path, dflt, (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
  const dist = (v: unknown, path: string): IpDistribution => {
    const o = obj(v, path);
    keys(o, path, ["min", "max", "mean", "std_dev", "variance", "type", "total_count"]);
    const type = (o.type ?? "normal") as IpDistributionType;
    if (!TYPES.includes(type)) fail(`${path}.type`, `one of ${TYPES.join(", ")}, got ${JSON.stringify(o.type)}`);
    if (o.variance !== undefined && o.std_dev !== undefined) fail(`${path}.variance`, "either std_dev or variance, not both");
    const d: IpDistribution = {
      min: int(o.min, `${path}.min`, 10), max: int(o.max, `${path}.max`, 1024),
      mean: num(o.mean, `${path}.mean`, 512, () => true, "a number"),
      std_dev: o.variance !== undefined ? Math.sqrt(num(o.variance, `${path}.variance`, undefined, (x) => x >= 0, "a number ≥ 0")) : num(o.std_dev, `${path}.std_dev`, 200, (x) => x >= 0, "a number ≥ 0"),
      type,
    };
    if (o.total_count !== undefined) d.total_count = int(o.total_count, `${path}.total_count`);
    if (d.min > d.max) fail(path, `min (${d.min}) ≤ max (${d.max})`);
    return d;
  };
  const len = (v: unknown, path: string, dflt: number) => (v === undefined ? dflt : typeof v === "number" ? int(v, path) : dist(v, path));
  const root = obj(value, "(top level)");
  const data = obj(root.data, "data");
  const load = obj(root.load ?? {}, "load");
  keys(load, "load", ["type", "interval", "stages", "num_workers", "worker_max_concurrency", "worker_max_tcp_connections", "request_timeout"]);
  const loadType = load.type ?? "constant";
  if (loadType !== "constant" && loadType !== "poisson") fail("load.type", `constant or poisson (other load types are not supported here), got ${JSON.stringify(loadType)}`);
  const stagesIn = Array.isArray(load.stages) && load.stages.length ? load.stages : fail("load.stages", "a non-empty list of {rate, duration}");
  const stages = stagesIn.map((s, i) => {
    const o = obj(s, `load.stages[${i}]`);
    keys(o, `load.stages[${i}]`, ["rate", "duration"]);
    return { rate: num(o.rate, `load.stages[${i}].rate`, undefined, (x) => x > 0, "a rate > 0"), duration: num(o.duration, `load.stages[${i}].duration`, undefined, (x) => Number.isInteger(x) && x > 0, "an integer duration > 0 (seconds)") };
  });
  const loadOut = { type: loadType, interval: num(load.interval, "load.interval", 1, (x) => x >= 0, "a number ≥ 0"), stages } as IpWorkload["load"];
  if (data.type === "shared_prefix") {
    const sp = obj(data.shared_prefix ?? {}, "data.shared_prefix");
    keys(sp, "data.shared_prefix", ["num_groups", "num_unique_system_prompts", "num_prompts_per_group", "num_users_per_system_prompt", "system_prompt_len", "question_len", "output_len", "seed", "question_distribution", "output_distribution"]);
    const p = "data.shared_prefix";
    // A legacy *_distribution applies only when the matching *_len is an int (inference-perf's rule).
    const legacy = (lenKey: string, distKey: string, dflt: number) => {
      const l = len(sp[lenKey], `${p}.${lenKey}`, dflt);
      if (sp[distKey] === undefined) return l;
      if (typeof l !== "number") fail(`${p}.${distKey}`, `not both an inline distribution on ${lenKey} and ${distKey}`);
      return dist(sp[distKey], `${p}.${distKey}`);
    };
    const shared: IpSharedPrefix = {
      num_groups: int(sp.num_groups ?? sp.num_unique_system_prompts, `${p}.num_groups`, 10),
      num_prompts_per_group: int(sp.num_prompts_per_group ?? sp.num_users_per_system_prompt, `${p}.num_prompts_per_group`, 10),
      system_prompt_len: len(sp.system_prompt_len, `${p}.system_prompt_len`, 100),
      question_len: legacy("question_len", "question_distribution", 50),
      output_len: legacy("output_len", "output_distribution", 50),
    };
    if (shared.num_groups < 1 || shared.num_prompts_per_group < 1) fail(p, "num_groups and num_prompts_per_group ≥ 1");
    return { data: { type: "shared_prefix", shared_prefix: shared }, load: loadOut };
  }
  if (data.type === "synthetic" || data.type === "random") {
    const io = (k: string) => {
      const d = dist(data[k], `data.${k}`);
      if (d.total_count === undefined) fail(`data.${k}.total_count`, "a count (inference-perf requires it for synthetic/random)");
      if (d.type === "normal" && (d.mean < d.min || d.mean > d.max)) fail(`data.${k}.mean`, `a mean within [min, max], got ${d.mean}`);
      return d;
    };
    return { data: { type: data.type, input_distribution: io("input_distribution"), output_distribution: io("output_distribution") }, load: loadOut };
  }
  return fail("data.type", `shared_prefix, synthetic or random (other generators are not supported here), got ${JSON.stringify(data.type)}`);
}

/**
 * Parses a YAML inference-perf config file's text.
 *
 * @example
 * ```ts
 * const workload = parseInferencePerfConfig(readFileSync("config.yml", "utf8"), "config.yml");
 * ```
 */
export function parseInferencePerfConfig(text: string, source = "<inference-perf config>"): IpWorkload {
  let v: unknown;
  try { v = parseYaml(text, { logLevel: "error" }); } catch (err) { throw new InputError({ source }, `YAML (${(err as Error).message.split("\n")[0]})`); }
  return readInferencePerfConfig(v, source);
}

function poisson(lambda: number, r: Rng): number {
  // The number of rate-λ exponential gaps that fit in one unit: exact, O(λ).
  let n = 0;
  for (let t = r.exponential(lambda); t < 1; t += r.exponential(lambda)) n++;
  return n;
}

const clampRound = (x: number, d: IpDistribution) => Math.min(d.max, Math.max(d.min, Math.round(Math.min(d.max, Math.max(d.min, x)))));

/** `sample_from_distribution` (shared_prefix lengths). */
export function sampleIpDistribution(d: IpDistribution, n: number, r: Rng): number[] {
  const one = (): number => {
    switch (d.type) {
      case "fixed": return Math.trunc(d.mean);
      case "normal": return clampRound(r.normal(d.mean, d.std_dev), d);
      case "lognormal": {
        if (!(d.mean > 0)) throw new RangeError("lognormal needs mean > 0");
        if (d.std_dev <= 0) return clampRound(d.mean, d);
        const s2 = Math.log(1 + (d.std_dev / d.mean) ** 2);
        return clampRound(r.lognormal(Math.log(d.mean) - s2 / 2, Math.sqrt(s2)), d);
      }
      case "uniform": return clampRound(r.uniform(d.min, d.max + 1), d);
      case "poisson": return clampRound(poisson(d.mean > 0 ? d.mean : 1, r), d);
    }
  };
  return Array.from({ length: n }, one);
}

/** `generate_distribution` (synthetic/random lengths): lognormal shifted so min maps to 0, uniform over [min, max). */
export function generateIpDistribution(d: IpDistribution, n: number, r: Rng): number[] {
  if (d.type === "lognormal") {
    const m = d.mean - d.min > 0 ? d.mean - d.min : 1;
    const s2 = Math.log(1 + (d.std_dev / m) ** 2);
    return Array.from({ length: n }, () => clampRound(r.lognormal(Math.log(m) - s2 / 2, Math.sqrt(s2)) + d.min, d));
  }
  if (d.type === "uniform") return Array.from({ length: n }, () => clampRound(r.uniform(d.min, d.max), d));
  if (d.type === "poisson") throw new RangeError("synthetic/random lengths do not support poisson (inference-perf's generate_distribution has no such type)");
  return sampleIpDistribution(d, n, r);
}

/** `n` exponential gaps rescaled to sum to `span`, as cumulative times from `start` (ConstantLoadTimer). */
function spread(n: number, span: number, start: number, r: Rng, out: number[]): void {
  const gaps = Array.from({ length: n }, () => r.exponential(1));
  const k = span / gaps.reduce((a, b) => a + b, 0);
  let t = start;
  for (const g of gaps) out.push((t += g * k));
}

/** Request times (seconds from 0) of the load stages. */
export function inferencePerfArrivals(load: IpWorkload["load"], r: Rng): number[] {
  const out: number[] = [];
  let start = 0;
  for (const s of load.stages) {
    const n = Math.floor(s.rate * s.duration);
    if (load.type === "constant") spread(n, s.duration, start, r, out);
    else {
      const end = out.length + n;
      for (let t = start; out.length < end; t += 1) {
        const c = poisson(s.rate, r);
        if (c > 0) spread(c, 1, t, r, out);
      }
      out.length = end; // the last second's extra requests are never sent
    }
    start += s.duration + load.interval;
  }
  return out;
}

/**
 * The trace an inference-perf config sends (times in ms, Mooncake rows).
 *
 * @example
 * ```ts
 * const requests = inferencePerfTrace(parseInferencePerfConfig(readFileSync("config.yml", "utf8"), "config.yml"), { seed: 1 });
 * ```
 */
export function inferencePerfTrace(w: IpWorkload, o: { seed: Seed; traceBlockSize?: number }): TraceRequest[] {
  const root = makeRng(o.seed);
  const T = o.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
  const times = inferencePerfArrivals(w.load, root.split(STREAMS.traceArrivals));
  const lr = root.split(STREAMS.traceLengths);
  let next = 0;
  const take = (n: number) => Array.from({ length: n }, () => next++);
  const ms = (t: number) => Math.round(t * 1e6) / 1000;
  if (w.data.type === "shared_prefix") {
    const sp = w.data.shared_prefix;
    const asDist = (v: number | IpDistribution): IpDistribution => (typeof v === "number" ? { min: v, max: v, mean: v, std_dev: 0, type: "fixed" } : v);
    const sys = sampleIpDistribution(asDist(sp.system_prompt_len), sp.num_groups, lr);
    const prompts: { input: number; output: number; ids: number[] }[] = [];
    for (let g = 0; g < sp.num_groups; g++) {
      const q = sampleIpDistribution(asDist(sp.question_len), sp.num_prompts_per_group, lr);
      const out = sampleIpDistribution(asDist(sp.output_len), sp.num_prompts_per_group, lr);
      const shared = take(Math.floor(sys[g]! / T));
      for (let p = 0; p < sp.num_prompts_per_group; p++) {
        const input = sys[g]! + q[p]!;
        prompts.push({ input, output: out[p]!, ids: [...shared, ...take(Math.ceil(input / T) - shared.length)] });
      }
    }
    const order = root.split(STREAMS.traceOrder).shuffle(prompts.map((_, i) => i));
    return times.map((t, i) => {
      const p = prompts[order[i % order.length]!]!;
      return { timestamp: ms(t), input_length: p.input, output_length: p.output, hash_ids: p.ids };
    });
  }
  const { input_distribution: ind, output_distribution: outd } = w.data;
  const ins = generateIpDistribution(ind, ind.total_count!, lr);
  const outs = generateIpDistribution(outd, outd.total_count!, lr);
  if (times.length > Math.min(ins.length, outs.length)) throw new RangeError(`the load sends ${times.length} requests but data.*_distribution.total_count gives ${Math.min(ins.length, outs.length)} (inference-perf fails on the first request past it)`);
  return times.map((t, n) => ({ timestamp: ms(t), input_length: ins[n]!, output_length: outs[n]!, hash_ids: take(Math.ceil(ins[n]! / T)) }));
}
