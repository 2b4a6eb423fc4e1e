/**
 * Designs for numeric ranges when a grid is too coarse or too big: Latin hypercube (each factor's
 * range cut into n strata, one sample per stratum; the maximin option keeps, among many seeded
 * candidates, the one whose closest pair of points is farthest apart) and plain random sampling.
 */
import { rng, type Rng, type Seed } from "../core/rng.js";
import { designFromPoints, type Design, type Level, type Point } from "./design.js";
import { STREAMS } from "../core/streams.js";

export interface NumericRange {
  name: string;
  min: number;
  max: number;
  /** Round samples to integers (e.g. replica counts). */
  integer?: boolean;
}

/** A factor sampled from a range, or from a list of levels (random sampling only). */
export type SampledFactor = NumericRange | { name: string; levels: readonly Level[] };

function checkRanges(ranges: readonly NumericRange[], where: string): void {
  if (ranges.length === 0) throw new RangeError(`${where}: at least one factor is needed`);
  for (const r of ranges) {
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max) || r.max < r.min) throw new RangeError(`${where}: factor '${r.name}' needs finite min ≤ max, got [${r.min}, ${r.max}]`);
  }
}

function scale(r: NumericRange, u: number): number {
  const v = r.min + u * (r.max - r.min);
  return r.integer ? Math.round(v) : v;
}

/** n points in [0,1)^d, one per stratum in every dimension. */
function unitHypercube(n: number, d: number, r: Rng): number[][] {
  const cols = Array.from({ length: d }, () => r.shuffle(Array.from({ length: n }, (_, i) => i)));
  return Array.from({ length: n }, (_, i) => cols.map((perm) => (perm[i]! + r.random()) / n));
}

function minDistance(points: number[][]): number {
  let best = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      let s = 0;
      for (let k = 0; k < points[i]!.length; k++) s += (points[i]![k]! - points[j]![k]!) ** 2;
      if (s < best) best = s;
    }
  }
  return Math.sqrt(best);
}

export interface LatinHypercubeOptions {
  seed: Seed;
  /** Keep the best of this many candidates by the maximin criterion (default 1: no search). */
  maximin?: number;
  name?: string;
}

/**
 * A seeded Latin hypercube design of n points over numeric factor ranges (maximin when asked).
 *
 * @example
 * ```ts
 * const d = latinHypercube([{ name: "speedup", min: 1, max: 4 }, { name: "workers", min: 2, max: 16, integer: true }], 20, { seed: 1 });
 * ```
 */
export function latinHypercube(ranges: readonly NumericRange[], n: number, options: LatinHypercubeOptions): Design {
  checkRanges(ranges, "latinHypercube");
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`latinHypercube: n must be a positive integer, got ${n}`);
  const r = rng(options.seed).split(STREAMS.latinHypercube);
  const tries = Math.max(1, options.maximin ?? 1);
  let best = unitHypercube(n, ranges.length, r);
  let bestScore = minDistance(best);
  for (let t = 1; t < tries; t++) {
    const cand = unitHypercube(n, ranges.length, r);
    const score = minDistance(cand);
    if (score > bestScore) { best = cand; bestScore = score; }
  }
  const points = best.map((u): Point => Object.fromEntries(ranges.map((f, k) => [f.name, scale(f, u[k]!)])));
  return designFromPoints(options.name ?? "latin hypercube", "latin_hypercube", ranges.map((f) => f.name), points);
}

/**
 * The smallest distance between two points of a design in the unit cube of `ranges` (for comparing designs).
 *
 * @example
 * ```ts
 * const d = maximinDistance(latinHypercube(ranges, 20, { seed: 1 }), ranges);
 * ```
 */
export function maximinDistance(design: Design, ranges: readonly NumericRange[]): number {
  return minDistance(design.runs.map((run) => ranges.map((f) => (f.max === f.min ? 0 : (Number(run.factors[f.name]) - f.min) / (f.max - f.min)))));
}

/**
 * n independent samples: uniform in each range, or a uniformly picked level.
 *
 * @example
 * ```ts
 * const d = randomSample([{ name: "workers", levels: [2, 4, 8] }, { name: "speedup", min: 1, max: 4 }], 20, { seed: 1 });
 * ```
 */
export function randomSample(factors: readonly SampledFactor[], n: number, options: { seed: Seed; name?: string }): Design {
  if (factors.length === 0) throw new RangeError("randomSample: at least one factor is needed");
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randomSample: n must be a positive integer, got ${n}`);
  const r = rng(options.seed).split(STREAMS.randomSample);
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const p: Point = {};
    for (const f of factors) p[f.name] = "levels" in f ? r.pick(f.levels) : scale(f, r.random());
    points.push(p);
  }
  return designFromPoints(options.name ?? "random sample", "random", factors.map((f) => f.name), points);
}
