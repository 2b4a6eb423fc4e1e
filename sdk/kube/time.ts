/**
 * Kubernetes timestamps as epoch milliseconds. `metav1.Time` (creationTimestamp, condition
 * lastTransitionTime, container startedAt) has 1 s resolution; `metav1.MicroTime` (Event.eventTime)
 * carries µs, and log lines may carry ns: the fraction is kept (as a fractional ms), not truncated
 * to whole ms the way `Date.parse` would.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms (fraction kept to µs) of an RFC 3339 timestamp; null when absent or not RFC 3339. */
export function parseKubeTime(text: string | null | undefined): number | null {
  if (typeof text !== "string") return null;
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  if (!m[2]) return whole;
  // Fraction of a second → ms, rounded to the µs so ns text does not add float noise.
  const frac = Number(`0.${m[2]}`);
  return whole + Math.round(frac * 1e6) / 1e3;
}

/** Seconds since the epoch (the nop harness's float timestamps); null stays null. */
export function epochSeconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

/** RFC 3339 with ms, UTC, for output. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}
