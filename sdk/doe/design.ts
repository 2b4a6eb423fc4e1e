/**
 * A design is the list of runs a sweep executes: one per treatment × replicate, each with its
 * factor values, standard order (the order the design was generated in), run order (the order it
 * is executed in, randomized or not), block and whether it is a centre point. Builders
 * (factorial.ts, space-filling.ts, experiment.ts) make designs; the functions here add
 * replicates, repeated measures, centre points, blocks and a seeded randomized run order.
 */
import { rng, type Seed } from "../core/rng.js";
import type { Cell } from "../core/rows.js";
import { STREAMS } from "../core/streams.js";

/** A factor value. `null` is NA ("not applicable"). */
export type Level = Cell;

export type DesignKind =
  | "full_factorial"
  | "fractional_factorial"
  | "latin_hypercube"
  | "random"
  | "ofat"
  | "experiment"
  | "custom";

export interface DesignRun {
  /** Stable id: the treatment's id, plus `-r<k>` for replicate k > 1. Unique within the design. */
  id: string;
  /** The treatment's name (shared by its replicates). */
  treatment: string;
  /** 1-based position in standard (generation) order; replicates of a treatment share it. */
  std_order: number;
  /** 1-based execution order. */
  run_order: number;
  /** 1-based replicate number (true replication: a separate run with its own seed). */
  replicate: number;
  /** 1-based block. */
  block: number;
  /** Whether this run is a centre point. */
  center: boolean;
  /** Factor name → value. */
  factors: Record<string, Level>;
  /** Extra per-run columns a builder adds to result rows (e.g. the setup and run treatment names). */
  context?: Record<string, Cell>;
  /** Parameters the treatment function needs beyond the factors (e.g. an experiment's overrides and constants); part of the cache key. */
  params?: Record<string, unknown>;
}

/** What a two-level fractional factorial confounds. */
export interface FractionInfo {
  /** Generators as given, e.g. `["D=ABC"]`. */
  generators: string[];
  /** The defining relation's words, e.g. `["I", "ABCD"]`. */
  definingRelation: string[];
  /** Length of the shortest word (Roman numeral resolution as a number); Infinity for a full design. */
  resolution: number;
  /** Each main effect and two-factor interaction (and more, up to `aliasOrder`) → its aliases. */
  aliases: Record<string, string[]>;
  /** Letter → factor name. */
  letters: Record<string, string>;
}

export interface Design {
  name: string;
  kind: DesignKind;
  /** Factor names, in column order. */
  factors: string[];
  /** Runs sorted by run order. */
  runs: DesignRun[];
  /** Repeated measures per run (measurements of the same run, not replicates). Default 1. */
  repeats: number;
  fraction?: FractionInfo;
}

/** The factor-values part of a design point, before replicates/randomization. */
export type Point = Record<string, Level>;

/**
 * A design from points in standard order (one replicate, one block, run order = standard order).
 *
 * @example
 * ```ts
 * const d = designFromPoints("custom", "custom", ["x", "y"], [[1, 10], [2, 20]]);
 * ```
 */
export function designFromPoints(name: string, kind: DesignKind, factors: string[], points: readonly Point[], names?: readonly string[]): Design {
  const width = String(points.length).length;
  const runs = points.map((p, i): DesignRun => {
    const treatment = names?.[i] ?? `t${String(i + 1).padStart(width, "0")}`;
    return { id: treatment, treatment, std_order: i + 1, run_order: i + 1, replicate: 1, block: 1, center: false, factors: { ...p } };
  });
  return { name, kind, factors: [...factors], runs, repeats: 1 };
}

function renumber(runs: DesignRun[]): DesignRun[] {
  return runs.map((r, i) => ({ ...r, run_order: i + 1 }));
}

/**
 * True replication: every treatment `n` times, each replicate a separate run (its own seed, its own
 * place in the run order). Replicate k > 1 gets id `<id>-r<k>`. Runs are ordered replicate by
 * replicate (randomize afterwards to interleave them).
 *
 * @example
 * ```ts
 * const twice = replicate(fullFactorial([{ name: "x", levels: [1, 2] }]), 2);
 * ```
 */
export function replicate(design: Design, n: number): Design {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`replicate: n must be a positive integer, got ${n}`);
  const base = design.runs.filter((r) => r.replicate === 1);
  const runs: DesignRun[] = [];
  for (let k = 1; k <= n; k++) {
    for (const r of base) runs.push({ ...r, replicate: k, id: k === 1 ? r.id : `${r.id}-r${k}`, factors: { ...r.factors } });
  }
  return { ...design, runs: renumber(runs) };
}

/**
 * Repeated measures: each run is measured `m` times in a row (same setup, consecutive seeds) — not
 * new replicates. The sweep calls the treatment function m times per run and labels rows `repeat`.
 *
 * @example
 * ```ts
 * const d = repeatedMeasures(fullFactorial([{ name: "x", levels: [1, 2] }]), 3); // 3 measurements per run
 * ```
 */
export function repeatedMeasures(design: Design, m: number): Design {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`repeatedMeasures: m must be a positive integer, got ${m}`);
  return { ...design, repeats: m };
}

/**
 * Add `n` centre points: every numeric factor at the midpoint of its lowest and highest value;
 * a non-numeric factor has no centre, so this throws if the design has one.
 *
 * @example
 * ```ts
 * const cp = withCenterPoints(fullFactorial([{ name: "x", levels: [1, 3] }, { name: "y", levels: [10, 30] }]), 3);
 * ```
 */
