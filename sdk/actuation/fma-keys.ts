/** The literal FMA label and annotation keys the classifier reads (fma.md §1.4). */
export const FMA_KEYS = {
  dual: "dual-pods.llm-d.ai/dual",
  sleeping: "dual-pods.llm-d.ai/sleeping",
  instance: "dual-pods.llm-d.ai/instance",
  accelerators: "dual-pods.llm-d.ai/accelerators",
  requester: "dual-pods.llm-d.ai/requester",
  isc: "dual-pods.llm-d.ai/inference-server-config",
  serverPatch: "dual-pods.llm-d.ai/server-patch",
  launcherBased: "dual-pods.llm-d.ai/launcher-based",
  instanceId: "dual-pods.llm-d.ai/instance-id",
  component: "app.kubernetes.io/component",
} as const;

/** The requester container name FMA requires (`api.InferenceServerContainerName`). */
export const INFERENCE_SERVER_CONTAINER = "inference-server";

export type PodRole = "requester" | "launcher" | "provider" | "controller" | "other";

/**
 * A pod's FMA role from its labels and annotations.
 *
 * @example
 * ```ts
 * podRole(pod.metadata.labels ?? {}, pod.metadata.annotations ?? {}); // requester, launcher, provider, …
 * ```
 */
export function podRole(labels: Record<string, string>, annotations: Record<string, string>): PodRole {
  if (annotations[FMA_KEYS.isc] !== undefined || annotations[FMA_KEYS.serverPatch] !== undefined) return "requester";
  if (labels[FMA_KEYS.component] === "launcher" || annotations[FMA_KEYS.launcherBased] === "true") return "launcher";
  if (labels[FMA_KEYS.component] === "dual-pods-controller" || labels[FMA_KEYS.component] === "launcher-populator") return "controller";
  if (annotations[FMA_KEYS.requester] !== undefined || annotations["dual-pods.llm-d.ai/nominal"] !== undefined) return "provider";
  return "other";
}
