/**
 * One worker's KV cache of fixed-size blocks with prefix caching (dynamo.md §2.4): full prompt
 * blocks are identified by a dense block id and reference-counted; a block whose count drops to
 * zero stays cached ("inactive") in an LRU list until a new block needs its room. Blocks that hold
 * generated tokens or a partial prompt tail are anonymous: they count against capacity but can
 * never match a later prompt, so they are not cached after release.
 *
 * Everything is typed arrays indexed by slot or block id — no per-block objects.
 */

const NONE = -1;

/**
 * A bigger copy (≥ min, doubling). Callers only ask when they need room. The fields it grows are
 * declared `Int32Array`: TypeScript ≥ 5.7 would infer `Int32Array<ArrayBuffer>` from `new`, and the
 * notebooks' tslab compiles with TypeScript 5.0, which has no generic typed arrays.
 */
function grow(a: Int32Array, min: number): Int32Array {
  let n = Math.max(16, a.length);
  while (n < min) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

// The id → slot index is paged: ids come in runs (a prompt's new blocks get consecutive ids) and a
// cache holds at most `capacity` of them, so a page table over the id space plus the few live pages
// costs far less than one entry per id (8 workers × 1.45M ids on the full Mooncake trace).
const PAGE_BITS = 8;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** Out of the hot path: building the message would otherwise sit inside every inlined `release`. */
function releaseError(id: number, inactive: boolean): never {
  throw new Error(inactive ? `KvCache: release of inactive block ${id}` : `KvCache: release of block ${id} that is not cached`);
}

export class KvCache {
  readonly capacity: number;
  readonly caching: boolean;
  /**
   * slot + 1 of a cached block id, 0 when absent: pages[(pageOf[id >> 8] − 1) · 256 + (id & 255)];
   * pageOf entry 0 means no page (nothing cached there). A page is freed when its last id leaves.
   */
  private pageOf: Int32Array;
  private pages: Int32Array = new Int32Array(PAGE * 16);
  private pageLive: Int32Array = new Int32Array(16);
  private freePages: Int32Array = new Int32Array(16);
  private nFreePages = 0;
  private nPages = 0;
  private slotBlock: Int32Array = new Int32Array(0);
  private slotRef: Int32Array = new Int32Array(0);
  private prev: Int32Array = new Int32Array(0);
  private next: Int32Array = new Int32Array(0);
  private freeSlots: Int32Array = new Int32Array(0);
  private nFree = 0;
  private nSlots = 0;
  private lruHead = NONE; // oldest inactive
  private lruTail = NONE; // newest inactive
  /** Referenced cached blocks, anonymous blocks, and unreferenced cached blocks. */
  private activeCached = 0;
  private anon = 0;
  private inactive = 0;
  /** Blocks evicted so far (for reports). */
  evictions = 0;

  /** `idSpace`: expected number of distinct block ids (sizes the id index once instead of growing it). */
  constructor(capacityBlocks: number, enablePrefixCaching = true, idSpace = 0) {
    if (!(capacityBlocks > 0)) throw new RangeError(`KvCache: capacity must be > 0 blocks, got ${capacityBlocks}`);
    this.capacity = capacityBlocks;
    this.caching = enablePrefixCaching;
    this.pageOf = new Int32Array(enablePrefixCaching && idSpace > 0 ? ((idSpace + PAGE_MASK) >>> PAGE_BITS) : 0);
  }

  /** Blocks referenced by running requests. */
  get activeBlocks(): number {
    return this.activeCached + this.anon;
  }

  /** Blocks in use or cached (≤ capacity). */
  get usedBlocks(): number {
    return this.activeCached + this.anon + this.inactive;
  }

  get inactiveBlocks(): number {
    return this.inactive;
  }

  /** Can `n` more blocks be taken (evicting inactive ones as needed)? */
  canTake(n: number): boolean {
    return this.activeCached + this.anon + n <= this.capacity;
  }

  /** Is block `id` cached (active or inactive)? */
  has(id: number): boolean {
    return this.slotIdx(id) > 0;
  }

  /** Leading blocks of `ids` (up to `limit`) present in the cache. */
  prefixHits(ids: Int32Array, limit = ids.length): number {
    if (!this.caching) return 0;
    const po = this.pageOf;
    const pages = this.pages;
    const n = Math.min(limit, ids.length);
    let i = 0;
    while (i < n) {
      const id = ids[i]!;
      const p = id >>> PAGE_BITS;
      if (p >= po.length) break;
      const pg = po[p]!;
      if (pg === 0 || pages[((pg - 1) << PAGE_BITS) | (id & PAGE_MASK)] === 0) break;
      i++;
    }
    return i;
  }

  /**
   * Blocks of `ids` (up to `limit`) held by running requests right now. A running request holds a
   * leading run of its chained ids, so every active one lies within `prefixHits(ids)`: pass that as `limit`.
   */
  activeHits(ids: Int32Array, limit = ids.length): number {
    if (!this.caching) return 0;
    const m = Math.min(limit, ids.length);
    let n = 0;
    for (let i = 0; i < m; i++) {
      const s1 = this.slotIdx(ids[i]!);
      if (s1 > 0 && this.slotRef[s1 - 1]! > 0) n++;
    }
    return n;
  }

  /** Reference block `id`, inserting it if absent. False when the cache is full of active blocks. */
  acquire(id: number): boolean {
    const s1 = this.slotIdx(id);
    if (s1 > 0) {
      const s = s1 - 1;
      if (this.slotRef[s] === 0) {
        this.unlink(s);
        this.inactive--;
        this.activeCached++;
      }
      this.slotRef[s]!++;
      return true;
    }
    let s: number;
    if (this.activeCached + this.anon + this.inactive < this.capacity) s = this.takeSlot();
    else if (this.inactive === 0) return false;
    else {
      // Evict the oldest inactive block and take its slot (what makeRoom + takeSlot do, without the free-list round trip).
      s = this.lruHead;
      this.unlink(s);
      this.inactive--;
      this.clearSlotIdx(this.slotBlock[s]!);
      this.evictions++;
    }
    this.setSlotIdx(id, s + 1);
    this.slotBlock[s] = id;
    this.slotRef[s] = 1;
    this.activeCached++;
    return true;
  }

  /** Take one anonymous block. False when the cache is full of active blocks. */
  acquireAnonymous(): boolean {
    if (!this.makeRoom()) return false;
    this.anon++;
    return true;
  }

  releaseAnonymous(n: number): void {
    this.anon -= n;
    if (this.anon < 0) throw new Error("KvCache: released more anonymous blocks than taken");
  }

  /** Drop one reference; at zero the block becomes inactive (newest in LRU), or is removed when `destroy` or caching is off. */
  release(id: number, destroy = false): void {
    const s1 = this.slotIdx(id);
    if (s1 === 0) releaseError(id, false);
    const s = s1 - 1;
    if (this.slotRef[s]! <= 0) releaseError(id, true);
    if (--this.slotRef[s]! > 0) return;
    this.activeCached--;
    if (destroy || !this.caching) {
      this.removeSlot(s);
      return;
    }
    this.inactive++;
    // Append at the newest end.
    this.prev[s] = this.lruTail;
    this.next[s] = NONE;
    if (this.lruTail !== NONE) this.next[this.lruTail] = s;
    else this.lruHead = s;
    this.lruTail = s;
  }

  /** slot + 1 of block `id`, 0 when not cached. */
  private slotIdx(id: number): number {
    const p = id >>> PAGE_BITS;
    if (p >= this.pageOf.length) return 0;
    const pg = this.pageOf[p]!;
    return pg === 0 ? 0 : this.pages[((pg - 1) << PAGE_BITS) | (id & PAGE_MASK)]!;
  }

  /** Record slot + 1 (> 0) for an absent id. */
  private setSlotIdx(id: number, v: number): void {
    const p = id >>> PAGE_BITS;
    if (p >= this.pageOf.length) this.pageOf = grow(this.pageOf, p + 1);
    let pg = this.pageOf[p]!;
    if (pg === 0) {
      pg = this.newPage() + 1;
      this.pageOf[p] = pg;
    }
    this.pages[((pg - 1) << PAGE_BITS) | (id & PAGE_MASK)] = v;
    this.pageLive[pg - 1]!++;
  }

  private clearSlotIdx(id: number): void {
    const p = id >>> PAGE_BITS;
    const pg = this.pageOf[p]!;
    this.pages[((pg - 1) << PAGE_BITS) | (id & PAGE_MASK)] = 0;
    if (--this.pageLive[pg - 1]! === 0) {
      // Every entry of the page is 0 again: give it back.
      this.pageOf[p] = 0;
      this.freePages[this.nFreePages++] = pg - 1;
    }
  }

  private newPage(): number {
    if (this.nFreePages > 0) return this.freePages[--this.nFreePages]!;
    const n = this.nPages++;
    if (n >= this.pageLive.length) {
      const cap = this.pageLive.length * 2;
      const pages = new Int32Array(cap * PAGE);
      pages.set(this.pages);
      this.pages = pages;
      this.pageLive = grow(this.pageLive, cap);
      this.freePages = grow(this.freePages, cap);
    }
    return n;
  }

  private makeRoom(): boolean {
    if (this.activeCached + this.anon + this.inactive < this.capacity) return true;
    if (this.inactive === 0) return false;
    const s = this.lruHead;
    this.unlink(s);
    this.inactive--;
    this.removeSlot(s);
    this.evictions++;
    return true;
  }

  private unlink(s: number): void {
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p !== NONE) this.next[p] = n;
    else this.lruHead = n;
    if (n !== NONE) this.prev[n] = p;
    else this.lruTail = p;
  }

  private removeSlot(s: number): void {
    this.clearSlotIdx(this.slotBlock[s]!);
    this.slotRef[s] = 0;
    if (this.nFree >= this.freeSlots.length) this.freeSlots = grow(this.freeSlots, this.nFree + 1);
    this.freeSlots[this.nFree++] = s;
  }

  private takeSlot(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree]!;
    const s = this.nSlots++;
    if (s >= this.slotBlock.length) {
      this.slotBlock = grow(this.slotBlock, s + 1);
      this.slotRef = grow(this.slotRef, s + 1);
      this.prev = grow(this.prev, s + 1);
      this.next = grow(this.next, s + 1);
    }
    return s;
  }
}
