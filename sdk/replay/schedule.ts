/**
 * A controller that applies a fixed schedule of fleet changes (add or remove workers at given
 * virtual times, with start-up delays) — for what-if studies without writing a controller. It can
 * wrap another controller, which then also ticks on its own cadence.
 */
import type { FleetControl, FleetObservations, FleetSetup, Pool, ReplayController } from "./control.js";

export type FleetChangeStep =
  | { atMs: number; add: Pool; count?: number; startupDelayMs?: number }
  | { atMs: number; remove: Pool; count?: number };

/**
 * A replay controller that adds or removes workers at fixed times, optionally around another controller.
 *
 * @example
 * ```ts
 * const ctl = scheduledController([{ atMs: 60_000, add: "agg", count: 2, startupDelayMs: 30_000 }]);
 * replayTrace(requests, { workers: 2, controller: ctl });
 * ```
 */
export function scheduledController(steps: readonly FleetChangeStep[], inner?: ReplayController): ReplayController {
  const plan = [...steps].sort((a, b) => a.atMs - b.atMs);
  for (const s of plan) if (!(s.atMs >= 0) || !Number.isFinite(s.atMs)) throw new RangeError(`scheduledController: atMs must be finite and ≥ 0, got ${s.atMs}`);
  let k = 0;
  let innerNext: number | undefined;
  return {
    // A wrapped controller (e.g. a planner) decides the fleet's setup as if it steered alone.
    ...(inner?.setup ? { setup: (options: Readonly<FleetSetup>) => inner.setup!(options) } : {}),
    firstTickAt() {
      innerNext = inner?.firstTickAt();
      const own = plan.length > 0 ? plan[0]!.atMs : undefined;
      return minDefined(own, innerNext) ?? Infinity;
    },
    tick(obs: FleetObservations, fleet: FleetControl) {
      while (k < plan.length && plan[k]!.atMs <= obs.now) {
        const s = plan[k++]!;
        for (let n = 0; n < (s.count ?? 1); n++) {
          if ("add" in s) fleet.addWorker(s.add, s.startupDelayMs ?? 0);
          else fleet.removeWorker({ pool: s.remove });
        }
      }
      if (inner && innerNext !== undefined && innerNext <= obs.now) innerNext = inner.tick(obs, fleet);
      return minDefined(k < plan.length ? plan[k]!.atMs : undefined, innerNext);
    },
  };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
