/**
 * The planner configuration: Dynamo's key names and defaults (dynamo.md §3.1) where they exist,
 * plus this SDK's additions (engine capabilities, actuation costs, the user asks of §8), and a
 * validator that names the offending key and what was expected. Pure: parse a value you already
 * read; `loadPlannerConfig` in load-config.ts reads JSON/YAML files.
 */
import { DEFAULT_LAUNCHER_FLEET, type Actuator, type LauncherFleet } from "../actuation/actuator.js";
import { InputError } from "../core/errors.js";
import { isPlainName, PLAIN_NAME } from "../core/plain-name.js";
import { DEFAULT_ENGINE_CONFIG } from "../engine/config.js";
import type { LoadPredictorName } from "./predictors.js";

export type PlannerMode = "agg" | "disagg";
export type OptimizationTarget = "sla" | "throughput" | "latency";
export type OperationMode = "active" | "advisory" | "noop";

/** What the engine can hold; the replay fills these from its engine config. */
export interface EngineCapabilities {
  max_num_batched_tokens: number;
  max_num_seqs: number;
  /** KV capacity in tokens (num_gpu_blocks × block_size). */
  max_kv_tokens: number;
}

/** The engine's own defaults (engine/defaults.ts, written once there): MBT 8192, 256 sequences, 16384 × 64 KV tokens. */
export const DEFAULT_ENGINE_CAPABILITIES: EngineCapabilities = {
  max_num_batched_tokens: DEFAULT_ENGINE_CONFIG.maxNumBatchedTokens,
  max_num_seqs: DEFAULT_ENGINE_CONFIG.maxNumSeqs,
  max_kv_tokens: DEFAULT_ENGINE_CONFIG.numGpuBlocks * DEFAULT_ENGINE_CONFIG.blockSize,
};

export interface ActuationConfig {
  /**
   * Fixed start-up time of every new replica in seconds (Dynamo's `startup_time` engine arg, for
   * comparison with Dynamo); null → each scale-up pays the delay of the FMA path it takes.
   */
  startup_time: number | null;
  /** Actuation profile name for the cluster cost model. */
  profile: string;
  /** `launcher` (FMA dual pods) or `direct` (no launcher: every scale-up is `cold`). */
  launcher_mode: "launcher" | "direct";
  /** Put scaled-down instances to sleep so later scale-ups can wake them (hot). */
  sleep_pool: boolean;
  /** Sleeping instances each GPU holds (FMA's sleeper limit; bounded by GPU memory). */
  sleeper_limit: number;
  /** GPUs (instance slots) per launcher. */
  launcher_gpus: number;
  /**
   * Launchers existing at the start (null: just enough for the initial replicas and, one per
   * slot, the pre-warmed sleepers).
   */
  initial_launchers: number | null;
  /**
   * Sleeping instances of each pool provisioned before the run (an operator's pre-warmed sleep
   * pool), on idle slots, within the sleeper limit; the first scale-ups wake them (hot). Like
   * sleepers left by scale-downs they do not count against `max_gpu_budget`. Needs `sleep_pool`.
   */
  prewarmed_sleepers: number;
}

