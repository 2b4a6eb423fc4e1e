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
  /** (parent prefix id, trace hash id) → prefix id: an open-addressing table for hash ids in [0, 2³¹), a Map for any other. */
  private readonly prefixes = new Map<number, number>();
  private tabParent = new Int32Array(1 << 12);
  private tabHash = new Int32Array(1 << 12);
  private tabId = new Int32Array(1 << 12);
  private tabCount = 0;
  private scratch = new Int32Array(64);
  private readonly general = new Map<number, number>();
  private nextPrefix = 1;
  private nextGeneral = 0;

  /** `expectedPrefixes`: a sizing hint (e.g. the trace's total hash ids) so the prefix table need not grow. */
  constructor(traceBlockSize: number, engineBlockSize: number, expectedPrefixes = 0) {
    if (!Number.isInteger(traceBlockSize) || traceBlockSize <= 0) throw new RangeError(`trace block size must be a positive integer, got ${traceBlockSize}`);
    if (!Number.isInteger(engineBlockSize) || engineBlockSize <= 0) throw new RangeError(`engine block size must be a positive integer, got ${engineBlockSize}`);
    this.traceBlockSize = traceBlockSize;
    this.engineBlockSize = engineBlockSize;
    this.ratio = traceBlockSize % engineBlockSize === 0 ? traceBlockSize / engineBlockSize : 0;
    if (expectedPrefixes > 2048) {
      let n = this.tabId.length;
      // Distinct prefixes are fewer than hash ids (shared prefixes); 1.5× the hint keeps the load ≤ ½ in practice.
      while (n < 1.5 * expectedPrefixes && n < 1 << 24) n *= 2;
      this.tabParent = new Int32Array(n);
      this.tabHash = new Int32Array(n);
      this.tabId = new Int32Array(n);
    }
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
    if (this.scratch.length <= lastTrace) this.scratch = new Int32Array(Math.max(lastTrace + 1, 2 * this.scratch.length));
    const prefix = this.scratch;
    let parent = 0;
    for (let i = 0; i <= lastTrace; i++) {
      const h = hashIds[i]!;
      let id: number;
      if ((h | 0) === h && h >= 0) id = this.prefixId(parent, h);
      else {
        const key = parent * TWO32 + h;
        const got = this.prefixes.get(key);
        if (got === undefined) {
          id = this.newPrefix();
          this.prefixes.set(key, id);
        } else id = got;
      }
      prefix[i] = id;
      parent = id;
    }
    if (this.ratio > 0) {
      const R = this.ratio;
      // Engine block j = i·R + r lies in trace block i: id (prefix[i] − 1)·R + r.
      for (let i = 0, j = 0; j < nFull; i++) {
        const base = (prefix[i]! - 1) * R;
        for (let r = 0; r < R && j < nFull; r++, j++) out[j] = base + r;
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

  private newPrefix(): number {
    const id = this.nextPrefix++;
    if (id >= 2097152) throw new RangeError("BlockInterner: more than 2,097,151 distinct trace prefixes");
    return id;
  }

  /** Prefix id of (parent, h) for an integer h in [0, 2³¹), interning it when new. */
  private prefixId(parent: number, h: number): number {
    let mask = this.tabId.length - 1;
    let k = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(h, 0x85ebca77)) >>> 0;
    k = (k ^ (k >>> 15)) & mask;
    const tp = this.tabParent;
    const th = this.tabHash;
    const ti = this.tabId;
    for (;;) {
      const id = ti[k]!;
      if (id === 0) break;
      if (tp[k] === parent && th[k] === h) return id;
      k = (k + 1) & mask;
    }
    const id = this.newPrefix();
    if (2 * (this.tabCount + 1) > ti.length) {
      this.rehash();
      mask = this.tabId.length - 1;
      k = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(h, 0x85ebca77)) >>> 0;
      k = (k ^ (k >>> 15)) & mask;
      while (this.tabId[k] !== 0) k = (k + 1) & mask;
    }
    this.tabParent[k] = parent;
    this.tabHash[k] = h;
    this.tabId[k] = id;
    this.tabCount++;
    return id;
  }

  private rehash(): void {
    const op = this.tabParent;
    const oh = this.tabHash;
    const oi = this.tabId;
    const n = oi.length * 2;
    const mask = n - 1;
    const tp = new Int32Array(n);
    const th = new Int32Array(n);
    const ti = new Int32Array(n);
    for (let j = 0; j < oi.length; j++) {
      const id = oi[j]!;
      if (id === 0) continue;
      const parent = op[j]!;
      const h = oh[j]!;
      let k = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(h, 0x85ebca77)) >>> 0;
      k = (k ^ (k >>> 15)) & mask;
      while (ti[k] !== 0) k = (k + 1) & mask;
      tp[k] = parent;
      th[k] = h;
      ti[k] = id;
    }
    this.tabParent = tp;
    this.tabHash = th;
    this.tabId = ti;
  }
}
