/**
 * The one table of RNG stream names. Every `Rng.split(name)` in the SDK takes its name from here,
 * so two components can never share a stream by accident and a rename is one visible edit.
 * The strings are part of every seeded output: changing one changes the bytes users compute.
 */

export const STREAMS = {
  // replay/ — the fleet's routers (one stream per pool)
  routerAgg: "router/agg",
  routerPrefill: "router/prefill",
  routerDecode: "router/decode",
  // trace/ — synthetic generators
  traceArrivals: "arrivals",
  traceLengths: "lengths",
  traceOrder: "order",
  traceThink: "think",
  // planner/ — sampled actuation delays of planner-in-the-loop scale-ups
  plannerActuation: "planner-actuation",
  // doe/ — designs and the synthetic response
  runOrder: "run-order",
  latinHypercube: "latin-hypercube",
  randomSample: "random-sample",
  synthetic: "synthetic",
  // cluster/ — the embedded FMA cluster (children of the root `rng(config.seed ?? 1)`)
  clusterSteps: "steps", // actuation step draws; each actuation splits `actuation-<n>` from it
  clusterScheduler: "scheduler", // pack/spread tie-break among equally scored nodes
  clusterPopulator: "populator",
  clusterNames: "names", // generated object names and UIDs (store)
  clusterGpus: "gpus", // a node's GPU UUIDs, from a root seeded by a store UID
  clusterFaults: "faults", // server.ts fault injection (owned by RELIABILITY)
  // kube/ — the real-client side
  apiCallsRoot: "api-calls", // root of the retry jitter (never reaches an output)
  apiCallsRetryJitter: "retry-jitter",
  memoryApiFaults: "memory-api-faults",
  watchBackoff: "watch-backoff", // watchPods' reconnect backoff jitter (never reaches an output)
  // testbed/ — the node agent's simulated containers (children `node-<i>`, `pod-<key>-<uid>`)
  testbedNodeAgent: "testbed-node-agent",
} as const;

export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];
