/**
 * FMA's vocabulary as the embedded cluster writes it: the literal label/annotation/finalizer keys
 * (fma.md §1.4), the CRD group, and the two identities the DPC computes — the launcher-mode
 * instance id and the direct-mode nominal hash (fma.md §1.5).
 */
import { createHash } from "node:crypto";
import { stringify as toYaml } from "yaml";

/** The literal FMA keys (fma.md §1.4). */
export const FMA = {
  iscAnnotation: "dual-pods.llm-d.ai/inference-server-config",
  serverPatch: "dual-pods.llm-d.ai/server-patch",
  adminPort: "dual-pods.llm-d.ai/admin-port",
  dual: "dual-pods.llm-d.ai/dual",
  accelerators: "dual-pods.llm-d.ai/accelerators",
  sleeping: "dual-pods.llm-d.ai/sleeping",
  instance: "dual-pods.llm-d.ai/instance",
  status: "dual-pods.llm-d.ai/status",
  requester: "dual-pods.llm-d.ai/requester",
  nominal: "dual-pods.llm-d.ai/nominal",
  instanceId: "dual-pods.llm-d.ai/instance-id",
  serverPort: "dual-pods.llm-d.ai/server-port",
  vllmConfig: "dual-pods.llm-d.ai/vllm-config",
  routing: "dual-pods.llm-d.ai/isc-routing-metadata",
  launcherBased: "dual-pods.llm-d.ai/launcher-based",
  launcherConfigName: "dual-pods.llm-d.ai/launcher-config-name",
  nodeName: "dual-pods.llm-d.ai/node-name",
  launcherConfigHash: "dual-pods.llm-d.ai/launcher-config-hash",
  component: "app.kubernetes.io/component",
  requesterFinalizer: "dual-pods.llm-d.ai/requester",
  providerFinalizer: "dual-pods.llm-d.ai/provider",
} as const;

export const FMA_GROUP = "fma.llm-d.ai";
export const FMA_VERSION = "v1alpha1";

const b64url = (buf: Buffer) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * The launcher-mode instance id: "I" + base64url(sha256(yaml(modelServerConfig) + ";gpus=" + uuids)) + "i".
 *
 * @example
 * ```ts
 * const id = instanceIdFor(modelServerConfig, ["GPU-0"]); // the launcher instance id FMA derives
 * ```
 */
export function instanceIdFor(modelServerConfig: unknown, gpus: readonly string[]): string {
  const cacheKey = `${JSON.stringify(modelServerConfig ?? {})}|${gpus.join(",")}`;
  const hit = idCache.get(cacheKey);
  if (hit) return hit;
  const text = `${toYaml(modelServerConfig ?? {})};gpus=${gpus.join(",")}`;
  const id = `I${b64url(createHash("sha256").update(text).digest())}i`;
  if (idCache.size > 10_000) idCache.clear();
  idCache.set(cacheKey, id);
  return id;
}
const idCache = new Map<string, string>();

/**
 * The direct-mode nominal hash: base64(sha256(patch, node, gpus)).
 *
 * @example
 * ```ts
 * const hash = nominalHashFor(serverPatch, "node-0", ["GPU-0"]);
 * ```
 */
export function nominalHashFor(patch: string, node: string, gpus: readonly string[]): string {
  return createHash("sha256").update(`${patch}\nnode=${node}\ngpus=${gpus.join(",")}`).digest("base64");
}
