/**
 * Effects on plain rows: level means per factor (main effects) and per pair of factors
 * (interaction means); for two-level designs, effect estimates, regression coefficients and
 * sums of squares from ±1 contrasts; Lenth's pseudo standard error with its margin of error (ME)
 * and simultaneous margin (SME) for unreplicated designs; and standard errors, t and p of effects
 * from replicates.
 */
import type { RowLike } from "../core/rows.js";
import { cellOf } from "../core/rows.js";
import { distinctLevels, type Level } from "./design.js";
import { tQuantile, tTwoSided } from "./distributions.js";
import { FACTOR_LETTERS } from "./factorial.js";
import { analysisRows, levelLabel, termsOf } from "./linear-model.js";

export interface LevelMean {
  factor: string;
  level: Level;
  n: number;
  mean: number;
  sd: number | null;
}

function meanSd(values: readonly number[]): { mean: number; sd: number | null } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, sd: null };
  return { mean, sd: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) };
}

/**
 * Mean response at each level of each factor.
 *
 * @example
 * ```ts
 * const means = mainEffects(rows, "ttftP50Ms", ["workers", "router"]); // [{ factor, level, n, mean, sd }]
 * ```
 */
export function mainEffects(rows: readonly RowLike[], response: string, factors: readonly string[]): LevelMean[] {
  const { rows: kept, y } = analysisRows(rows, response);
  const out: LevelMean[] = [];
  for (const f of factors) {
    for (const level of distinctLevels(kept.map((r) => cellOf(r, f)))) {
      const vals = y.filter((_, i) => cellOf(kept[i]!, f) === level);
      out.push({ factor: f, level, n: vals.length, ...meanSd(vals) });
    }
  }
  return out;
}

export interface CellMean {
  a: string;
  b: string;
  levelA: Level;
  levelB: Level;
  n: number;
  mean: number;
}

/**
 * Mean response in each cell of every pair of factors (what an interaction plot draws).
 *
 * @example
 * ```ts
 * const cells = interactionMeans(rows, "ttftP50Ms", ["router", "speedup"]);
 * ```
 */
export function interactionMeans(rows: readonly RowLike[], response: string, factors: readonly string[]): CellMean[] {
  const { rows: kept, y } = analysisRows(rows, response);
  const out: CellMean[] = [];
  for (let i = 0; i < factors.length; i++) {
    for (let j = 0; j < factors.length; j++) {
      if (i === j) continue;
      const a = factors[i]!;
      const b = factors[j]!;
      const la = distinctLevels(kept.map((r) => cellOf(r, a)));
      const lb = distinctLevels(kept.map((r) => cellOf(r, b)));
      for (const va of la) {
        for (const vb of lb) {
          const vals = y.filter((_, k) => cellOf(kept[k]!, a) === va && cellOf(kept[k]!, b) === vb);
          if (vals.length) out.push({ a, b, levelA: va, levelB: vb, n: vals.length, mean: meanSd(vals).mean });
        }
      }
    }
  }
  return out;
}

export interface Effect {
  /** Factor names joined by ':'. */
  term: string;
  /** Letters (A = first factor, …), e.g. `AC`. */
  label: string;
  order: number;
  /** Sum of ±1-coded products times response. */
  contrast: number;
  /** Average response at + minus average at −: contrast / (N/2). */
  effect: number;
  /** Regression coefficient in ±1 units: effect / 2. */
  coefficient: number;
  /** contrast² / N. */
  ss: number;
  /** When this term's column equals (±) an earlier term's (aliased in a fraction): that term. */
  aliasOf?: string;
}

export interface TwoLevelEffects {
  response: string;
  factors: string[];
  /** Low and high level of each factor (low = −1). */
  coding: Record<string, { low: Level; high: Level }>;
  /** Runs used (centre points excluded). */
  n: number;
  mean: number;
  effects: Effect[];
}

/**
 * Effect estimates of a two-level design. Each factor's two levels are coded −1 (lower number, or
 * first seen) and +1; centre points (`center: true`, or a level between the two) are left out.
 *
 * @example
 * ```ts
 * const est = twoLevelEffects(rows, "y", ["A", "B", "C", "D"]);
 * console.log(est.effects.map((e) => `${e.label} ${e.effect}`));
 * ```
 */
