/**
 * Warm-start points for the regressions, by sweeping the replay engine's own step-time model —
 * what Dynamo's replay does with AIC (dynamo.md §3.11) and what PR #8280 did with the mocker's
 * polynomial, so the planner's capacity estimates agree with the simulated engine's timing.
 */
import { DEFAULT_ENGINE_CONFIG } from "../engine/defaults.js";
import type { StepTimeModel, WorkerRole } from "../engine/step-time.js";
import type { EngineCapabilities } from "./config.js";
import type { FpmPoint } from "./regression.js";

export interface BootstrapOptions {
  /** Sweep points per axis (Dynamo's --benchmark-granularity, default 8). */
  granularity: number;
  /** Engine block size (tokens) for KV usage; default the engine's. */
  blockSize?: number;
}

/**
 * Prefill sweep: isl = 100, 100 + step, … ≤ MBT with step = max(1, (MBT − 100) // g); one request per pass.
 *
 * @example
 * ```ts
 * const points = prefillSweep(engineCapabilities().stepTime, "agg", caps, { granularity: 8 });
 * ```
 */
export function prefillSweep(stepTime: StepTimeModel, role: WorkerRole, caps: EngineCapabilities, o: BootstrapOptions): FpmPoint[] {
  const mbt = caps.max_num_batched_tokens;
  const step = Math.max(1, Math.floor((mbt - 100) / o.granularity));
  const bs = o.blockSize ?? DEFAULT_ENGINE_CONFIG.blockSize;
  const capBlocks = Math.floor(caps.max_kv_tokens / bs);
  const out: FpmPoint[] = [];
  for (let isl = 100; isl <= mbt; isl += step) {
    const ms = stepTime({
      role, numPrefill: 1, prefillTokens: isl, sumPrefillTokens: isl, sumPrefillKvTokens: 0, numDecode: 0, sumDecodeKvTokens: 0,
      numReady: role === "decode" ? 0 : 1, activeKvBlocks: Math.ceil(isl / bs), kvCapacityBlocks: capBlocks,
    });
    out.push({ numPrefill: 1, sumPrefillTokens: isl, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: ms / 1000 });
  }
  return out;
}

/**
 * Decode sweep: ctx ∈ {500, 2000, 4000, 8000} × bs = 1, 1 + s, … ≤ max_num_seqs, s = max(1, max_num_seqs // g); a column stops when bs·ctx > KV.
 *
 * @example
 * ```ts
 * const points = decodeSweep(engineCapabilities().stepTime, "agg", caps, { granularity: 8 });
 * ```
 */
export function decodeSweep(stepTime: StepTimeModel, role: WorkerRole, caps: EngineCapabilities, o: BootstrapOptions): FpmPoint[] {
  const s = Math.max(1, Math.floor(caps.max_num_seqs / o.granularity));
  const blk = o.blockSize ?? DEFAULT_ENGINE_CONFIG.blockSize;
  const capBlocks = Math.floor(caps.max_kv_tokens / blk);
  const out: FpmPoint[] = [];
  for (const ctx of [500, 2000, 4000, 8000]) {
    for (let bs = 1; bs <= caps.max_num_seqs; bs += s) {
      if (bs * ctx > caps.max_kv_tokens) break;
      const ms = stepTime({
        role, numPrefill: 0, prefillTokens: 0, sumPrefillTokens: 0, sumPrefillKvTokens: 0, numDecode: bs, sumDecodeKvTokens: bs * ctx,
        numReady: bs, activeKvBlocks: bs * Math.ceil(ctx / blk), kvCapacityBlocks: capBlocks,
      });
      out.push({ numPrefill: 0, sumPrefillTokens: 0, numDecode: bs, sumDecodeKvTokens: bs * ctx, wallTimeS: ms / 1000 });
    }
  }
  return out;
}
