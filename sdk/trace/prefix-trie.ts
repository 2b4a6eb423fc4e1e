/**
 * A trie of hash-id prefixes in flat typed arrays: node n's child by id is found by open
 * addressing on (n, id), so millions of prefixes cost 12 bytes a slot and no per-node object
 * (a JavaScript Map tops out at 2^24 entries and costs ~10× the time on 1e6-line traces).
 */
export class PrefixTrie {
  private mask: number;
  private parents: Int32Array;
  private ids: Uint32Array;
  /** Edges by an id outside [0, 2^32) (none in a validated trace), keyed `${parent}/${id}`. */
  private readonly odd = new Map<string, number>();
  private children: Int32Array;
  /** Nodes so far, the root (0) included; node ids are 0 … size − 1. */
  size = 1;

  constructor(initialSlots = 1 << 12) {
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, initialSlots)));
    this.mask = cap - 1;
    this.parents = new Int32Array(cap).fill(-1);
    this.ids = new Uint32Array(cap);
    this.children = new Int32Array(cap);
  }

  /** The child of `parent` by `id`, created when new. */
  child(parent: number, id: number): number {
    if (id >>> 0 !== id) {
      const key = `${parent}/${+id}`; // an undefined id is NaN, and NaN finds NaN
      let node = this.odd.get(key);
      if (node === undefined) { node = this.size++; this.odd.set(key, node); }
      return node;
    }
    let i = this.slot(parent, id);
    while (this.parents[i] !== -1) {
      if (this.parents[i] === parent && this.ids[i] === id) return this.children[i]!;
      i = (i + 1) & this.mask;
    }
    const node = this.size++;
    this.parents[i] = parent;
    this.ids[i] = id;
    this.children[i] = node;
    if (this.size * 2 > this.mask) this.grow();
    return node;
  }

  private slot(parent: number, id: number): number {
    let h = Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id | 0, 0xc2b2ae35);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) >>> 0 & this.mask;
  }

  private grow(): void {
    const { parents, ids, children } = this;
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.parents = new Int32Array(cap).fill(-1);
    this.ids = new Uint32Array(cap);
    this.children = new Int32Array(cap);
    for (let k = 0; k < parents.length; k++) {
      if (parents[k] === -1) continue;
      let i = this.slot(parents[k]!, ids[k]!);
      while (this.parents[i] !== -1) i = (i + 1) & this.mask;
      this.parents[i] = parents[k]!;
      this.ids[i] = ids[k]!;
      this.children[i] = children[k]!;
    }
  }
}
