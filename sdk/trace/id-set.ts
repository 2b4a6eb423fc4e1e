/**
 * A set of hash ids in flat typed arrays (open addressing): about 5 bytes a slot where a
 * Set<number> costs ~40 bytes an entry, which dominated `trace stats` on million-line traces.
 * Ids outside [0, 2^32) — none in a trace a reader validated — go to a plain Set.
 */
export class HashIdSet {
  private keys = new Uint32Array(1 << 12);
  private used = new Uint8Array(1 << 12);
  private count = 0;
  private readonly other = new Set<number>();

  add(id: number): void {
    if (id >>> 0 !== id) { this.other.add(id); return; }
    const mask = this.keys.length - 1;
    let i = slotOf(id, mask);
    while (this.used[i]) {
      if (this.keys[i] === id) return;
      i = (i + 1) & mask;
    }
    this.used[i] = 1;
    this.keys[i] = id;
    if (++this.count * 2 > this.keys.length) this.grow();
  }

  get size(): number {
    return this.count + this.other.size;
  }

  private grow(): void {
    const { keys, used } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.used = new Uint8Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let k = 0; k < keys.length; k++) {
      if (!used[k]) continue;
      let i = slotOf(keys[k]!, mask);
      while (this.used[i]) i = (i + 1) & mask;
      this.used[i] = 1;
      this.keys[i] = keys[k]!;
    }
  }
}

function slotOf(id: number, mask: number): number {
  let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) & mask;
}
