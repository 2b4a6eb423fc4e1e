// A planner config's actuator driven through the actuation seam (sdk/actuation/actuator.ts), started the
// way PlannerController starts it at its first tick — one running worker per pool, then the pre-warmed
// sleepers — on the controller's own delay stream: up(pool) is one scale-up, down(pool) scales the pool's
// newest worker down (the replay's order). No reaching into the controller's private methods.
import { startActuator, type ActuationPlan } from "../../sdk/actuation/actuator.js";
import { rng } from "../../sdk/core/rng.js";
import { STREAMS } from "../../sdk/core/streams.js";
import { configActuator, type PlannerConfig } from "../../sdk/planner/config.js";
import type { Pool } from "../../sdk/replay/control.js";

export interface DrivenActuation {
  pool: Pool;
  path: ActuationPlan["path"];
  delayMs: number;
}

export function drivenActuator(cfg: PlannerConfig, seed: number, source?: string) {
  const run = startActuator(configActuator(cfg), { rng: rng(seed).split(STREAMS.plannerActuation), ...(source ? { source } : {}) });
  const pools: Pool[] = cfg.mode === "agg" ? ["agg"] : ["prefill", "decode"];
  let next = 0;
  const live = new Map<Pool, string[]>(pools.map((p) => [p, [`${p}-${next++}`]]));
  run.start(pools.flatMap((p) => live.get(p)!), pools);
  const actuations: DrivenActuation[] = [];
  return {
    actuations,
    get launchers(): number {
      return run.launchers;
    },
    up(pool: Pool = "agg"): void {
      const plan = run.scaleUp(pool);
      const id = `${pool}-${next++}`;
      plan.bind(id);
      live.get(pool)!.push(id);
      actuations.push({ pool, path: plan.path, delayMs: plan.delayMs });
    },
    down(pool: Pool = "agg"): void {
      const id = live.get(pool)!.pop();
      if (id !== undefined) run.scaleDown(id, pool);
    },
  };
}
