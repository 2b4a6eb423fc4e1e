/**
 * Routing policies for a pool of workers. The KV-aware cost is Dynamo's default worker score
 * (dynamo.md §2.7): overlap_weight × prefill_tokens / block_size + decode_blocks, lowest wins.
 * Ties are broken by a seeded RNG (Dynamo picks randomly and unseeded, so its runs differ).
 */
import type { Rng } from "../core/rng.js";

export type RouterPolicy = "round-robin" | "random" | "least-loaded" | "kv";

export const ROUTER_POLICIES: readonly RouterPolicy[] = ["round-robin", "random", "least-loaded", "kv"];

/** What a router reads from a worker. */
export interface RouterView {
  /** Requests queued or running on the worker. */
  inFlight: number;
  /** KV blocks referenced by running requests. */
  activeBlocks: number;
  /** Prompt tokens routed here that have not produced a first token yet. */
  pendingPrefillTokens: number;
  /** Blocks that routed-but-not-admitted requests will add. */
  pendingBlocks: number;
  /** Leading full blocks of `ids` cached on the worker. */
  overlap(ids: Int32Array): number;
  /** Blocks of `ids` referenced by running requests on the worker (all within the first `overlapBlocks`). */
  activeOverlap(ids: Int32Array, overlapBlocks: number): number;
}

/**
 * Dynamo's KV-router cost of sending a request (isl tokens, islBlocks blocks) to a worker whose
 * cache holds `overlap` of its leading blocks, `activeOverlap` of its blocks being held by running
 * requests (only those are not new decode blocks; an inactive cached block is re-activated).
 *
 * @example
 * ```ts
 * const cost = kvRouterCost(1, 64, isl, islBlocks, overlap, worker); // lower is better
 * ```
 */
export function kvRouterCost(overlapWeight: number, blockSize: number, isl: number, islBlocks: number, overlap: number, w: Pick<RouterView, "activeBlocks" | "pendingPrefillTokens" | "pendingBlocks">, activeOverlap = overlap): number {
  const prefillTokens = w.pendingPrefillTokens + Math.max(0, isl - overlap * blockSize);
  const decodeBlocks = w.activeBlocks + w.pendingBlocks + (islBlocks - activeOverlap);
  return (overlapWeight * prefillTokens) / blockSize + decodeBlocks;
}

export class Router {
  private rr = 0;
  constructor(readonly policy: RouterPolicy, private readonly rng: Rng, readonly overlapWeight = 1, readonly blockSize = 64) {}

  /** Index into `workers` of the chosen one (workers non-empty). */
  choose(workers: readonly RouterView[], ids: Int32Array, isl: number, islBlocks: number): number {
    const n = workers.length;
    if (this.policy === "round-robin") {
      // Dynamo's cursor: the next index follows the last one chosen, also while one worker serves, so
      // after a scale-up the next request goes to the new worker (a free-running counter's phase would not).
      const i = this.rr % n;
      this.rr = i + 1;
      return i;
    }
    if (n === 1) return 0;
    switch (this.policy) {
      case "random":
        return this.rng.int(n);
      case "least-loaded": {
        let best = Infinity;
        let ties = 0;
        let pick = 0;
        for (let i = 0; i < n; i++) {
          const load = workers[i]!.inFlight;
          if (load < best) { best = load; ties = 1; pick = i; }
          else if (load === best) { ties++; if (this.rng.int(ties) === 0) pick = i; }
        }
        return pick;
      }
      case "kv": {
        let best = Infinity;
        let ties = 0;
        let pick = 0;
        for (let i = 0; i < n; i++) {
          const w = workers[i]!;
          const ov = this.overlapWeight > 0 ? w.overlap(ids) : 0;
          // New decode blocks are those not already held by running requests there (Dynamo's active-sequence
          // dedup under router_assume_kv_reuse); inactive cached blocks still count as new. Off with reuse.
          const act = this.overlapWeight > 0 ? w.activeOverlap(ids, ov) : 0;
          const cost = kvRouterCost(this.overlapWeight, this.blockSize, isl, islBlocks, ov, w, act);
          if (cost < best) { best = cost; ties = 1; pick = i; }
          else if (cost === best) { ties++; if (this.rng.int(ties) === 0) pick = i; }
        }
        return pick;
      }
    }
  }
}