export interface PlannerConfig {
  mode: PlannerMode;
  optimization_target: OptimizationTarget;
  /** SLA targets, ms. */
  ttft: number;
  itl: number;
  enable_throughput_scaling: boolean;
  enable_load_scaling: boolean;
  /** Cadences, seconds. */
  throughput_adjustment_interval: number;
  load_adjustment_interval: number;
  /** −1 = unlimited. */
  max_gpu_budget: number;
  min_endpoint: number;
  prefill_engine_num_gpu: number | null;
  decode_engine_num_gpu: number | null;
  load_predictor: LoadPredictorName;
  load_predictor_log1p: boolean;
  prophet_window_size: number;
  kalman_q_level: number;
  kalman_q_trend: number;
  kalman_r: number;
  kalman_min_points: number;
  max_num_fpm_samples: number;
  fpm_sample_bucket_size: number;
  load_scaling_down_sensitivity: number;
  load_min_observations: number;
  pre_deployment_sweeping_mode: "rapid" | "thorough" | "none";
  /** Bootstrap sweep points (Dynamo replay's --benchmark-granularity). */
  benchmark_granularity: number;
  report_interval_hours: number;
  report_output_dir: string;
  report_filename: string | null;
  live_dashboard_port: number;
  // ── additions (dynamo.md §8 user asks) ──
  /** Consecutive empty traffic windows after which throughput scaling falls to min_endpoint (#7067). */
  nan_scaledown_threshold: number;
  /** Most replicas one tick may add or remove per component; null = no cap (#14296). */
  max_throughput_scaling_replicas: number | null;
  /** Forward passes of each new worker kept out of the regressions (#12430). */
  fpm_cold_start_exclusion_passes: number;
  /** active: apply decisions; advisory: record but do not apply (#8114); noop: decide nothing. */
  operation_mode: OperationMode;
  /**
   * Scale-down stabilisation window, seconds (Kubernetes HPA semantics): a scale-down goes only as
   * low as the highest count recommended in the window. 0 = off (Dynamo's behaviour).
   */
  scale_down_stabilization_window: number;
  /** Engine capabilities per component (agg uses `decode_capabilities`). */
  prefill_capabilities: EngineCapabilities | null;
  decode_capabilities: EngineCapabilities | null;
  actuation: ActuationConfig;
}

/** The actuation side's defaults (actuation/actuator.ts), under Dynamo-style key names. */
export const DEFAULT_ACTUATION: ActuationConfig = {
  startup_time: null,
  profile: "8b-h100",
  launcher_mode: DEFAULT_LAUNCHER_FLEET.launcherMode,
  sleep_pool: DEFAULT_LAUNCHER_FLEET.sleepPool,
  sleeper_limit: DEFAULT_LAUNCHER_FLEET.sleeperLimit,
  launcher_gpus: DEFAULT_LAUNCHER_FLEET.launcherGpus,
  initial_launchers: DEFAULT_LAUNCHER_FLEET.initialLaunchers,
  prewarmed_sleepers: DEFAULT_LAUNCHER_FLEET.prewarmedSleepers,
};

/**
 * The actuator the config's `actuation` section describes: a fixed start-up when `startup_time` is set, else FMA paths.
 *
 * @example
 * ```ts
 * const actuator = configActuator(parsePlannerConfig({ mode: "agg", actuation: { startup_time: 120 } }));
 * ```
 */
export function configActuator(cfg: Pick<PlannerConfig, "actuation" | "decode_engine_num_gpu">): Actuator {
  const a = cfg.actuation;
  const fleet: LauncherFleet = {
    launcherMode: a.launcher_mode, sleepPool: a.sleep_pool, sleeperLimit: a.sleeper_limit, launcherGpus: a.launcher_gpus,
    initialLaunchers: a.initial_launchers, prewarmedSleepers: a.prewarmed_sleepers, gpusPerEngine: cfg.decode_engine_num_gpu,
  };
  return a.startup_time !== null ? { kind: "fixed-startup", startupS: a.startup_time, profile: a.profile, fleet } : { kind: "fma-paths", profile: a.profile, fleet };
}

export const DEFAULT_PLANNER_CONFIG: PlannerConfig = {
  mode: "disagg",
  optimization_target: "throughput",
  ttft: 500,
  itl: 50,
  enable_throughput_scaling: true,
  enable_load_scaling: false,
  throughput_adjustment_interval: 180,
  load_adjustment_interval: 5,
  max_gpu_budget: 8,
  min_endpoint: 1,
  prefill_engine_num_gpu: null,
  decode_engine_num_gpu: null,
  load_predictor: "arima",
  load_predictor_log1p: false,
  prophet_window_size: 50,
  kalman_q_level: 1.0,
  kalman_q_trend: 0.1,
  kalman_r: 10.0,
  kalman_min_points: 5,
  max_num_fpm_samples: 64,
  fpm_sample_bucket_size: 16,
  load_scaling_down_sensitivity: 80,
  load_min_observations: 5,
  pre_deployment_sweeping_mode: "rapid",
  benchmark_granularity: 8,
  report_interval_hours: 24,
  report_output_dir: "./planner_reports",
  report_filename: null,
  live_dashboard_port: 8080,
  nan_scaledown_threshold: 3,
  max_throughput_scaling_replicas: null,
  fpm_cold_start_exclusion_passes: 0,
  operation_mode: "active",
  scale_down_stabilization_window: 0,
  prefill_capabilities: null,
  decode_capabilities: null,
  actuation: DEFAULT_ACTUATION,
};

