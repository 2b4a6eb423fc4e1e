/**
 * The planner as a replay controller value: `planner(config)` goes into the replay's one option bag
 * (`replayTrace(trace, { router: "kv", controller: planner(config) })`). At the replay's setup it
 * validates the config against the replay's own engines, sweeps the decode engine's step time for
 * the bootstrap, and decides the fleet's mode, initial workers (default `min_endpoint`, at least 1)
 * and SLA; then each tick is the `PlannerController`'s. One value steers one replay.
 */
import type { Actuator } from "../actuation/actuator.js";
import type { ActuationPath } from "../actuation/path.js";
import type { Rng } from "../core/rng.js";
import { engineCapabilities, type EngineConfig } from "../engine/config.js";
import type { FleetControl, FleetObservations, FleetSetup, ReplayController } from "../replay/control.js";
import type { TraceRequest } from "../trace/types.js";
import { parsePlannerConfig, type EngineCapabilities, type PlannerConfig } from "./config.js";
import { PlannerController } from "./controller.js";
import { traceIntervals } from "./trace-warmup.js";

export interface PlannerOptions {
  /** Source name for config errors. */
  configSource?: string;
  /**
   * Warm the request-count/ISL/OSL predictors from this trace (bucketed at the throughput
   * interval, Dynamo's trace warm-up). Use a different trace (e.g. yesterday's) to avoid peeking.
   */
  warmupTrace?: readonly TraceRequest[];
  /** What a scale-up costs (default: the config's `actuation` section as an actuator). */
  actuator?: Actuator;
  /** Override the cost of a scale-up (ms), e.g. for tests. */
  delayMs?: (path: ActuationPath, r: Rng) => number;
}

function plannerCaps(c: Partial<EngineConfig> | undefined): EngineCapabilities {
  const e = engineCapabilities(c ?? {});
  return { max_num_batched_tokens: e.maxNumBatchedTokens, max_num_seqs: e.maxNumSeqs, max_kv_tokens: e.maxKvTokens };
}

/**
 * Validate `config` (raw JSON/YAML value or a parsed config) against a replay's engines.
 *
 * @example
 * ```ts
 * const cfg = resolvePlannerConfig({ mode: "agg" }, { engine: { numGpuBlocks: 8192 } });
 * ```
 */
export function resolvePlannerConfig(config: unknown, options: Pick<FleetSetup, "engine" | "prefillEngine" | "decodeEngine"> & { configSource?: string } = {}): PlannerConfig {
  const prefill = plannerCaps({ ...options.engine, ...options.prefillEngine });
  const decode = plannerCaps({ ...options.engine, ...options.decodeEngine });
  return parsePlannerConfig(config, { source: options.configSource ?? "planner config", engineCapabilities: { prefill, decode } });
}

/** The planner in a replay's options; `controller` and `config` exist once the replay has started. */
export class PlannerLoop implements ReplayController {
  private ctl: PlannerController | undefined;

  constructor(readonly rawConfig: unknown, readonly options: PlannerOptions = {}) {}

  setup(given: Readonly<FleetSetup>): FleetSetup {
    if (this.ctl) throw new RangeError("planner: this value already steered a replay; make a new planner(config) per replay");
    const o = this.options;
    const cfg = resolvePlannerConfig(this.rawConfig, { ...given, ...(o.configSource !== undefined ? { configSource: o.configSource } : {}) });
    const decodeEngine = engineCapabilities({ ...given.engine, ...(cfg.mode === "disagg" ? given.decodeEngine : {}) });
    this.ctl = new PlannerController({
      config: cfg, seed: given.seed ?? 1, configSource: o.configSource, stepTime: decodeEngine.stepTime, blockSize: decodeEngine.blockSize,
      ...(o.actuator ? { actuator: o.actuator } : {}), ...(o.delayMs ? { delayMs: o.delayMs } : {}),
    });
    if (o.warmupTrace && cfg.enable_throughput_scaling) this.ctl.planner.warmTraffic(traceIntervals(o.warmupTrace, cfg.throughput_adjustment_interval));
    const initial = Math.max(1, cfg.min_endpoint);
    return {
      mode: cfg.mode,
      workers: given.workers ?? initial,
      prefillWorkers: given.prefillWorkers ?? initial,
      decodeWorkers: given.decodeWorkers ?? initial,
      sla: { ttftMs: cfg.ttft, itlMs: cfg.itl },
    };
  }

  /** The planner of the replay this value steered. */
  get controller(): PlannerController {
    if (!this.ctl) throw new RangeError("planner: not started yet (put it in a replay's options as `controller`)");
    return this.ctl;
  }

  get config(): PlannerConfig {
    return this.controller.config;
  }

  firstTickAt(): number {
    return this.controller.firstTickAt();
  }

  tick(obs: FleetObservations, fleet: FleetControl): number | undefined {
    return this.controller.tick(obs, fleet);
  }
}

/**
 * The planner as a value for `ReplayOptions.controller`.
 *
 * @example
 * ```ts
 * const loop = planner({ mode: "agg", ttft: 2500, itl: 50 });
 * const result = plannerResult(replayTrace(requests, { controller: loop }), loop);
 * ```
 */
export function planner(config: unknown, options: PlannerOptions = {}): PlannerLoop {
  return new PlannerLoop(config, options);
}
