/**
 * The actuation seam: what a scale-up costs. An `Actuator` is a value — `fixedStartup(120)`
 * (Dynamo's fixed `startup_time`) or `fmaPaths("8b-h100", { sleepPool: true, prewarmedSleepers: 2 })`
 * (each scale-up pays the delay of the FMA path it takes: hot / warm / cold_launcher / cold) — that
 * a controller starts once per run (`startActuator`), getting fresh launcher/sleeper state. Both
 * kinds keep the launcher pool's books (which slot, which launcher), so a fixed start-up run still
 * counts launchers; only the fma-paths kind prices each path from the latency profile.
 */
import { InputError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { ActuationPool } from "./actuation-pool.js";
import type { ActuationPath } from "./path.js";
import { actuationDelayMs, getProfile, listProfiles, modelMemory, type LatencyProfile } from "./profiles.js";

/** The FMA fleet a scale-up lands in (field meanings as the planner config's `actuation` keys). */
export interface LauncherFleet {
  /** `launcher` (FMA dual pods) or `direct` (no launcher: every scale-up is `cold`). */
  launcherMode: "launcher" | "direct";
  /** Scaled-down instances sleep on their slot so later scale-ups can wake them (hot). */
  sleepPool: boolean;
  /** Sleeping instances per GPU slot (also bounded by the profile's GPU memory). */
  sleeperLimit: number;
  /** GPUs per launcher. */
  launcherGpus: number;
  /** Launchers at the start (null: just enough for the initial replicas and the pre-warmed sleepers). */
  initialLaunchers: number | null;
  /** Sleeping instances of each pool provisioned before the run; the first scale-ups wake them. */
  prewarmedSleepers: number;
  /** GPUs per engine (null: the profile's model size decides). */
  gpusPerEngine: number | null;
}

/** The planner's defaults (planner config `actuation`): FMA launchers of 8 GPUs, a sleep pool, one sleeper per GPU. */
export const DEFAULT_LAUNCHER_FLEET: Readonly<LauncherFleet> = Object.freeze({
  launcherMode: "launcher",
  sleepPool: true,
  sleeperLimit: 1,
  launcherGpus: 8,
  initialLaunchers: null,
  prewarmedSleepers: 0,
  gpusPerEngine: null,
});

export type Actuator =
  | { kind: "fixed-startup"; startupS: number; profile: string; fleet: LauncherFleet }
  | { kind: "fma-paths"; profile: string; fleet: LauncherFleet };

/**
 * Every scale-up is ready `seconds` later (Dynamo's `startup_time`); paths are not classified.
 *
 * @example
 * ```ts
 * const actuator = fixedStartup(120); // every scale-up waits 120 s, as Dynamo's startup_time
 * ```
 */
export function fixedStartup(seconds: number, fleet: Partial<LauncherFleet> = {}, profile = "8b-h100"): Actuator {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new RangeError(`fixedStartup: seconds must be finite and ≥ 0, got ${seconds}`);
  return { kind: "fixed-startup", startupS: seconds, profile, fleet: { ...DEFAULT_LAUNCHER_FLEET, ...fleet } };
}

/**
 * Each scale-up pays the delay of its FMA path, drawn from the latency profile `profile`.
 *
 * @example
 * ```ts
 * const actuator = fmaPaths("8b-h100", { sleepPool: true, prewarmedSleepers: 2 });
 * ```
 */
export function fmaPaths(profile: string, fleet: Partial<LauncherFleet> = {}): Actuator {
  return { kind: "fma-paths", profile, fleet: { ...DEFAULT_LAUNCHER_FLEET, ...fleet } };
}

/** A scale-up as decided: its path (null with a fixed start-up), delay and launcher; `bind` the new worker's id to it. */
export interface ActuationPlan {
  path: ActuationPath | null;
  delayMs: number;
  launcher: number;
  bind(workerId: string): void;
}

/** An actuator started for one run: it holds the launchers and sleepers of that run. */
export interface RunningActuator {
  readonly actuator: Actuator;
  /** Place the workers running at the start, then the pre-warmed sleepers of `pools`. */
  start(initialWorkerIds: readonly string[], pools: readonly string[]): void;
  scaleUp(pool: string): ActuationPlan;
  scaleDown(workerId: string, pool: string): void;
  readonly launchers: number;
}

export interface StartActuatorOptions {
  /** The delay stream (one sequential stream: how many numbers a draw uses depends on the path). */
  rng: Rng;
  /** Where the actuator came from, for errors (a planner config file; keys are named `actuation.*`). */
  source?: string;
  /** Override the cost of a scale-up (ms), e.g. for tests. */
  delayMs?: (path: ActuationPath, r: Rng) => number;
}

/**
 * Starts an actuator for one run: its launcher pool, sleepers and the seeded delay draws of each scale-up.
 *
 * @example
 * ```ts
 * const running = startActuator(fmaPaths("8b-h100", { sleepPool: true }), { rng: rng(1).split("actuation"), source: "example" });
 * ```
 */
export function startActuator(actuator: Actuator, options: StartActuatorOptions): RunningActuator {
  const source = options.source ?? "actuator";
  if (!listProfiles().includes(actuator.profile)) {
    throw new InputError({ source, path: "actuation.profile" }, `expected one of the known profiles ${listProfiles().join(", ")}, got '${actuator.profile}'`);
  }
  const profile: LatencyProfile = getProfile(actuator.profile);
  const fleet = actuator.fleet;
  const mem = modelMemory(profile);
  const gpusPerEngine = Math.max(1, fleet.gpusPerEngine ?? mem.gpusPerInstance);
  const pool = new ActuationPool({
    mode: fleet.launcherMode,
    sleepPool: fleet.sleepPool,
    sleeperLimit: Math.min(fleet.sleeperLimit, mem.maxSleepersPerGpu),
    slotsPerLauncher: Math.max(1, Math.floor(fleet.launcherGpus / gpusPerEngine)),
  });
  if (fleet.prewarmedSleepers > 0 && pool.options.sleeperLimit < 1) {
    throw new InputError({ source, path: "actuation.prewarmed_sleepers" }, `expected 0 with profile "${actuator.profile}" (its GPU memory holds no sleeper next to an awake instance), got ${fleet.prewarmedSleepers}`);
  }
  const r = options.rng;
  const delayOf = (path: ActuationPath): number => {
    if (actuator.kind === "fixed-startup") return actuator.startupS * 1000;
    if (options.delayMs) return options.delayMs(path, r);
    return actuationDelayMs(profile, path, r, { mode: path === "cold" ? "direct" : fleet.launcherMode });
  };

  /**
   * Pre-warmed sleepers, placed with the initial workers, so it is as if they existed at t = 0. Not
   * actuations: like the initial replicas they were provisioned before the run, so they draw no
   * delay and the seeded stream is untouched.
   */
  const prewarm = (pools: readonly string[]) => {
    const n = fleet.prewarmedSleepers;
    if (n === 0) return;
    // A fixed initial_launchers is the operator's fleet: fill it, but never grow it behind their back.
    const grow = fleet.launcherMode === "direct" || fleet.initialLaunchers === null;
    const room = pool.sleeperRoom;
    for (const p of pools) {
      if (pool.addSleepers(p, n, grow) < n) {
        throw new InputError({ source, path: "actuation.prewarmed_sleepers" }, `expected at most ${Math.floor(room / pools.length)} per pool (${room} sleepers fit on the idle slots of initial_launchers: ${fleet.initialLaunchers} at sleeper limit ${pool.options.sleeperLimit}${pools.length > 1 ? `, shared by ${pools.length} pools` : ""}; raise initial_launchers or leave it null), got ${n}`);
      }
    }
  };

  return {
    actuator,
    start(initialWorkerIds, pools) {
      const launchers = fleet.initialLaunchers ?? Math.ceil(initialWorkerIds.length / Math.max(1, pool.options.slotsPerLauncher));
      if (fleet.launcherMode === "launcher") pool.addLaunchers(launchers);
      for (const id of initialWorkerIds) pool.placeInitial(id);
      prewarm(pools);
    },
    scaleUp(p) {
      const place = pool.scaleUp(p);
      const delayMs = delayOf(place.path);
      return { path: actuator.kind === "fixed-startup" ? null : place.path, delayMs, launcher: place.launcher, bind: place.bind };
    },
    scaleDown(workerId, p) {
      pool.scaleDown(workerId, p);
    },
    get launchers() {
      return pool.launcherCount;
    },
  };
}
