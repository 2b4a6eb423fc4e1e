// The 2×3×2 replay sweep (2 replicates, 24 runs) that the Jobs test and the Jobs benchmark both run,
// and the wait for the namespace's default service account that pods of a fresh test bed need.
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../sdk/kube/kubeconfig.js";

/** The experiment file's text; `limit` requests per run (the test keeps it small, the bench larger). */
export function jobsStudyYaml(name: string, limit: number): string {
  return `experiment: {name: ${name}, description: "2×3×2 over a trace replay, as a Kubernetes Job"}
design:
  type: full_factorial
  replicates: 2
  setup:
    factors:
      - {name: workers, levels: [1, 2]}
  run:
    factors:
      - {name: router, levels: [round-robin, random, kv]}
      - {name: speedup, levels: [1, 4]}
setup:
  constants: {limit: ${limit}, window: 400}
`;
}

/** Resolves once the controller manager has made `default/default` (pods cannot be created before). */
export async function untilDefaultServiceAccount(kubeconfig: KubeConfig, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while ((await kubeRequest(kubeconfig, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status !== 200) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`no default service account after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