type Check = (v: unknown, path: string) => unknown;

interface Ctx {
  source: string;
}

function fail(ctx: Ctx, path: string, expected: string, got: unknown): never {
  throw new InputError({ source: ctx.source, path }, `${expected}, got ${JSON.stringify(got)}`);
}

const num = (ctx: Ctx, o: { min?: number; max?: number; int?: boolean; exclusiveMin?: number; nullable?: boolean }): Check => (v, path) => {
  if (v === null && o.nullable) return null;
  const ok = typeof v === "number" && Number.isFinite(v) && (!o.int || Number.isInteger(v)) && (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max) && (o.exclusiveMin === undefined || v > o.exclusiveMin);
  if (!ok) {
    const parts = [o.int ? "an integer" : "a finite number"];
    if (o.min !== undefined) parts.push(`≥ ${o.min}`);
    if (o.exclusiveMin !== undefined) parts.push(`> ${o.exclusiveMin}`);
    if (o.max !== undefined) parts.push(`≤ ${o.max}`);
    fail(ctx, path, `expected ${parts.join(" ")}${o.nullable ? " or null" : ""}`, v);
  }
  return v;
};
const bool = (ctx: Ctx): Check => (v, path) => (typeof v === "boolean" ? v : fail(ctx, path, "expected true or false", v));
const oneOf = (ctx: Ctx, values: readonly string[], nullable = false): Check => (v, path) => {
  if (v === null && nullable) return null;
  return typeof v === "string" && values.includes(v) ? v : fail(ctx, path, `expected one of ${values.map((x) => `"${x}"`).join(", ")}${nullable ? " or null" : ""}`, v);
};
const str = (ctx: Ctx, nullable = false): Check => (v, path) => (typeof v === "string" || (nullable && v === null) ? v : fail(ctx, path, `expected a string${nullable ? " or null" : ""}`, v));

function object(ctx: Ctx, v: unknown, path: string, fields: Record<string, Check>, defaults: Record<string, unknown>): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(ctx, path || "(root)", "expected an object", v);
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const check = fields[k];
    if (!check) throw new InputError({ source: ctx.source, path: p }, `unknown key '${k}'; expected one of: ${Object.keys(fields).join(", ")}`);
    out[k] = check(val, p);
  }
  return out;
}

function capsCheck(ctx: Ctx): Check {
  return (v, path) => {
    if (v === null) return null;
    const o = object(ctx, v, path, {
      max_num_batched_tokens: num(ctx, { int: true, min: 1 }),
      max_num_seqs: num(ctx, { int: true, min: 1 }),
      max_kv_tokens: num(ctx, { int: true, min: 1 }),
    }, { ...DEFAULT_ENGINE_CAPABILITIES });
    return o;
  };
}

export interface ParseOptions {
  /** Where the value came from (file name), for error messages. */
  source?: string;
  /** Capabilities the replay's engine config provides, used when the config has none. */
  engineCapabilities?: { prefill?: EngineCapabilities; decode?: EngineCapabilities };
}

/**
 * Validate a raw (JSON/YAML-decoded) planner config and fill defaults. Throws InputError naming
 * the key and the expected value for unknown keys, wrong types, out-of-range or inconsistent
 * values. As in Dynamo, a non-`sla` target forces load scaling on and throughput scaling off.
 *
 * @example
 * ```ts
 * const cfg = parsePlannerConfig({ mode: "agg", ttft: 2500, itl: 50, scale_down_stabilization_window: 300 }, { source: "inline" });
 * ```
 */
