// The pod update the watch benchmarks stream: 500 pods whose Ready condition flips.
import type { KubeObject } from "../../sdk/kube/types.js";

export function benchPod(i: number, step: number): KubeObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `p${i % 500}`, namespace: "default", uid: `u${i % 500}`, creationTimestamp: "2026-11-23T09:00:00Z", labels: { app: "bench", "dual-pods.llm-d.ai/dual": `launcher-${i % 7}` } },
    spec: { nodeName: "node-0", containers: [{ name: "inference-server", image: "requester:v0.6.4" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: step % 2 ? "True" : "False", lastTransitionTime: "2026-11-23T09:00:05Z" }], containerStatuses: [{ name: "inference-server", state: { running: { startedAt: "2026-11-23T09:00:01Z" } } }] },
  };
}
