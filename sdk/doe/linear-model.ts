/**
 * Least squares for linear models with categorical factors, on plain rows. Each factor is coded
 * with sum-to-zero (effect) columns; an interaction's columns are products of its factors'
 * columns. Fits use modified Gram–Schmidt with re-orthogonalization, adding columns in term
 * order, so Type I (sequential) sums of squares fall out of one pass and rank-deficient models
 * (aliased terms in fractional designs, empty cells) lose only the dependent columns.
 */
import type { Cell, RowLike } from "../core/rows.js";
import { cellOf } from "../core/rows.js";
import { distinctLevels, type Level } from "./design.js";

/** A model term: one factor (main effect) or several (their interaction). */
export interface Term {
  /** Factor names joined by ':' (R's notation), e.g. `A:B`. */
  name: string;
  factors: string[];
}

/**
 * Terms of all interactions among `factors` up to `order` factors, main effects first.
 *
 * @example
 * ```ts
 * termsOf(["router", "speedup"], 2); // main effects and their interaction
 * ```
 */
export function termsOf(factors: readonly string[], order = factors.length): Term[] {
  const out: Term[] = [];
  const rec = (start: number, chosen: string[], size: number) => {
    if (chosen.length === size) { out.push({ name: chosen.join(":"), factors: [...chosen] }); return; }
    for (let i = start; i < factors.length; i++) rec(i + 1, [...chosen, factors[i]!], size);
  };
  for (let size = 1; size <= Math.min(order, factors.length); size++) rec(0, [], size);
  return out;
}

/**
 * Parse `A:B` or `A*B` style term names against known factors.
 *
 * @example
 * ```ts
 * parseTerm("router:speedup", ["router", "speedup"]);
 * ```
 */
export function parseTerm(name: string, factors: readonly string[]): Term {
  const parts = name.split(/[:*]/).map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!factors.includes(p)) throw new RangeError(`term '${name}': '${p}' is not one of the factors (${factors.join(", ")})`);
  const ordered = factors.filter((f) => parts.includes(f));
  return { name: ordered.join(":"), factors: ordered };
}

/** A stable string for a level, so NA (null) is its own category. */
export function levelLabel(v: Level): string {
  return v === null ? "NA" : String(v);
}

/**
 * Numeric response values of rows, and the rows kept (finite response; status 'ok' when a status column exists).
 *
 * @example
 * ```ts
 * const { rows: kept, y } = analysisRows(rows, "ttftP50Ms"); // finite responses of ok runs
 * ```
 */
export function analysisRows<R extends RowLike>(rows: readonly R[], response: string): { rows: R[]; y: number[] } {
  const kept: R[] = [];
  const y: number[] = [];
  for (const r of rows) {
    const status = cellOf(r, "status");
    if (status !== null && status !== "ok") continue;
    const v = cellOf(r, response);
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    kept.push(r);
    y.push(v);
  }
  return { rows: kept, y };
}

/** Sum-to-zero columns for one factor: k−1 columns for k levels (last level = −1 in every column). */
function factorColumns(values: readonly Cell[], levels: readonly Level[]): number[][] {
  const k = levels.length;
  const cols: number[][] = [];
  for (let j = 0; j < k - 1; j++) {
    cols.push(values.map((v) => (v === levels[j] ? 1 : v === levels[k - 1] ? -1 : 0)));
  }
  return cols;
}

/** The design-matrix columns of a term. */
export function termColumns(rows: readonly RowLike[], term: Term, levels: Record<string, Level[]>): number[][] {
  let cols: number[][] = [rows.map(() => 1)];
  for (const f of term.factors) {
    const fc = factorColumns(rows.map((r) => cellOf(r, f)), levels[f]!);
    const next: number[][] = [];
    for (const a of cols) for (const b of fc) next.push(a.map((x, i) => x * b[i]!));
    cols = next;
  }
  return cols;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** An orthonormal basis grown column by column; dependent columns are dropped. */
export class Basis {
  readonly q: number[][] = [];
  constructor(readonly n: number) {}

  /** Add a column; returns its new orthonormal direction, or undefined if it is (numerically) dependent. */
  add(column: readonly number[]): number[] | undefined {
    const norm0 = Math.sqrt(dot(column, column));
    if (norm0 === 0) return undefined;
    const v = column.slice();
    for (let pass = 0; pass < 2; pass++) {
      for (const q of this.q) {
        const c = dot(q, v);
        for (let i = 0; i < v.length; i++) v[i]! -= c * q[i]!;
      }
    }
    const norm = Math.sqrt(dot(v, v));
    if (norm <= 1e-9 * norm0) return undefined;
    const u = v.map((x) => x / norm);
    this.q.push(u);
    return u;
  }

  /** y minus its projection on the basis. */
  residual(y: readonly number[]): number[] {
    const r = y.slice();
    for (let pass = 0; pass < 2; pass++) {
      for (const q of this.q) {
        const c = dot(q, r);
        for (let i = 0; i < r.length; i++) r[i]! -= c * q[i]!;
      }
    }
    return r;
  }
}

export interface ModelFit {
  n: number;
  /** Columns kept (intercept included). */
  rank: number;
  rss: number;
  fitted: number[];
  residuals: number[];
  /** Per term: independent columns it added (its df) and its sequential (Type I) sum of squares. */
  sequential: { term: string; df: number; ss: number }[];
}

/**
 * Fit y on intercept + terms in order.
 *
 * @example
 * ```ts
 * const fit = fitModel(kept, y, termsOf(factors, 2), levels);
 * ```
 */
export function fitModel(rows: readonly RowLike[], y: readonly number[], terms: readonly Term[], levels: Record<string, Level[]>): ModelFit {
  const n = y.length;
  const basis = new Basis(n);
  basis.add(rows.map(() => 1));
  const sequential: ModelFit["sequential"] = [];
  for (const t of terms) {
    let df = 0;
    let ss = 0;
    for (const col of termColumns(rows, t, levels)) {
      const u = basis.add(col);
      if (!u) continue;
      df++;
      ss += dot(u, y) ** 2;
    }
    sequential.push({ term: t.name, df, ss });
  }
  const residuals = basis.residual(y);
  return { n, rank: basis.q.length, rss: dot(residuals, residuals), fitted: y.map((v, i) => v - residuals[i]!), residuals, sequential };
}

/** Levels of each factor among the rows (numbers ascending, then strings, NA last). */
export function factorLevels(rows: readonly RowLike[], factors: readonly string[]): Record<string, Level[]> {
  return Object.fromEntries(factors.map((f) => [f, distinctLevels(rows.map((r) => cellOf(r, f)))]));
}
