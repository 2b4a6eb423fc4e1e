/** cluster: the embedded FMA cluster — the seeded model, the loopback Kubernetes API server, `startCluster()`. */
export { ClusterModel, ApiError, FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor, type RequesterDeploymentOptions } from "./model.js";
export type { ActuationTruth, ClusterConfig, PlacementPolicy } from "./types.js";
export type { KObject, ObjectMeta } from "./store.js";
export { ApiServer, type ApiServerOptions, type FaultConfig } from "./server.js";
export { startCluster, kubeconfigYaml, type StartClusterOptions, type RunningCluster } from "./start.js";
