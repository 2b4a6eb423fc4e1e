/**
 * Sharding a sweep across machines: shard i of N takes every N-th run in run order starting at i
 * (round-robin, so slow and fast treatments spread evenly), and merging reads the shards'
 * results back into one table in run order, checking that no run is missing or doubled.
 */
import { readFileSync } from "node:fs";
import { InputError } from "../core/errors.js";
import type { Row } from "../core/rows.js";
import type { Design, DesignRun } from "./design.js";

export interface Shard {
  /** 0-based (Kubernetes' JOB_COMPLETION_INDEX). */
  index: number;
  count: number;
}

/**
 * `"i/N"` → a shard, or an InputError naming what was expected.
 *
 * @example
 * ```ts
 * const shard = parseShard("2/8"); // { index: 2, count: 8 }
 * ```
 */
export function parseShard(text: string, source = "--shard"): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) throw new InputError({ source }, `a shard 'i/N' with 0 ≤ i < N (i is 0-based, like JOB_COMPLETION_INDEX), got '${text}'`);
  return { index, count };
}

/**
 * The runs of a design that belong to one shard (run i goes to shard i mod count).
 *
 * @example
 * ```ts
 * const mine = shardRuns(design.runs, parseShard("0/4"));
 * ```
 */
export function shardRuns(runs: readonly DesignRun[], shard: Shard): DesignRun[] {
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`shard ${shard.index}/${shard.count}: need integers 0 ≤ i < N`);
  }
  const ordered = [...runs].sort((a, b) => a.run_order - b.run_order);
  return ordered.filter((_, i) => i % shard.count === shard.index);
}

/**
 * Read a results.jsonl file into rows.
 *
 * @example
 * ```ts
 * const rows = readResultsJsonl("out/experiments/router-study/results.jsonl");
 * ```
 */
export function readResultsJsonl(path: string): Row[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError({ source: path }, `a readable results file (${(err as Error).message})`);
  }
  const rows: Row[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
      rows.push(v as Row);
    } catch {
      throw new InputError({ source: path, line: i + 1 }, "one JSON object per line");
    }
  });
  return rows;
}

export interface MergeResult {
  rows: Row[];
  /** Run ids (with repeat when repeated) the design has but no shard produced; empty without a design. */
  missing: string[];
}

const unitKey = (r: Row) => `${String(r.id)}${r.repeat !== undefined && r.repeat !== null ? `#${String(r.repeat)}` : ""}`;

/**
 * Merge shard results (files or row lists) into one table in run order; duplicates are an error.
 *
 * @example
 * ```ts
 * const { rows } = mergeShards(["out/shard-0/results.jsonl", "out/shard-1/results.jsonl"]);
 * ```
 */
export function mergeShards(shards: readonly (string | readonly Row[])[], design?: Design): MergeResult {
  const seen = new Map<string, string>();
  const rows: Row[] = [];
  shards.forEach((s, si) => {
    const name = typeof s === "string" ? s : `shard ${si}`;
    for (const r of typeof s === "string" ? readResultsJsonl(s) : s) {
      const k = unitKey(r);
      const prev = seen.get(k);
      if (prev !== undefined) throw new InputError({ source: name }, `each run in one shard only; run '${k}' is also in ${prev}`);
      seen.set(k, name);
      rows.push(r);
    }
  });
  rows.sort((a, b) => Number(a.run_order) - Number(b.run_order) || Number(a.repeat ?? 1) - Number(b.repeat ?? 1));
  const missing: string[] = [];
  if (design) {
    const repeats = Math.max(1, design.repeats);
    for (const run of [...design.runs].sort((a, b) => a.run_order - b.run_order)) {
      for (let k = 1; k <= repeats; k++) {
        const key = repeats > 1 ? `${run.id}#${k}` : run.id;
        if (!seen.has(key)) missing.push(key);
      }
    }
  }
  return { rows, missing };
}
