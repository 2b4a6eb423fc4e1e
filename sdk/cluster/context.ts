/**
 * What every part of the embedded cluster shares: the virtual clock, the object store, the latency
 * profile, the resolved configuration, and Event recording. Controllers and the simulated hardware
 * take this narrow context, never the `ClusterModel` that composes them.
 */
import type { EventQueue } from "../core/event-queue.js";
import type { LatencyProfile } from "../actuation/profiles.js";
import type { KObject, ObjectStore } from "./store.js";
import type { ClusterConfig } from "./types.js";

/** The configuration with every default filled in (the model resolves it once). */
export type ResolvedClusterConfig = Required<Omit<ClusterConfig, "profile" | "seed" | "rng" | "epochMs" | "imageCached">> & { imageCached: boolean };

export interface ClusterContext {
  readonly queue: EventQueue;
  readonly store: ObjectStore;
  readonly profile: LatencyProfile;
  readonly epochMs: number;
  readonly namespace: string;
  readonly cfg: ResolvedClusterConfig;
  /** Virtual ms now. */
  readonly now: number;
  toEpochMs(v: number): number;
  /** Records a core/v1 Event about `obj` (`micro`: scheduler-style, with a µs eventTime). */
  event(obj: KObject, type: "Normal" | "Warning", reason: string, message: string, component: string, micro?: boolean): void;
}
