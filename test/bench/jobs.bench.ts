// Sweeps on Kubernetes Jobs (issue 14): the same replay sweep on the test bed's real Job controller
// with 1, 2 and 4 shards (parallelism = shards), runs/s and the ratio to one shard. Figures only.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestbed } from "../../sdk/testbed/start.js";
import { testbedInstalled } from "../../sdk/testbed/versions.js";
import { figure } from "./measure.js";
import { jobsStudyYaml, untilDefaultServiceAccount } from "../helpers/jobs-study.js";

console.log("sweeps on Kubernetes Jobs: 24 replay runs on the test bed (2 nodes × 4 GPUs), parallelism = shards");
if (!testbedInstalled()) {
  console.log("  (the test bed is not installed: run `actlab testbed install`; skipped)");
} else {
  const dir = mkdtempSync(join(tmpdir(), "actlab-jobs-bench-"));
  const tb = await startTestbed({ nodes: 2, gpusPerNode: 4, timeScale: 50, seed: 14 });
  try {
    const study = join(dir, "bench-study.yaml");
    writeFileSync(study, jobsStudyYaml("bench-study", 200));
    await untilDefaultServiceAccount(tb.kubeconfig);
    const rates: Record<number, number> = {};
    for (const shards of [1, 2, 4]) {
      const args = ["bin/actlab.js", "experiment", study, "--on-kubernetes", "--kubeconfig", tb.kubeconfigPath, "--namespace", "default",
        "--job", `bench-${shards}`, "--out", join(dir, `out-${shards}`), "--progress", "silent", "--concurrency", "1", "--timeout", "600",
        "--shards", String(shards), "--parallelism", String(shards), "--module", "sdk/doe/replay-treatment.ts"];
      const t = performance.now();
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
        child.once("close", (c) => resolve(c ?? -1));
      });
      const s = (performance.now() - t) / 1000;
      if (code !== 0) { console.log(`  ${shards} shard(s): exit ${code} (see above)`); continue; }
      rates[shards] = 24 / s;
      figure(`${shards} shard(s): wall (submit → merged results)`, s, "s", 1);
      figure(`${shards} shard(s): runs/s`, rates[shards]!, "runs/s", 2);
    }
    for (const shards of [2, 4]) {
      if (rates[1] && rates[shards]) figure(`${shards} shards / 1 shard: runs/s ratio`, rates[shards]! / rates[1], "×", 2);
    }
  } finally {
    await tb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