export function parsePlannerConfig(raw: unknown, options: ParseOptions = {}): PlannerConfig {
  const ctx: Ctx = { source: options.source ?? "planner config" };
  const fields: Record<string, Check> = {
    mode: (v, p) => {
      if (v === "prefill" || v === "decode") fail(ctx, p, `expected "agg" or "disagg" (single-component "${v}" mode is not simulated by the replay fleet)`, v);
      return oneOf(ctx, ["agg", "disagg"])(v, p);
    },
    optimization_target: oneOf(ctx, ["sla", "throughput", "latency"]),
    ttft: num(ctx, { exclusiveMin: 0 }),
    itl: num(ctx, { exclusiveMin: 0 }),
    enable_throughput_scaling: bool(ctx),
    enable_load_scaling: bool(ctx),
    throughput_adjustment_interval: num(ctx, { exclusiveMin: 0 }),
    load_adjustment_interval: num(ctx, { exclusiveMin: 0 }),
    max_gpu_budget: num(ctx, { int: true, min: -1 }),
    min_endpoint: num(ctx, { int: true, min: 0 }),
    prefill_engine_num_gpu: num(ctx, { int: true, min: 1, nullable: true }),
    decode_engine_num_gpu: num(ctx, { int: true, min: 1, nullable: true }),
    load_predictor: (v, p) => {
      if (v === "prophet") fail(ctx, p, `expected one of "constant", "arima", "kalman" (prophet is not available in this SDK)`, v);
      return oneOf(ctx, ["constant", "arima", "kalman"])(v, p);
    },
    load_predictor_log1p: bool(ctx),
    prophet_window_size: num(ctx, { int: true, min: 1 }),
    kalman_q_level: num(ctx, { exclusiveMin: 0 }),
    kalman_q_trend: num(ctx, { exclusiveMin: 0 }),
    kalman_r: num(ctx, { exclusiveMin: 0 }),
    kalman_min_points: num(ctx, { int: true, min: 1 }),
    max_num_fpm_samples: num(ctx, { int: true, min: 2 }),
    fpm_sample_bucket_size: (v, p) => {
      const n = num(ctx, { int: true, min: 1 })(v, p) as number;
      if (Math.round(Math.sqrt(n)) ** 2 !== n) fail(ctx, p, "expected a perfect square (e.g. 16 = 4 × 4 buckets for the 2-D models)", v);
      return n;
    },
    load_scaling_down_sensitivity: num(ctx, { exclusiveMin: 0, max: 100 }),
    load_min_observations: num(ctx, { int: true, min: 1 }),
    pre_deployment_sweeping_mode: oneOf(ctx, ["rapid", "thorough", "none"]),
    benchmark_granularity: num(ctx, { int: true, min: 1, max: 1000 }),
    report_interval_hours: num(ctx, { exclusiveMin: 0 }),
    report_output_dir: str(ctx),
    // Joined under the output folder: one plain segment, never a path that climbs out of it.
    report_filename: (v, p) => (v === null || (typeof v === "string" && isPlainName(v)) ? v : fail(ctx, p, `expected ${PLAIN_NAME} or null`, v)),
    live_dashboard_port: num(ctx, { int: true, min: 0, max: 65535 }),
    nan_scaledown_threshold: num(ctx, { int: true, min: 1 }),
    max_throughput_scaling_replicas: num(ctx, { int: true, min: 1, nullable: true }),
    fpm_cold_start_exclusion_passes: num(ctx, { int: true, min: 0 }),
    operation_mode: oneOf(ctx, ["active", "advisory", "noop"]),
    scale_down_stabilization_window: num(ctx, { min: 0, max: 86_400 }),
    prefill_capabilities: capsCheck(ctx),
    decode_capabilities: capsCheck(ctx),
    actuation: (v, p) =>
      object(ctx, v, p, {
        startup_time: num(ctx, { min: 0, nullable: true }),
        profile: str(ctx),
        launcher_mode: oneOf(ctx, ["launcher", "direct"]),
        sleep_pool: bool(ctx),
        sleeper_limit: num(ctx, { int: true, min: 0 }),
        launcher_gpus: num(ctx, { int: true, min: 1 }),
        initial_launchers: num(ctx, { int: true, min: 0, nullable: true }),
        prewarmed_sleepers: num(ctx, { int: true, min: 0 }),
      }, { ...DEFAULT_ACTUATION }),
  };
  const cfg = object(ctx, raw, "", fields, { ...DEFAULT_PLANNER_CONFIG, actuation: { ...DEFAULT_ACTUATION } }) as unknown as PlannerConfig;

  if (cfg.optimization_target !== "sla") {
    cfg.enable_throughput_scaling = false;
    cfg.enable_load_scaling = true;
  }
  if (!cfg.enable_throughput_scaling && !cfg.enable_load_scaling) {
    throw new InputError({ source: ctx.source, path: "enable_load_scaling" }, "at least one of enable_load_scaling / enable_throughput_scaling must be true");
  }
  if (cfg.enable_throughput_scaling && cfg.enable_load_scaling && !(cfg.throughput_adjustment_interval > cfg.load_adjustment_interval)) {
    throw new InputError({ source: ctx.source, path: "throughput_adjustment_interval" }, `expected a value greater than load_adjustment_interval (${cfg.load_adjustment_interval}) when both scaling modes are on, got ${cfg.throughput_adjustment_interval}`);
  }
  if (cfg.enable_throughput_scaling && cfg.pre_deployment_sweeping_mode === "none") {
    throw new InputError({ source: ctx.source, path: "pre_deployment_sweeping_mode" }, `expected "rapid" or "thorough" when throughput scaling is on (the throughput path needs a bootstrapped performance model), got "none"`);
  }
  const act = cfg.actuation;
  if (act.prewarmed_sleepers > 0) {
    // Each would be a silent no-op otherwise: nothing to put them in, nowhere to keep them, or no hot path.
    const why = !act.sleep_pool ? "actuation.sleep_pool is false (pre-warmed sleepers belong to a sleep pool; set sleep_pool: true)"
      : act.sleeper_limit === 0 ? "actuation.sleeper_limit is 0 (no slot may hold a sleeper)"
      : act.startup_time !== null ? `actuation.startup_time is set (${act.startup_time} s: every replica pays it, so there is no hot path to use them)`
      : null;
    if (why) throw new InputError({ source: ctx.source, path: "actuation.prewarmed_sleepers" }, `expected 0 when ${why}, got ${act.prewarmed_sleepers}`);
  }
  // Capabilities: the config's own, else the replay's engine config.
  cfg.decode_capabilities ??= options.engineCapabilities?.decode ?? null;
  if (cfg.mode === "disagg") {
    cfg.prefill_capabilities ??= options.engineCapabilities?.prefill ?? null;
    if (!cfg.prefill_capabilities) throw new InputError({ source: ctx.source, path: "prefill_capabilities" }, "expected {max_num_batched_tokens, max_num_seqs, max_kv_tokens} in disagg mode (the prefill engine's token budget sizes prefill chunks), got nothing");
    if (!cfg.decode_capabilities) throw new InputError({ source: ctx.source, path: "decode_capabilities" }, "expected {max_num_batched_tokens, max_num_seqs, max_kv_tokens} in disagg mode, got nothing");
  } else if (!cfg.decode_capabilities) {
    throw new InputError({ source: ctx.source, path: "decode_capabilities" }, "expected {max_num_batched_tokens, max_num_seqs, max_kv_tokens} (agg uses decode_capabilities), got nothing");
  }
  if (cfg.max_gpu_budget >= 0) {
    const pg = cfg.prefill_engine_num_gpu ?? 1;
    const dg = cfg.decode_engine_num_gpu ?? 1;
    const need = cfg.mode === "disagg" ? cfg.min_endpoint * (pg + dg) : cfg.min_endpoint * dg;
    if (cfg.max_gpu_budget < need) {
      throw new InputError({ source: ctx.source, path: "max_gpu_budget" }, `expected at least ${need} GPUs (min_endpoint × GPUs per engine${cfg.mode === "disagg" ? ", prefill + decode" : ""}) or -1 for unlimited, got ${cfg.max_gpu_budget}`);
    }
  }
  return cfg;
}