export function twoLevelEffects(rows: readonly RowLike[], response: string, factors: readonly string[], options: { order?: number; coding?: Record<string, { low: Level; high: Level }> } = {}): TwoLevelEffects {
  if (factors.length > FACTOR_LETTERS.length) throw new RangeError(`twoLevelEffects: at most ${FACTOR_LETTERS.length} factors`);
  const { rows: all, y: yAll } = analysisRows(rows, response);
  const keepIdx = all.map((_, i) => i).filter((i) => cellOf(all[i]!, "center") !== true);
  const kept = keepIdx.map((i) => all[i]!);
  const y = keepIdx.map((i) => yAll[i]!);
  const coding: Record<string, { low: Level; high: Level }> = {};
  for (const f of factors) {
    if (options.coding?.[f]) { coding[f] = options.coding[f]!; continue; }
    const levels = distinctLevels(kept.map((r) => cellOf(r, f)));
    if (levels.length !== 2) throw new RangeError(`twoLevelEffects: factor '${f}' has ${levels.length} levels (${levels.map(levelLabel).join(", ")}); a two-level design needs exactly 2`);
    coding[f] = { low: levels[0]!, high: levels[1]! };
  }
  const x: Record<string, number[]> = {};
  for (const f of factors) {
    x[f] = kept.map((r) => {
      const v = cellOf(r, f);
      if (v === coding[f]!.low) return -1;
      if (v === coding[f]!.high) return 1;
      throw new RangeError(`twoLevelEffects: factor '${f}' has value ${levelLabel(v)}, neither its low nor its high level`);
    });
  }
  const n = y.length;
  const letters = new Map(factors.map((f, i) => [f, FACTOR_LETTERS[i]!]));
  const seen: { term: string; col: number[] }[] = [];
  const effects: Effect[] = termsOf(factors, options.order ?? factors.length).map((t) => {
    const col = kept.map((_, i) => t.factors.reduce((s, f) => s * x[f]![i]!, 1));
    const contrast = col.reduce((s, c, i) => s + c * y[i]!, 0);
    const effect = contrast / (n / 2);
    const alias = seen.find((s) => s.col.every((c, i) => c === col[i]) || s.col.every((c, i) => c === -col[i]!));
    seen.push({ term: t.name, col });
    return {
      term: t.name,
      label: t.factors.map((f) => letters.get(f)).join(""),
      order: t.factors.length,
      contrast,
      effect,
      coefficient: effect / 2,
      ss: (contrast * contrast) / n,
      ...(alias ? { aliasOf: alias.term } : {}),
    };
  });
  return { response, factors: [...factors], coding, n, mean: y.reduce((s, v) => s + v, 0) / n, effects };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface LenthResult {
  /** s0 = 1.5 · median |effect|. */
  s0: number;
  /** Pseudo standard error: 1.5 · median of |effects| below 2.5·s0. */
  pse: number;
  /** Degrees of freedom m/3. */
  df: number;
  /** Margin of error t(1−α/2, df) · PSE. */
  me: number;
  /** Simultaneous margin t(γ, df) · PSE, γ = (1 + (1−α)^(1/m)) / 2. */
  sme: number;
  alpha: number;
  /** Each effect with its t-like ratio effect/PSE and whether it exceeds ME and SME. */
  effects: { term: string; label: string; effect: number; t: number; active: boolean; activeSme: boolean }[];
}

/**
 * Lenth's method (Technometrics 31(4), 1989) for unreplicated two-level designs: effects that
 * are aliased with an earlier one are left out.
 *
 * @example
 * ```ts
 * const l = lenth(twoLevelEffects(rows, "y", ["A", "B", "C", "D"]).effects);
 * console.log(l.me, l.effects.filter((e) => e.active).map((e) => e.label));
 * ```
 */
export function lenth(effects: readonly Pick<Effect, "term" | "label" | "effect" | "aliasOf">[], alpha = 0.05): LenthResult {
  const used = effects.filter((e) => !e.aliasOf);
  const m = used.length;
  if (m < 2) throw new RangeError("lenth: at least 2 effects are needed");
  const abs = used.map((e) => Math.abs(e.effect));
  const s0 = 1.5 * median(abs);
  const small = abs.filter((a) => a < 2.5 * s0);
  const pse = 1.5 * median(small.length ? small : abs);
  const df = m / 3;
  const me = tQuantile(1 - alpha / 2, df) * pse;
  const gamma = (1 + Math.pow(1 - alpha, 1 / m)) / 2;
  const sme = tQuantile(gamma, df) * pse;
  return {
    s0, pse, df, me, sme, alpha,
    effects: used.map((e) => ({ term: e.term, label: e.label, effect: e.effect, t: pse > 0 ? e.effect / pse : Infinity, active: Math.abs(e.effect) > me, activeSme: Math.abs(e.effect) > sme })),
  };
}

export interface EffectInference {
  term: string;
  label: string;
  effect: number;
  se: number;
  t: number;
  p: number;
  /** 95 % (or 1−alpha) confidence interval. */
  lower: number;
  upper: number;
}

/**
 * Standard errors of two-level effects from an error estimate with `df` degrees of freedom (e.g.
 * the ANOVA residual of a replicated design): se = 2·σ/√N.
 *
 * @example
 * ```ts
 * const inf = effectInference(twoLevelEffects(rows, "y", ["A", "B"]), msError, df);
 * ```
 */
export function effectInference(est: TwoLevelEffects, msError: number, df: number, alpha = 0.05): EffectInference[] {
  if (!(df > 0) || !(msError >= 0)) throw new RangeError("effectInference: needs an error mean square with df > 0 (replicates)");
  const se = 2 * Math.sqrt(msError / est.n);
  const tc = tQuantile(1 - alpha / 2, df);
  return est.effects.filter((e) => !e.aliasOf).map((e) => {
    const t = e.effect / se;
    return { term: e.term, label: e.label, effect: e.effect, se, t, p: tTwoSided(t, df), lower: e.effect - tc * se, upper: e.effect + tc * se };
  });
}
