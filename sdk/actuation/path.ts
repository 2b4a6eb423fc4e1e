/**
 * The vocabulary of actuation paths, shared by the simulated cluster (ground truth), the
 * classifier (inference from evidence) and the planner simulation (the cost of a scale-up).
 *
 * Names follow the FMA benchmarking doc and llm-d-benchmark's nop harness:
 * - `hot`: a sleeping vLLM instance with the right id on a Ready launcher was woken (`/wake_up`);
 * - `warm`: an existing Ready launcher created a new instance (possibly after deleting sleeping
 *   victims: `instancesDeleted > 0`, "warm with reclaim");
 * - `cold_launcher`: no suitable launcher existed; the DPC created a launcher pod, then the instance;
 * - `cold`: a new vLLM without FMA's launcher: a direct-mode provider pod (M2) or a plain
 *   Kubernetes deploy-to-ready;
 * - a direct-mode wake of a sleeping nominal provider is `hot` with `mode: "direct"`.
 */
export type ActuationPath = "hot" | "warm" | "cold_launcher" | "cold";

/** How the requester was served: through a launcher (FMA's dual pods) or by a direct provider pod. */
export type ActuationMode = "launcher" | "direct";

/** `unknown` is a classifier's explicit answer when evidence is insufficient; never a silent guess. */
export type ActuationClass = ActuationPath | "unknown";

export const ACTUATION_PATHS: readonly ActuationPath[] = ["hot", "warm", "cold_launcher", "cold"];
