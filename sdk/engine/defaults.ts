/**
 * The engine's defaults, in one place: Dynamo mocker's vLLM defaults (shared/docs/dynamo.md §2.1).
 * Plain data with no imports, so every engine file, the planner's capacity math and the CLI's flag
 * defaults read the same numbers (`EngineConfig` in config.ts is the type they satisfy).
 */
export const DEFAULT_ENGINE_CONFIG = Object.freeze({
  blockSize: 64,
  numGpuBlocks: 16384,
  maxNumBatchedTokens: 8192,
  maxNumSeqs: 256,
  enablePrefixCaching: true,
  enableChunkedPrefill: true,
  preemptionMode: "lifo" as "lifo" | "fifo",
  /** Dynamo's step-time polynomial, by its profile name (step-time-spec.ts). */
  stepTime: "dynamo-polynomial" as string,
});
