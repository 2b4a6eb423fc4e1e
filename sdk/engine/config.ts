/**
 * Engine configuration with Dynamo mocker's vLLM defaults (shared/docs/dynamo.md §2.1), and the
 * capabilities a planner reads from the same place (max_num_batched_tokens, max_num_seqs, KV
 * capacity, step time) so its throughput math and the simulated engine never disagree.
 */
import { polynomialStepTime, type StepTimeModel } from "./step-time.js";

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
  /** Pass duration model (ms). */
  stepTime: StepTimeModel;
  /** Apply runs of identical pure-decode passes in bulk (same results, much faster); off = pass by pass. Default true. */
  fastDecode?: boolean;
}

export const DEFAULT_ENGINE_CONFIG: Readonly<EngineConfig> = Object.freeze({
  blockSize: 64,
  numGpuBlocks: 16384,
  maxNumBatchedTokens: 8192,
  maxNumSeqs: 256,
  enablePrefixCaching: true,
  enableChunkedPrefill: true,
  preemptionMode: "lifo",
  stepTime: polynomialStepTime(),
});

function positiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`engine config: ${name} must be a positive integer, got ${v}`);
}

/** Defaults overlaid with `overrides`, checked. `numGpuBlocks` may be Infinity (an unbounded cache). */
export function engineConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  const c: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...overrides };
  positiveInt(c.blockSize, "blockSize");
  if (c.numGpuBlocks !== Infinity) positiveInt(c.numGpuBlocks, "numGpuBlocks");
  positiveInt(c.maxNumBatchedTokens, "maxNumBatchedTokens");
  positiveInt(c.maxNumSeqs, "maxNumSeqs");
  if (c.preemptionMode !== "lifo" && c.preemptionMode !== "fifo") throw new RangeError(`engine config: preemptionMode must be lifo or fifo, got ${String(c.preemptionMode)}`);
  if (typeof c.stepTime !== "function") throw new RangeError("engine config: stepTime must be a function (pass) => ms");
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
  stepTime: StepTimeModel;
}

export function engineCapabilities(config: Partial<EngineConfig> = {}): EngineCapabilities {
  const c = engineConfig(config);
  return {
    numGpu: 1,
    maxNumBatchedTokens: c.maxNumBatchedTokens,
    maxNumSeqs: c.maxNumSeqs,
    blockSize: c.blockSize,
    numGpuBlocks: c.numGpuBlocks,
    maxKvTokens: c.numGpuBlocks * c.blockSize,
    stepTime: c.stepTime,
  };
}
