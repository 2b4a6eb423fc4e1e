/**
 * Engine configuration as a value (every field is data, the step-time model included, so a config
 * crosses worker threads and sweep caches whole), checked against the defaults of defaults.ts, and
 * the capabilities a planner reads from the same place (max_num_batched_tokens, max_num_seqs, KV
 * capacity, step time) so its throughput math and the simulated engine never disagree.
 */
import { DEFAULT_ENGINE_CONFIG } from "./defaults.js";
import type { StepTimeModel } from "./step-time.js";
import { resolveStepTime, type StepTimeSpec } from "./step-time-spec.js";

export { DEFAULT_ENGINE_CONFIG };

export interface EngineConfig {
  /** Tokens per KV block (engine block size; distinct from a trace's hash block size). */
  blockSize: number;
  /** KV capacity in blocks. */
  numGpuBlocks: number;
  /** Token budget per pass (MBT). */
  maxNumBatchedTokens: number;
  /** Most sequences running at once. */
  maxNumSeqs: number;
  enablePrefixCaching: boolean;
  enableChunkedPrefill: boolean;
  /** Who is preempted when KV runs out: `lifo` the newest running request (default), `fifo` the oldest. */
  preemptionMode: "lifo" | "fifo";
  /** Pass duration model: a profile name or a model's data (`StepTimeSpec`), resolved by the engine. */
  stepTime: StepTimeSpec;
  /** Apply runs of identical pure-decode passes in bulk (same results, much faster); off = pass by pass. Default true. */
  fastDecode?: boolean;
}

// The defaults satisfy the type (a compile-time check; defaults.ts imports nothing).
const checkDefaults = (c: Readonly<EngineConfig>): Readonly<EngineConfig> => c;
checkDefaults(DEFAULT_ENGINE_CONFIG);

function positiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`engine config: ${name} must be a positive integer, got ${v}`);
}

/**
 * Defaults overlaid with `overrides`, checked. `numGpuBlocks` may be Infinity (an unbounded cache).
 *
 * @example
 * ```ts
 * const cfg = engineConfig({ numGpuBlocks: 8192, maxNumSeqs: 128 });
 * ```
 */
export function engineConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  const c: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...overrides };
  positiveInt(c.blockSize, "blockSize");
  if (c.numGpuBlocks !== Infinity) positiveInt(c.numGpuBlocks, "numGpuBlocks");
  positiveInt(c.maxNumBatchedTokens, "maxNumBatchedTokens");
  positiveInt(c.maxNumSeqs, "maxNumSeqs");
  if (c.preemptionMode !== "lifo" && c.preemptionMode !== "fifo") throw new RangeError(`engine config: preemptionMode must be lifo or fifo, got ${String(c.preemptionMode)}`);
  resolveStepTime(c.stepTime); // throws on a bad spec, here rather than at the first pass
  return c;
}

/** What a planner's capacity math needs (Dynamo's `_engine_caps`: num_gpu 1, MBT, max seqs, max KV tokens). */
export interface EngineCapabilities {
  numGpu: number;
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  blockSize: number;
  numGpuBlocks: number;
  /** numGpuBlocks × blockSize (1,048,576 with the defaults). */
  maxKvTokens: number;
  /** The resolved pass-duration function (capabilities are derived, not configuration). */
  stepTime: StepTimeModel;
}

/**
 * What an engine configuration can hold (batched tokens, sequences, KV tokens) and its step-time model, as the planner reads them.
 *
 * @example
 * ```ts
 * const caps = engineCapabilities({ numGpuBlocks: 8192 }); // max_kv_tokens, max_num_seqs, …
 * ```
 */
export function engineCapabilities(config: Partial<EngineConfig> = {}): EngineCapabilities {
  const c = engineConfig(config);
  return {
    numGpu: 1,
    maxNumBatchedTokens: c.maxNumBatchedTokens,
    maxNumSeqs: c.maxNumSeqs,
    blockSize: c.blockSize,
    numGpuBlocks: c.numGpuBlocks,
    maxKvTokens: c.numGpuBlocks * c.blockSize,
    stepTime: resolveStepTime(c.stepTime),
  };
}
