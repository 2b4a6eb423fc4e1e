/**
 * Kubernetes timestamps as epoch milliseconds. `metav1.Time` (creationTimestamp, condition
 * lastTransitionTime, container startedAt) has 1 s resolution; `metav1.MicroTime` (Event.eventTime)
 * carries µs, and log lines may carry ns: the fraction is kept (as a fractional ms), not truncated
 * to whole ms the way `Date.parse` would.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch ms (fraction kept to µs) of an RFC 3339 timestamp; null when absent or not RFC 3339.
 *
 * @example
 * ```ts
 * parseKubeTime("2026-12-06T10:00:00Z"); // ms since the epoch
 * ```
 */
export function parseKubeTime(text: string | null | undefined): number | null {
  if (typeof text !== "string") return null;
  const fast = parseUtcFast(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  if (!m[2]) return whole;
  // Fraction of a second → ms, rounded to the µs so ns text does not add float noise.
  const frac = Number(`0.${m[2]}`);
  return whole + Math.round(frac * 1e6) / 1e3;
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** Two ASCII digits at `i` as a number; NaN when either is not a digit. */
function digits2(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The common shape, `YYYY-MM-DDThh:mm:ss[.f…]Z` with unremarkable fields, read without a regex or
 * Date.parse (watch streams and logs hold hundreds of thousands of these); `undefined` hands
 * anything else — offsets, spaces, day 29–31, leap seconds — to the general path, which decides.
 */
function parseUtcFast(t: string): number | null | undefined {
  const n = t.length;
  if (n < 20 || t.charCodeAt(n - 1) !== 90 /* Z */ || t[4] !== "-" || t[7] !== "-" || t[10] !== "T" || t[13] !== ":" || t[16] !== ":") return undefined;
  const year = digits2(t, 0) * 100 + digits2(t, 2);
  const month = digits2(t, 5), day = digits2(t, 8), hour = digits2(t, 11), min = digits2(t, 14), sec = digits2(t, 17);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && min <= 59 && sec <= 59)) return undefined;
  const whole = Date.UTC(year, month - 1, day, hour, min, sec);
  if (n === 20) return whole;
  if (t[19] !== "." || n === 21) return undefined;
  for (let i = 20; i < n - 1; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  // D / 10^k is the double nearest the decimal fraction, as Number("0.D") is, while both are exact (k ≤ 15).
  if (n - 21 > 15) return whole + Math.round(Number(`0.${t.slice(20, n - 1)}`) * 1e6) / 1e3;
  let d = 0;
  for (let i = 20; i < n - 1; i++) d = d * 10 + (t.charCodeAt(i) - 48);
  return whole + Math.round((d / POW10[n - 21]!) * 1e6) / 1e3;
}

/** Seconds since the epoch (the nop harness's float timestamps); null stays null. */
export function epochSeconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

/** RFC 3339 with ms, UTC, for output. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}
