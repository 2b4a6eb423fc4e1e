/**
 * The F, t and normal distributions the analysis needs, from jstat (a maintained numeric library)
 * rather than hand-written approximations. Upper tails go through the regularized incomplete beta
 * function so that small p-values keep their precision (1 − cdf would round them to 0).
 */
import jStat from "jstat";

/**
 * P(F > f) for F with (df1, df2) degrees of freedom.
 *
 * @example
 * ```ts
 * const p = fSurvival(5.1, 2, 12); // P(F > 5.1)
 * ```
 */
export function fSurvival(f: number, df1: number, df2: number): number {
  if (!(df1 > 0) || !(df2 > 0)) return NaN;
  if (!(f > 0)) return 1;
  if (f === Infinity) return 0;
  return jStat.ibeta(df2 / (df2 + df1 * f), df2 / 2, df1 / 2);
}

/**
 * P(F ≤ f).
 *
 * @example
 * ```ts
 * fCdf(3.89, 2, 12); // about 0.95
 * ```
 */
export function fCdf(f: number, df1: number, df2: number): number {
  return jStat.centralF.cdf(f, df1, df2);
}

/**
 * The p-quantile of F(df1, df2).
 *
 * @example
 * ```ts
 * const fCrit = fQuantile(0.95, 2, 12);
 * ```
 */
export function fQuantile(p: number, df1: number, df2: number): number {
  return jStat.centralF.inv(p, df1, df2);
}

/**
 * P(T ≤ t) for Student's t with df degrees of freedom.
 *
 * @example
 * ```ts
 * tCdf(2.306, 8); // about 0.975
 * ```
 */
export function tCdf(t: number, df: number): number {
  return jStat.studentt.cdf(t, df);
}

/**
 * Two-sided p-value P(|T| > |t|).
 *
 * @example
 * ```ts
 * const p = tTwoSided(2.5, 8); // two-sided p of t = 2.5 on 8 df
 * ```
 */
export function tTwoSided(t: number, df: number): number {
  if (!(df > 0)) return NaN;
  const a = Math.abs(t);
  if (a === Infinity) return 0;
  return jStat.ibeta(df / (df + a * a), df / 2, 0.5);
}

/**
 * The p-quantile of Student's t.
 *
 * @example
 * ```ts
 * const t = tQuantile(0.975, 8); // 2.306
 * ```
 */
export function tQuantile(p: number, df: number): number {
  return jStat.studentt.inv(p, df);
}

/**
 * The p-quantile of the standard normal.
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.96
 * ```
 */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}
