// Trace statistics at scale: the ideal prefix reuse on a typed-array trie (sdk/trace/prefix-trie.ts)
// equals the whole-prefix string-key definition (the reference below, O(blocks²)) on random traces,
// and the streamed TraceStatsAccumulator equals traceStats over the loaded list.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PrefixTrie } from "../sdk/trace/prefix-trie.js";
import { HashIdSet } from "../sdk/trace/id-set.js";
import { idealPrefixReuse, traceStats, TraceStatsAccumulator } from "../sdk/trace/stats.js";
import { loadTrace } from "../sdk/trace/load.js";
import type { TraceRequest } from "../sdk/trace/types.js";

/** The definition: engine block j hits when an earlier request had block j full under the same trace-hash prefix (a leading run). */
function reference(requests: readonly TraceRequest[], T: number, B: number) {
  const covered = new Map<string, number>();
  let inputTokens = 0, reused = 0, ratioSum = 0, ratioN = 0;
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.timestamp - requests[b]!.timestamp || a - b);
  for (const i of order) {
    const r = requests[i]!;
    const nFull = Math.floor(r.input_length / B);
    const key = (j: number) => r.hash_ids.slice(0, Math.floor(((j + 1) * B - 1) / T) + 1).join("/");
    let hits = 0;
    while (hits < nFull && (covered.get(key(hits)) ?? 0) > hits) hits++;
    for (let j = 0; j < nFull; j++) covered.set(key(j), Math.max(covered.get(key(j)) ?? 0, j + 1));
    inputTokens += r.input_length;
    reused += Math.min(hits * B, r.input_length);
    const blocks = Math.ceil(r.input_length / B);
    if (blocks > 0) { ratioSum += hits / blocks; ratioN++; }
  }
  return { engineBlockSize: B, inputTokens, reusedTokens: reused, tokenRatio: inputTokens > 0 ? reused / inputTokens : 0, meanRequestRatio: ratioN > 0 ? ratioSum / ratioN : 0 };
}

test("PrefixTrie: one node per distinct (parent, id), stable across growth, any numeric id", () => {
  const trie = new PrefixTrie(16);
  const seen = new Map<string, number>();
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let k = 0; k < 50_000; k++) {
    const parent = next() % Math.max(1, trie.size);
    const id = [next() % 50, 2 ** 40 + (next() % 3), -1, 0.5][k % 4]!;
    const node = trie.child(parent, id);
    const want = seen.get(`${parent}/${id}`);
    if (want === undefined) { assert.equal(node, trie.size - 1); seen.set(`${parent}/${id}`, node); }
    else assert.equal(node, want);
  }
  assert.equal(trie.size, seen.size + 1);
});

test("idealPrefixReuse on the trie equals the string-key definition on 600 random traces", () => {
  const req = fc.record({ timestamp: fc.nat(100), isl: fc.integer({ min: 0, max: 3000 }), ids: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }), cut: fc.nat(40) });
  let withReuse = 0;
  fc.assert(fc.property(fc.array(req, { maxLength: 25 }), fc.constantFrom(16, 64, 100, 512), fc.constantFrom(16, 32, 64, 128, 700), (rs, T, B) => {
    const requests: TraceRequest[] = rs.map((r) => ({ timestamp: r.timestamp, input_length: r.isl, output_length: 1, hash_ids: Array.from({ length: Math.ceil(r.isl / T) }, (_, k) => (k < r.cut ? r.ids[k % r.ids.length]! : 1000 + k)) }));
    const want = reference(requests, T, B);
    if (want.reusedTokens > 0) withReuse++;
    assert.deepEqual(idealPrefixReuse(requests, { traceBlockSize: T, engineBlockSize: B }), want);
  }), { seed: 1, numRuns: 600 });
  assert.ok(withReuse > 200, `enough traces with reuse to mean something: ${withReuse}`);
});

test("TraceStatsAccumulator (streamed, no request kept) equals traceStats; a trace out of arrival order says so and takes the reuse from the whole list", () => {
  const { requests } = loadTrace("datasets/traces/public/mooncake/conversation_trace.jsonl.gz");
  const part = requests.slice(0, 3000);
  const acc = new TraceStatsAccumulator({ intervalS: 30 });
  for (const r of part) acc.add(r);
  assert.ok(acc.inArrivalOrder);
  assert.deepEqual(acc.result(), traceStats(part, { intervalS: 30 }));
  // Two requests swapped: not in arrival order any more.
  const swapped = [...part];
  const k = swapped.findIndex((r, i) => i > 0 && r.timestamp > swapped[i - 1]!.timestamp);
  [swapped[k - 1], swapped[k]] = [swapped[k]!, swapped[k - 1]!];
  const acc2 = new TraceStatsAccumulator({ intervalS: 30 });
  for (const r of swapped) acc2.add(r);
  assert.equal(acc2.inArrivalOrder, false);
  assert.throws(() => acc2.result(), RangeError);
  assert.deepEqual(acc2.result(idealPrefixReuse(swapped)), traceStats(swapped, { intervalS: 30 }));
});

test("HashIdSet counts what a Set<number> counts, across growth and for ids outside uint32", () => {
  const set = new HashIdSet();
  const ref = new Set<number>();
  let seed = 3;
  for (let k = 0; k < 60_000; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const id = k % 7 === 0 ? [-1, 2 ** 40, 0.5, -0, 0, 2 ** 32 - 1][k % 6]! : seed % 20_000;
    set.add(id);
    ref.add(id);
  }
  assert.equal(set.size, ref.size);
});
