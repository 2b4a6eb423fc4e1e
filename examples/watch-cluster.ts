// examples/watch-cluster.ts — watch the embedded FMA cluster through the real Kubernetes client while the
// nop iteration runs, then classify every actuation and check it against the simulation's ground truth.
// Run with: npx tsx examples/watch-cluster.ts          (10 iterations of 0→4 requesters)
//           ACTLAB_FAST=1 npx tsx examples/watch-cluster.ts   (3 iterations)
import { startCluster, runNopIterations } from "actuation-lab";
import { summarizeActuations } from "actuation-lab/actuation";
import { createObject, type KubeObject } from "actuation-lab/kube";

const fast = process.env.ACTLAB_FAST === "1";
const cluster = await startCluster({ profile: "8b-h100", seed: 1, nodes: 1, gpusPerNode: 4, timeScale: 5000 });
try {
  await createObject(cluster.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", cluster.model.requesterDeployment("req") as unknown as KubeObject);
  const res = await runNopIterations({
    kubeConfig: cluster.kubeConfig, namespace: "default", deployment: "req", iterations: fast ? 3 : 10, replicas: 4,
    onIteration: (it, acts) => console.log(`iteration ${it}: ${acts.map((a) => `${a.path}${a.t_wake !== null ? ` (t_wake ${a.t_wake.toFixed(3)} s)` : ""}`).join(", ")}`),
  });
  const truth = new Map(cluster.model.actuations().map((t) => [t.requester.uid, t.path]));
  const agree = res.actuations.filter((a) => truth.get(a.requester_uid) === a.path).length;
  const s = summarizeActuations(res.actuations);
  console.log(`\n${res.record.events.length} watch events (${res.watchStats.resumes} resumes, ${res.watchStats.relists} relists); ${agree}/${res.actuations.length} actuations agree with ground truth`);
  const rate = (x: number | null) => (x === null ? "n/a" : x.toFixed(2)); // null: nothing classified
  console.log(`hit rates over ${s.classified} classified: hot ${rate(s.hot_hit_rate)}, warm ${rate(s.warm_hit_rate)}, cold_launcher ${rate(s.cold_launcher_hit_rate)}`);
  console.log(`t_wake p50 ${s.distributions.t_wake.p50.toFixed(3)} s, p90 ${s.distributions.t_wake.p90.toFixed(3)} s (DPC log: wake call start → readiness relay)`);
} finally {
  await cluster.stop();
}
