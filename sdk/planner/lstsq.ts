/**
 * Ordinary least squares with an intercept, returning the minimum-norm solution when the features
 * are collinear — what scikit-learn's LinearRegression gives (it centres X and y, then solves with
 * LAPACK gelsd, an SVD solver). Dynamo's planner regressions rely on that answer on rank-deficient
 * data (dynamo.md §3.4, §9.6), so we solve through an SVD too: one-sided Jacobi on the centred
 * design matrix (accurate singular values without forming XᵀX, whose conditioning is squared).
 */

export interface LinearFit {
  coef: number[];
  intercept: number;
  /** Effective rank of the centred design matrix. */
  rank: number;
}

/**
 * Singular values below `RCOND × σ_max` count as zero. LAPACK's default is machine epsilon ×
 * max(n, k); data that are collinear "on paper" (d = 10·p) come out of float centring with a
 * residual singular value of ~1e-15·σ_max, so a slightly looser cut keeps that case exact while
 * leaving real data (feature scales differ by ≤ 1e6) untouched.
 */
export const RCOND = 1e-10;

/**
 * Fit y ≈ X·coef + intercept. `X` is n rows × k features (k ≥ 1); n ≥ 1.
 *
 * @example
 * ```ts
 * const { coefficients } = fitLinear([[1, 1], [1, 2], [1, 3]], [2, 4, 6]);
 * ```
 */
export function fitLinear(X: readonly (readonly number[])[], y: readonly number[]): LinearFit {
  const n = X.length;
  if (n === 0 || y.length !== n) throw new Error(`fitLinear: need n ≥ 1 rows and as many targets (got ${n} rows, ${y.length} targets)`);
  const k = X[0]!.length;
  const xMean = new Array<number>(k).fill(0);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) xMean[j]! += X[i]![j]!;
    yMean += y[i]!;
  }
  for (let j = 0; j < k; j++) xMean[j]! /= n;
  yMean /= n;
  // Column-major centred copy: cols[j][i].
  const cols: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = X[i]![j]! - xMean[j]!;
    cols.push(c);
  }
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i]! - yMean;

  // V starts as the identity; each rotation of a column pair is applied to V too.
  const V: number[][] = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => (a === b ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const cp = cols[p]!;
        const cq = cols[q]!;
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < n; i++) {
          alpha += cp[i]! * cp[i]!;
          beta += cq[i]! * cq[i]!;
          gamma += cp[i]! * cq[i]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < n; i++) {
          const a = cp[i]!, b = cq[i]!;
          cp[i] = c * a - s * b;
          cq[i] = s * a + c * b;
        }
        for (let r = 0; r < k; r++) {
          const a = V[r]![p]!, b = V[r]![q]!;
          V[r]![p] = c * a - s * b;
          V[r]![q] = s * a + c * b;
        }
      }
    }
    if (!rotated) break;
  }
  // Now centred X · V = B with orthogonal columns; σ_j = ‖B_j‖. Solution x = V · (B_jᵀ y / σ_j²).
  const sigma = cols.map((c) => Math.sqrt(c.reduce((acc, v) => acc + v * v, 0)));
  const sMax = Math.max(0, ...sigma);
  const z = new Array<number>(k).fill(0);
  let rank = 0;
  for (let j = 0; j < k; j++) {
    if (sMax === 0 || sigma[j]! <= RCOND * sMax) continue;
    rank++;
    let dot = 0;
    const cj = cols[j]!;
    for (let i = 0; i < n; i++) dot += cj[i]! * yc[i]!;
    z[j] = dot / (sigma[j]! * sigma[j]!);
  }
  const coef = new Array<number>(k).fill(0);
  for (let r = 0; r < k; r++) for (let j = 0; j < k; j++) coef[r]! += V[r]![j]! * z[j]!;
  let intercept = yMean;
  for (let j = 0; j < k; j++) intercept -= coef[j]! * xMean[j]!;
  return { coef, intercept, rank };
}
