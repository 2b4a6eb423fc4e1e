/**
 * One call for the usual factorial analysis of a table of runs: level means, ANOVA, and for
 * two-level factors the effect estimates — with standard errors when there are replicates
 * (residual degrees of freedom) and Lenth's method when there are none. Works on plain rows, so
 * the numbers are the same from arquero, danfo or CSV.
 */
import type { RowLike } from "../core/rows.js";
import { cellOf } from "../core/rows.js";
import { anova, type AnovaOptions, type AnovaTable } from "./anova.js";
import { distinctLevels } from "./design.js";
import { effectInference, lenth, mainEffects, twoLevelEffects, type EffectInference, type LenthResult, type LevelMean, type TwoLevelEffects } from "./effects.js";
import { analysisRows } from "./linear-model.js";

export interface FactorAnalysis {
  response: string;
  factors: string[];
  n: number;
  mainEffects: LevelMean[];
  anova: AnovaTable;
  /** Present when every factor has exactly two levels (centre points aside). */
  effects?: TwoLevelEffects;
  /** Effect standard errors, t and p from the ANOVA residual (replicated two-level designs). */
  inference?: EffectInference[];
  /** Lenth's method (two-level designs with no residual df, or always when asked). */
  lenth?: LenthResult;
}

export interface FactorAnalysisOptions extends AnovaOptions {
  /** Compute Lenth's method even when there are residual degrees of freedom. */
  lenth?: boolean;
  alpha?: number;
}

/**
 * Main effects, interactions and the ANOVA of one response over the named factors of a results table.
 *
 * @example
 * ```ts
 * const rows = readCsvFile("out/experiments/router-study/results.csv");
 * const a = analyzeFactors(rows, "ttftP50Ms", ["workers", "router", "speedup"]);
 * console.log(a.anova.r2);
 * ```
 */
export function analyzeFactors(rows: readonly RowLike[], response: string, factors: readonly string[], options: FactorAnalysisOptions = {}): FactorAnalysis {
  const { rows: kept } = analysisRows(rows, response);
  const table = anova(kept, response, factors, options);
  const out: FactorAnalysis = { response, factors: [...factors], n: table.n, mainEffects: mainEffects(kept, response, factors), anova: table };
  const nonCenter = kept.filter((r) => cellOf(r, "center") !== true);
  const twoLevel = factors.length > 0 && factors.every((f) => distinctLevels(nonCenter.map((r) => cellOf(r, f))).length === 2);
  if (twoLevel) {
    const effects = twoLevelEffects(kept, response, factors, { order: options.terms ? factors.length : options.order });
    out.effects = effects;
    if (table.residual.df > 0 && table.residual.ms !== null) out.inference = effectInference(effects, table.residual.ms, table.residual.df, options.alpha);
    if ((table.residual.df === 0 || options.lenth) && effects.effects.filter((e) => !e.aliasOf).length >= 2) out.lenth = lenth(effects.effects, options.alpha);
  }
  return out;
}

/** Columns that describe a run rather than a factor, skipped when guessing factors. */
export const RUN_COLUMNS = new Set(["id", "treatment", "std_order", "run_order", "replicate", "repeat", "block", "center", "seed", "status", "error", "attempts", "duration_ms", "setup", "run"]);

/**
 * The factors a sweep's results file declares by its layout (`runSweep`/`writeSweepResults`): the
 * bookkeeping columns `id, treatment, …, center`, then the context and factor columns, then `seed,
 * status, error, attempts` and the responses. Context names (setup, run) are not factors. Returns
 * undefined for a table without that layout, so a caller never mistakes responses for factors.
 */
export function schemaFactors(columns: readonly string[]): string[] | undefined {
  const center = columns.indexOf("center");
  const seed = columns.indexOf("seed");
  if (columns[0] !== "id" || columns[1] !== "treatment" || center < 0 || seed < center || columns[seed + 1] !== "status") return undefined;
  return columns.slice(center + 1, seed).filter((c) => !RUN_COLUMNS.has(c));
}

/**
 * Guess the factors of a results table: columns other than the response and run bookkeeping with 2..maxLevels distinct values.
 *
 * @example
 * ```ts
 * const factors = guessFactors(rows, "ttftP50Ms"); // columns with few levels, not the response
 * ```
 */
export function guessFactors(rows: readonly RowLike[], response: string, maxLevels = 12): string[] {
  const cols = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols].filter((c) => {
    if (c === response || RUN_COLUMNS.has(c)) return false;
    const n = distinctLevels(rows.map((r) => cellOf(r, c))).length;
    return n >= 2 && n <= Math.min(maxLevels, Math.max(2, rows.length - 1));
  });
}
