/**
 * Trace hash ids → dense integer ids of full engine KV blocks, shared by every worker of a fleet.
 *
 * Dynamo synthesizes each trace block as `trace_block_size` copies of its hash id, re-chunks the
 * prompt at the engine block size and hashes the blocks in a chain, so two requests share engine
 * block j exactly when they share the trace-hash prefix covering it (dynamo.md §1.1). We reach the
 * same identity without hashing tokens: a trace prefix (h_0..h_i) is interned to a prefix id, and
 * full engine block j is identified by (prefix id of the trace block holding its last token, j).
 * Dense ids let the caches index typed arrays instead of hashing per block.
 */

const TWO32 = 4294967296;
const TWO22 = 4194304;

export class BlockInterner {
  readonly traceBlockSize: number;
  readonly engineBlockSize: number;
  private readonly ratio: number;
  private readonly prefixes = new Map<number, number>();
  private readonly general = new Map<number, number>();
  private nextPrefix = 1;
  private nextGeneral = 0;

  constructor(traceBlockSize: number, engineBlockSize: number) {
    if (!Number.isInteger(traceBlockSize) || traceBlockSize <= 0) throw new RangeError(`trace block size must be a positive integer, got ${traceBlockSize}`);
    if (!Number.isInteger(engineBlockSize) || engineBlockSize <= 0) throw new RangeError(`engine block size must be a positive integer, got ${engineBlockSize}`);
    this.traceBlockSize = traceBlockSize;
    this.engineBlockSize = engineBlockSize;
    this.ratio = traceBlockSize % engineBlockSize === 0 ? traceBlockSize / engineBlockSize : 0;
  }

  /** One more than the largest id handed out so far (caches size their arrays by it). */
  get size(): number {
    return this.ratio > 0 ? (this.nextPrefix - 1) * this.ratio : this.nextGeneral;
  }

  /** Ids of the full engine blocks of a prompt of `inputLength` tokens with these trace hash ids. */
  blockIds(hashIds: readonly number[], inputLength: number): Int32Array {
    const T = this.traceBlockSize;
    const B = this.engineBlockSize;
    const nFull = Math.floor(inputLength / B);
    const out = new Int32Array(nFull);
    if (nFull === 0) return out;
    // Prefix ids for the trace blocks the full engine blocks reach.
    const lastTrace = Math.floor((nFull * B - 1) / T);
    if (lastTrace >= hashIds.length) throw new RangeError(`hash_ids cover ${hashIds.length * T} tokens, fewer than the ${inputLength} input tokens`);
    const prefix = new Int32Array(lastTrace + 1);
    let parent = 0;
    for (let i = 0; i <= lastTrace; i++) {
      const h = hashIds[i]!;
      const key = parent * TWO32 + h;
      let id = this.prefixes.get(key);
      if (id === undefined) {
        id = this.nextPrefix++;
        if (id >= 2097152) throw new RangeError("BlockInterner: more than 2,097,151 distinct trace prefixes");
        this.prefixes.set(key, id);
      }
      prefix[i] = id;
      parent = id;
    }
    if (this.ratio > 0) {
      const R = this.ratio;
      for (let j = 0; j < nFull; j++) {
        const i = (j / R) | 0;
        out[j] = (prefix[i]! - 1) * R + (j - i * R);
      }
    } else {
      for (let j = 0; j < nFull; j++) {
        if (j >= TWO22) throw new RangeError("BlockInterner: prompts longer than 4,194,304 engine blocks");
        const i = Math.floor(((j + 1) * B - 1) / T);
        const key = prefix[i]! * TWO22 + j;
        let id = this.general.get(key);
        if (id === undefined) {
          id = this.nextGeneral++;
          this.general.set(key, id);
        }
        out[j] = id;
      }
    }
    return out;
  }
}
