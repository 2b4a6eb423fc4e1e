/**
 * Where a scale-up lands and what path it takes (FMA's terminology, fma.md §3.1): `hot`
 * wakes a sleeping instance of the same pool on an idle GPU slot; `warm` creates an instance on an
 * existing launcher with a free slot; `cold_launcher` creates a launcher first; `cold` is a
 * provider without launchers (direct mode). A scale-down puts the instance to sleep on its slot
 * when the sleep pool is on and the slot has room (sleepers per GPU are bounded by GPU memory),
 * otherwise deletes it. Launchers are never deleted (a simplification: FMA keeps them for reuse).
 * `addSleepers` provisions sleepers before the run (an operator's pre-warmed pool).
 *
 * A slot is the GPU set of one engine (`gpusPerEngine` GPUs); at most one instance is awake on it.
 */
import type { ActuationPath } from "./path.js";

/** A pool of workers by name (the replay's agg / prefill / decode); the pool only keeps sleepers apart by it. */
type Pool = string;

interface Slot {
  launcher: number;
  index: number;
  /** The worker awake (or starting) on this slot. */
  awake: string | null;
  /** Pools of the instances sleeping here, oldest first. */
  sleepers: Pool[];
}

export interface ActuationPoolOptions {
  mode: "launcher" | "direct";
  sleepPool: boolean;
  /** Sleepers per slot (already bounded by GPU memory by the caller). */
  sleeperLimit: number;
  /** Engine slots per launcher (launcher GPUs / GPUs per engine). */
  slotsPerLauncher: number;
}

export interface Placement {
  path: ActuationPath;
  launcher: number;
  slot: number;
}

export class ActuationPool {
  private readonly slots: Slot[] = [];
  private launchers = 0;
  private readonly byWorker = new Map<string, Slot>();

  constructor(readonly options: ActuationPoolOptions) {}

  /** Pre-existing launchers (e.g. made by FMA's populator before the run). */
  addLaunchers(n: number): void {
    for (let i = 0; i < n; i++) this.newLauncher();
  }

  private newLauncher(): number {
    const id = this.launchers++;
    const per = this.options.mode === "direct" ? 1 : this.options.slotsPerLauncher;
    for (let i = 0; i < per; i++) this.slots.push({ launcher: id, index: i, awake: null, sleepers: [] });
    return id;
  }

  /** Place a worker already running at the start (no actuation). */
  placeInitial(workerId: string): void {
    const free = this.slots.find((s) => s.awake === null) ?? this.slots[this.slotsOf(this.newLauncher())[0]!]!;
    free.awake = workerId;
    this.byWorker.set(workerId, free);
  }

  /**
   * Provision `n` sleeping `pool` instances before the run (launchers populated, instances created
   * then put to sleep): each on the idle slot with the fewest sleepers, below the sleeper limit.
   * With `grow`, a new launcher (direct: a new provider) is added rather than a second sleeper
   * stacked on a slot, since one slot wakes one sleeper at a time. Returns how many were placed.
   */
  addSleepers(pool: Pool, n: number, grow: boolean): number {
    if (this.options.sleeperLimit < 1) return 0;
    let placed = 0;
    for (; placed < n; placed++) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (s.awake !== null || s.sleepers.length >= this.options.sleeperLimit) continue;
        if (!best || s.sleepers.length < best.sleepers.length) best = s;
      }
      if (grow && (!best || best.sleepers.length > 0)) best = this.slots[this.slotsOf(this.newLauncher())[0]!]!;
      if (!best) break;
      best.sleepers.push(pool);
    }
    return placed;
  }

  /** Sleepers that fit on idle slots now (idle slots × sleeper limit, minus those already there). */
  get sleeperRoom(): number {
    return this.slots.reduce((a, s) => a + (s.awake === null ? Math.max(0, this.options.sleeperLimit - s.sleepers.length) : 0), 0);
  }

  private slotsOf(launcher: number): number[] {
    return this.slots.flatMap((s, i) => (s.launcher === launcher ? [i] : []));
  }

  /** Decide the path for a new `pool` worker and reserve its slot; `bind` it to the worker id after. */
  scaleUp(pool: Pool): Placement & { bind(workerId: string): void } {
    const bindTo = (slot: Slot, path: ActuationPath) => ({
      path,
      launcher: slot.launcher,
      slot: slot.index,
      bind: (workerId: string) => {
        slot.awake = workerId;
        this.byWorker.set(workerId, slot);
      },
    });
    const reserve = (slot: Slot) => {
      slot.awake = "(reserved)";
      return slot;
    };
    // hot: an idle slot holding a sleeper of this pool (the oldest such slot first: deterministic).
    // Without pre-warmed sleepers (addSleepers) they only come from scaleDown, so a run's first ramp
    // is warm/cold even with a sleep pool (test/planner-sleep-pool.test.ts, notebook 04's table).
    const hot = this.slots.find((s) => s.awake === null && s.sleepers.includes(pool));
    if (hot) {
      hot.sleepers.splice(hot.sleepers.indexOf(pool), 1);
      return bindTo(reserve(hot), "hot");
    }
    if (this.options.mode === "direct") {
      // Direct providers: a new pod per replica (a sleeper elsewhere cannot help).
      const id = this.newLauncher();
      return bindTo(reserve(this.slots[this.slotsOf(id)[0]!]!), "cold");
    }
    // warm: an idle slot on an existing launcher, preferring one with no sleepers to keep them.
    const idle = this.slots.filter((s) => s.awake === null);
    if (idle.length > 0) {
      const best = idle.reduce((a, b) => (b.sleepers.length < a.sleepers.length ? b : a));
      return bindTo(reserve(best), "warm");
    }
    const id = this.newLauncher();
    return bindTo(reserve(this.slots[this.slotsOf(id)[0]!]!), "cold_launcher");
  }

  /** A worker leaves its slot: it sleeps there when the sleep pool has room, else it is deleted. */
  scaleDown(workerId: string, pool: Pool): "slept" | "deleted" {
    const slot = this.byWorker.get(workerId);
    if (!slot) return "deleted";
    this.byWorker.delete(workerId);
    slot.awake = null;
    if (this.options.sleepPool && slot.sleepers.length < this.options.sleeperLimit) {
      slot.sleepers.push(pool);
      return "slept";
    }
    return "deleted";
  }

  get launcherCount(): number {
    return this.launchers;
  }

  get sleeping(): number {
    return this.slots.reduce((a, s) => a + s.sleepers.length, 0);
  }
}
