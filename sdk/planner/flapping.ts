/**
 * Planner flapping: how often the planner reverses itself (a scale-up undone by a scale-down of the
 * same pool, or the reverse, within a minute — a wake followed by a drain 10 s later), and the
 * Kubernetes HPA remedy, a scale-down stabilisation window: a scale-down goes only as low as the
 * highest count recommended during the last W seconds (HPA `behavior.scaleDown.
 * stabilizationWindowSeconds`; scale-ups are not held, as HPA's default scale-up window is 0).
 */

/** Reversals closer than this count as flaps, seconds. */
export const FLAP_WINDOW_S = 60;

/** The fields of a scaling event flapping reads. */
export interface ScalingStep {
  t: number;
  component: string;
  direction: "scale_up" | "scale_down";
  applied: boolean;
}

/** Applied scaling events that reverse the previous one of their pool less than `windowS` later. */
export function countFlaps(events: readonly ScalingStep[], windowS = FLAP_WINDOW_S): number {
  const last = new Map<string, ScalingStep>();
  let flaps = 0;
  for (const e of events) {
    if (!e.applied) continue;
    const prev = last.get(e.component);
    if (prev && prev.direction !== e.direction && e.t - prev.t < windowS) flaps++;
    last.set(e.component, e);
  }
  return flaps;
}

/** HPA's scale-down stabilisation over one planner's pools (window in seconds, > 0). */
export class ScaleDownStabilizer {
  private readonly history = new Map<string, { t: number; n: number }[]>();

  constructor(readonly windowS: number) {
    if (!(windowS > 0)) throw new RangeError(`ScaleDownStabilizer: window must be > 0 s, got ${windowS}`);
  }

  /**
   * Records this tick's recommendation for `pool` (the planner's target, or the current count when
   * it asked for none) and returns the count to apply: the recommendation itself when it is not
   * below the current count, else the highest recommendation of the last `windowS` seconds.
   */
  recommend(pool: string, nowS: number, desired: number, current: number): number {
    const h = (this.history.get(pool) ?? []).filter((r) => nowS - r.t < this.windowS);
    h.push({ t: nowS, n: desired });
    this.history.set(pool, h);
    if (desired >= current) return desired;
    return Math.min(current, Math.max(...h.map((r) => r.n)));
  }
}
