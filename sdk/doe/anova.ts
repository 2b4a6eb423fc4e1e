/**
 * Analysis of variance for factorial data on plain rows (so the numbers are the same whether the
 * rows came from arquero, danfo or a CSV): sums of squares, df, mean squares, F and p per term,
 * Type I (sequential) and Type II (each term after every term that does not contain it) sums —
 * equal for balanced data, both reported when they differ — and R², adjusted R².
 */
import type { RowLike } from "../core/rows.js";
import { cellOf } from "../core/rows.js";
import { fSurvival } from "./distributions.js";
import { Basis, analysisRows, factorLevels, fitModel, levelLabel, parseTerm, termColumns, termsOf, type Term } from "./linear-model.js";

export interface AnovaOptions {
  /** Highest interaction order (default: all factors, the full factorial model). */
  order?: number;
  /** Explicit terms (`A`, `A:B`, …) instead of `order`. */
  terms?: string[];
  /** Which sums of squares drive ms, F and p (default 2; identical to Type I for balanced data). */
  type?: 1 | 2;
}

export interface AnovaRow {
  term: string;
  df: number;
  /** The sum of squares of the chosen type. */
  ss: number;
  ms: number;
  /** null when there are no residual degrees of freedom. */
  f: number | null;
  p: number | null;
  ss_type1: number;
  ss_type2: number;
}

export interface AnovaTable {
  response: string;
  factors: string[];
  type: 1 | 2;
  n: number;
  rows: AnovaRow[];
  residual: { df: number; ss: number; ms: number | null };
  total: { df: number; ss: number };
  r2: number;
  adjR2: number | null;
  /** √MS_residual. */
  residualSd: number | null;
  /** Every cell of the factor combinations has the same number of runs. */
  balanced: boolean;
  /** Whether Type I and Type II sums differ for some term. */
  typesDiffer: boolean;
  fitted: number[];
  residuals: number[];
  /** Run order of each analysed row (its `run_order` column, else its position). */
  runOrder: number[];
}

/**
 * Whether every combination of factor levels present has the same count and all combinations occur.
 *
 * @example
 * ```ts
 * isBalanced(rows, ["workers", "router"]); // every cell the same number of runs
 * ```
 */
export function isBalanced(rows: readonly RowLike[], factors: readonly string[]): boolean {
  const levels = factorLevels(rows, factors);
  const cells = new Map<string, number>();
  for (const r of rows) {
    const key = factors.map((f) => levelLabel(cellOf(r, f))).join("\u0000");
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const expected = factors.reduce((n, f) => n * levels[f]!.length, 1);
  const counts = [...cells.values()];
  return cells.size === expected && counts.every((c) => c === counts[0]);
}

function rssOf(rows: readonly RowLike[], y: readonly number[], terms: readonly Term[], levels: ReturnType<typeof factorLevels>): number {
  const basis = new Basis(y.length);
  basis.add(rows.map(() => 1));
  for (const t of terms) for (const col of termColumns(rows, t, levels)) basis.add(col);
  const r = basis.residual(y);
  return r.reduce((s, v) => s + v * v, 0);
}

/**
 * The analysis-of-variance table of a response over factors (main effects and interactions up to `order`), with R².
 *
 * @example
 * ```ts
 * const table = anova(rows, "sla_attainment", ["model", "sleep_pool", "speedup"], { order: 2 });
 * console.log(table.rows.map((r) => `${r.term} p=${r.p}`));
 * ```
 */
export function anova(rows: readonly RowLike[], response: string, factors: readonly string[], options: AnovaOptions = {}): AnovaTable {
  if (factors.length === 0) throw new RangeError("anova: at least one factor is needed");
  const { rows: kept, y } = analysisRows(rows, response);
  if (kept.length < 2) throw new RangeError(`anova: response '${response}' has ${kept.length} usable value(s); at least 2 are needed`);
  const levels = factorLevels(kept, factors);
  const terms = options.terms ? options.terms.map((t) => parseTerm(t, factors)) : termsOf(factors, options.order ?? factors.length);
  const fit = fitModel(kept, y, terms, levels);
  const n = y.length;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const sst = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const dfRes = n - fit.rank;
  const msRes = dfRes > 0 ? fit.rss / dfRes : null;
  const type = options.type ?? 2;

  const out: AnovaRow[] = terms.map((t, i) => {
    const seq = fit.sequential[i]!;
    // Type II: this term after all terms that do not contain it.
    const others = terms.filter((o) => o !== t && !t.factors.every((f) => o.factors.includes(f)));
    const ss2 = seq.df === 0 ? 0 : Math.max(0, rssOf(kept, y, others, levels) - rssOf(kept, y, [...others, t], levels));
    const ss = type === 1 ? seq.ss : ss2;
    const ms = seq.df > 0 ? ss / seq.df : 0;
    const f = msRes !== null && msRes > 0 && seq.df > 0 ? ms / msRes : null;
    return { term: t.name, df: seq.df, ss, ms, f, p: f === null ? null : fSurvival(f, seq.df, dfRes), ss_type1: seq.ss, ss_type2: ss2 };
  });
  const scale = Math.max(sst, 1e-300);
  const typesDiffer = out.some((r) => Math.abs(r.ss_type1 - r.ss_type2) > 1e-9 * scale);
  const r2 = sst > 0 ? 1 - fit.rss / sst : 1;
  const runOrder = kept.map((r, i) => {
    const v = cellOf(r, "run_order");
    return typeof v === "number" ? v : i + 1;
  });
  return {
    response,
    factors: [...factors],
    type,
    n,
    rows: out,
    residual: { df: dfRes, ss: fit.rss, ms: msRes },
    total: { df: n - 1, ss: sst },
    r2,
    adjR2: dfRes > 0 && n > 1 ? 1 - (1 - r2) * (n - 1) / dfRes : null,
    residualSd: msRes === null ? null : Math.sqrt(msRes),
    balanced: isBalanced(kept, factors),
    typesDiffer,
    fitted: fit.fitted,
    residuals: fit.residuals,
    runOrder,
  };
}