export function withCenterPoints(design: Design, n: number): Design {
  if (n === 0) return design;
  const center: Point = {};
  for (const f of design.factors) {
    const values = design.runs.map((r) => r.factors[f]).filter((v): v is number => typeof v === "number");
    if (values.length !== design.runs.length) throw new RangeError(`withCenterPoints: factor '${f}' is not numeric, so it has no centre`);
    center[f] = (Math.min(...values) + Math.max(...values)) / 2;
  }
  const last = Math.max(...design.runs.map((r) => r.std_order));
  const runs = [...design.runs];
  for (let i = 1; i <= n; i++) {
    runs.push({ id: `center-${i}`, treatment: `center-${i}`, std_order: last + i, run_order: 0, replicate: 1, block: 1, center: true, factors: { ...center } });
  }
  return { ...design, runs: renumber(runs) };
}

/**
 * Blocks. `{ byReplicate: true }`: each replicate is a block (the usual choice when replicates
 * are run on different days or clusters). `{ confound: ["ABC"] }` for two-level designs: the
 * blocks are the sign combinations of the given interaction words (letters A, B, … in factor
 * order), so 2^p blocks for p words; those interactions are confounded with blocks.
 *
 * @example
 * ```ts
 * const blocked = withBlocks(replicate(design, 2), { byReplicate: true });
 * ```
 */
export function withBlocks(design: Design, how: { byReplicate: true } | { confound: string[] }): Design {
  if ("byReplicate" in how) return { ...design, runs: design.runs.map((r) => ({ ...r, block: r.replicate })) };
  const coded = codeTwoLevel(design);
  const runs = design.runs.map((r, i) => {
    let block = 0;
    how.confound.forEach((word, w) => {
      let sign = 1;
      for (const letter of word.toUpperCase()) {
        const idx = letter.charCodeAt(0) - 65;
        const column = coded[design.factors[idx] ?? ""];
        if (!column) throw new RangeError(`withBlocks: '${letter}' in '${word}' is not a factor letter (A..${String.fromCharCode(64 + design.factors.length)})`);
        sign *= column[i]!;
      }
      if (sign > 0) block |= 1 << w;
    });
    return { ...r, block: r.center ? 1 : block + 1 };
  });
  return { ...design, runs };
}

/** Factor name → ±1 per run (low/high by numeric or first-seen order); centre points 0. */
function codeTwoLevel(design: Design): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const f of design.factors) {
    const levels = distinctLevels(design.runs.filter((r) => !r.center).map((r) => r.factors[f] ?? null));
    if (levels.length !== 2) throw new RangeError(`factor '${f}' has ${levels.length} levels; a two-level design needs 2`);
    out[f] = design.runs.map((r) => (r.center ? 0 : r.factors[f] === levels[0] ? -1 : 1));
  }
  return out;
}

/**
 * Distinct values, numbers ascending, then others in first-seen order (null last).
 *
 * @example
 * ```ts
 * distinctLevels([4, 2, 4, null, 8]); // each level once
 * ```
 */
export function distinctLevels(values: readonly Level[]): Level[] {
  const seen: Level[] = [];
  for (const v of values) if (!seen.some((s) => s === v)) seen.push(v);
  const nums = seen.filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
  const others = seen.filter((v) => typeof v !== "number" && v !== null);
  return [...nums, ...others, ...(seen.includes(null) ? [null] : [])];
}

/**
 * A randomized run order from `seed`, keeping `std_order`. Blocks stay in order and runs are
 * shuffled within each block. `restrictBy` (e.g. a context key naming the setup treatment) keeps
 * runs sharing that value together — a split-plot order: the groups are shuffled, then the runs
 * within each group — which is how experiments that stand a stack up once per setup treatment run.
 *
 * @example
 * ```ts
 * const runOrder = randomize(replicate(design, 2), 7);
 * ```
 */
export function randomize(design: Design, seed: Seed, options: { restrictBy?: string } = {}): Design {
  const r = rng(seed).split(STREAMS.runOrder);
  const blocks = [...new Set(design.runs.map((x) => x.block))].sort((a, b) => a - b);
  const out: DesignRun[] = [];
  for (const b of blocks) {
    const inBlock = design.runs.filter((x) => x.block === b).sort((p, q) => p.std_order - q.std_order || p.replicate - q.replicate);
    if (options.restrictBy) {
      const key = options.restrictBy;
      const groupOf = (x: DesignRun) => `${x.replicate}\u0000${String(x.context?.[key] ?? x.factors[key] ?? "")}`;
      const groups = [...new Set(inBlock.map(groupOf))];
      for (const g of r.shuffle(groups)) out.push(...r.shuffle(inBlock.filter((x) => groupOf(x) === g)));
    } else {
      out.push(...r.shuffle(inBlock));
    }
  }
  return { ...design, runs: renumber(out) };
}

/**
 * The design's runs as rows (for printing or writing a run sheet).
 *
 * @example
 * ```ts
 * toArquero(designRows(fullFactorial([{ name: "x", levels: [1, 2] }]))).print();
 * ```
 */
export function designRows(design: Design): Record<string, Cell>[] {
  return design.runs.map((r) => ({
    id: r.id, treatment: r.treatment, std_order: r.std_order, run_order: r.run_order, replicate: r.replicate, block: r.block, center: r.center,
    ...(r.context ?? {}), ...r.factors,
  }));
}

/**
 * The same parameters for every run (merged over any a run has); they reach the treatment function and the cache key.
 *
 * @example
 * ```ts
 * const d = withParams(design, { limit: 1000 }); // every run gets these treatment params
 * ```
 */
export function withParams(design: Design, params: Record<string, unknown>): Design {
  return { ...design, runs: design.runs.map((r) => ({ ...r, params: { ...(r.params ?? {}), ...params } })) };
}
