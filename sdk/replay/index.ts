/** Trace replay against a simulated fleet; `control.ts` is the contract with controllers (planners). */
export type { Pool, ForwardPassMetrics, TrafficWindow, WorkerInfo, FleetObservations, FleetControl, FleetSetup, ReplayController } from "./control.js";
export { replayTrace, replayEvents, type ReplayResult } from "./replay.js";
export { ReplaySim, type FleetChange, type Track } from "./simulator.js";
export type { ReplayOptions, ReplayEvent } from "./options.js";
export { Router, kvRouterCost, ROUTER_POLICIES, type RouterPolicy, type RouterView } from "./router.js";
export { requestRows, summarize, intervalRows, type RequestRow, type IntervalRow, type ReplaySummary } from "./results.js";
export { TimeHeap, WeightedLog } from "./time-heap.js";
export { scheduledController, type FleetChangeStep } from "./schedule.js";
