// Split a sweep into shards (as N machines or N pods would), merge them, and print the Kubernetes
// Indexed Job that runs the shards on a cluster. Run: npx tsx examples/shard-sweep-k8s.ts
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readExperimentFile, runSweep } from "actuation-lab";
import { experimentDesign, indexedJobYaml, mergeShards, syntheticResponse } from "actuation-lab/doe";

const fast = process.env.ACTLAB_FAST === "1";
const shards = fast ? 2 : 4;
const out = join("out", "examples", "shard-sweep");
const file = "datasets/experiments/disaggregated_vs_llmd.yaml";
const design = experimentDesign(readExperimentFile(file));

// Each shard i/N takes every N-th run in run order — what `actlab experiment FILE --shard i/N` does.
for (let i = 0; i < shards; i++) {
  const r = await runSweep(design, syntheticResponse, { seed: 1, shard: { index: i, count: shards }, outDir: join(out, `shard-${i}`), progress: false });
  console.log(`shard ${i}/${shards}: ${r.total} runs (${r.executed} executed, ${r.cached} cached)`);
}
const merged = mergeShards(Array.from({ length: shards }, (_, i) => join(out, `shard-${i}`, "results.jsonl")), design);
console.log(`merged: ${merged.rows.length} rows, ${merged.missing.length} missing`);

// The merged table equals an unsharded sweep, byte for byte.
const whole = await runSweep(design, syntheticResponse, { seed: 1, outDir: join(out, "whole"), progress: false });
const same = readFileSync(whole.files!.jsonl, "utf8") === merged.rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
console.log(`merged shards identical to the unsharded sweep: ${same}`);

// On Kubernetes: one pod per shard, JOB_COMPLETION_INDEX picks the shard.
console.log(indexedJobYaml({
  name: "actlab-disaggregated-vs-llmd",
  image: process.env.ACTLAB_IMAGE ?? "actuation-lab:dev", // build it: see the README, "Sweeps on Kubernetes Jobs"
  experimentFile: "/experiments/disaggregated_vs_llmd.yaml",
  shards,
  parallelism: shards,
  resultsClaim: "actlab-results",
  args: ["--module", "/app/treatment.ts", "--seed", "1"],
  resources: { requests: { cpu: "2", memory: "2Gi" } },
}));
