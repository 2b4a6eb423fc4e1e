// `actlab experiment FILE --on-kubernetes` on the test bed: the real kube-apiserver, Job controller
// and scheduler, with the node agent's process runtime playing the actuation-lab image. A 2×3×2
// factorial with replicates over replay treatments, sharded 4 ways with parallelism 2, must merge to
// the bytes of the same sweep run locally — also when one shard's process is killed mid-run (the Job
// controller retries that index, and the retry reuses the runs its predecessor checkpointed) — and a
// broken experiment file must fail the Job at once with the pod's own error text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cacheKey } from "../sdk/doe/sweep-cache.js";
import { runSeed } from "../sdk/doe/sweep.js";
import { shardRuns } from "../sdk/doe/shard.js";
import { experimentDesign } from "../sdk/doe/experiment.js";
import { readExperimentFile } from "../sdk/doe/experiment-file.js";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";
import { podProcesses } from "../sdk/testbed/process-runtime.js";
import { startTestbed, type Testbed } from "../sdk/testbed/start.js";
import { testbedInstalled } from "../sdk/testbed/versions.js";
import { jobsStudyYaml, untilDefaultServiceAccount } from "./helpers/jobs-study.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed; run: actlab testbed install";
let tb: Testbed;
let dir: string;
let study: string;
let local: string;

/** The CLI as a child process; resolves with its exit code and output. */
function actlab(args: string[], env: NodeJS.ProcessEnv = process.env): { done: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ["bin/actlab.js", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return { done: new Promise((r) => child.once("close", (code) => r({ code: code ?? -1, stdout, stderr }))) };
}

const get = async (path: string, query: Record<string, string> = {}) => {
  const r = await kubeRequest(tb.kubeconfig, "GET", path, query);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
};
const jobPods = async (job: string) => ((await get("/api/v1/namespaces/default/pods", { labelSelector: `batch.kubernetes.io/job-name=${job}` }))?.items ?? []) as any[];
const indexOf = (p: any) => Number(p.metadata.annotations["batch.kubernetes.io/job-completion-index"]);
const exitOf = (p: any) => p.status.containerStatuses?.[0]?.state?.terminated?.exitCode;
const onKube = (file: string, job: string, out: string, extra: string[] = []) => [
  "experiment", file, "--on-kubernetes", "--kubeconfig", tb.kubeconfigPath, "--namespace", "default", "--job", job,
  "--out", out, "--progress", "lines", "--concurrency", "1", "--timeout", "400", ...extra,
];
/** The local run and the pods see the same bundled trace. */
const localEnv = () => { const e = { ...process.env }; delete e.ACTLAB_SHARED_DATASETS; return e; };

before(async () => {
  if (!installed) return;
  dir = mkdtempSync(join(tmpdir(), "actlab-jobs-test-"));
  study = join(dir, "jobs-study.yaml");
  // 2 workers × 3 routers × 2 speed-ups, 2 replicates = 24 runs; 40 requests each, at a seeded offset.
  writeFileSync(study, jobsStudyYaml("jobs-study", 40));
  local = join(dir, "local");
  const [r, t] = await Promise.all([
    actlab(["experiment", study, "--module", "sdk/doe/replay-treatment.ts", "--out", local, "--progress", "silent", "--concurrency", "1"], localEnv()).done,
    startTestbed({ nodes: 2, gpusPerNode: 4, timeScale: 50, seed: 14 }),
  ]);
  tb = t;
  assert.equal(r.code, 0, r.stderr);
  await untilDefaultServiceAccount(tb.kubeconfig);
});

after(async () => {
  if (!installed) return;
  await tb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const same = (a: string, b: string) => {
  for (const f of ["results.jsonl", "results.csv"]) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs from the local sweep`);
};

test("4 shards, parallelism 2, on the real Job controller: merged results byte-identical to the local sweep; --resume re-attaches to the finished Job", { skip: !installed && SKIP, timeout: 420_000 }, async () => {
  const out = join(dir, "k8s");
  const r = await actlab(onKube(study, "jobs-e2e", out, ["--shards", "4", "--parallelism", "2", "--module", "sdk/doe/replay-treatment.ts"])).done;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /4 shards, 24 runs: 24 executed, 0 from cache, 0 failed/);
  same(out, local);
  assert.equal(readFileSync(join(out, "timings.csv"), "utf8").trim().split("\n").length, 25);
  // What ran is the real Job controller's work: an Indexed Job, one succeeded pod per index.
  const job = await get("/apis/batch/v1/namespaces/default/jobs/jobs-e2e");
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.parallelism, 2);
  assert.deepEqual(job.spec.podFailurePolicy.rules[0].onExitCodes, { containerName: "sweep", operator: "In", values: [2] });
  assert.equal(job.status.succeeded, 4);
  const pods = await jobPods("jobs-e2e");
  assert.deepEqual(pods.map(indexOf).sort(), [0, 1, 2, 3]);
  assert.ok(pods.every((p) => p.status.phase === "Succeeded" && exitOf(p) === 0));
  // The module was taken from the image (a checkout path becomes actlab:PATH), not shipped.
  const cm = await get("/api/v1/namespaces/default/configmaps/jobs-e2e");
  assert.deepEqual(Object.keys(cm.data), ["jobs-study.yaml"]);
  assert.ok(job.spec.template.spec.containers[0].args.includes("actlab:sdk/doe/replay-treatment.ts"));

  const again = join(dir, "k8s-resumed");
  const re = await actlab(onKube(study, "jobs-e2e", again, ["--resume", "--module", "sdk/doe/replay-treatment.ts"])).done;
  assert.equal(re.code, 0, re.stderr);
  same(again, local);
  assert.equal((await jobPods("jobs-e2e")).length, 4, "re-attaching created no pods");
});

test("a shard's process killed mid-run: the Job controller retries the index, the retry reuses the checkpointed runs, the merge is still byte-identical", { skip: !installed && SKIP, timeout: 420_000 }, async () => {
  // A treatment module shipped in the ConfigMap: the replay, slowed down, counting finished executions.
  const counts = join(dir, "executions.txt");
  const mod = join(dir, "counting-treatment.ts");
  writeFileSync(mod, `import { appendFileSync } from "node:fs";
import { replayTreatment } from ${JSON.stringify(resolve("sdk/doe/replay-treatment.ts"))};
export default async function (input: any) {
  await new Promise((r) => setTimeout(r, 400));
  const out = replayTreatment(input);
  appendFileSync(${JSON.stringify(counts)}, \`\${process.env.JOB_COMPLETION_INDEX} \${process.env.HOSTNAME} \${input.id}#\${input.repeat}\\n\`);
  return out;
}
`);
  const out = join(dir, "k8s-fault");
  const client = actlab(onKube(study, "jobs-fault", out, ["--shards", "4", "--parallelism", "2", "--module", mod]));
  // Kill shard 1's process once its checkpoint holds 2 finished runs (of 6).
  const cmPath = "/api/v1/namespaces/default/configmaps/jobs-fault-shard-1";
  const entries = async () => String((await get(cmPath))?.data?.["entries.jsonl"] ?? "").split("\n").filter(Boolean).map((l) => JSON.parse(l).key as string);
  const t0 = Date.now();
  let victim: ReturnType<typeof podProcesses>[number] | undefined;
  for (;;) {
    if (Date.now() - t0 > 300_000) throw new Error("shard 1 never checkpointed 2 runs");
    if ((await entries()).length >= 2) {
      victim = podProcesses().find((p) => p.labels["batch.kubernetes.io/job-completion-index"] === "1" && p.labels["batch.kubernetes.io/job-name"] === "jobs-fault");
      if (victim) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(-victim!.pid, "SIGKILL");
  // The checkpoint as the killed pod left it (read once its pod is Failed; the retry starts after the Job controller's backoff).
  while (!(await jobPods("jobs-fault")).some((p) => indexOf(p) === 1 && p.status.phase === "Failed")) await new Promise((res) => setTimeout(res, 100));
  await new Promise((res) => setTimeout(res, 500));
  const left = new Set(await entries());
  const r = await client.done;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  same(out, local);

  // The real Job controller retried index 1 (a Failed pod with exit 137, then a Succeeded one).
  const pods = await jobPods("jobs-fault");
  const shard1 = pods.filter((p) => indexOf(p) === 1);
  assert.equal(shard1.length, 2, "index 1 ran twice");
  assert.deepEqual(shard1.map((p) => p.status.phase).sort(), ["Failed", "Succeeded"]);
  const failed = shard1.find((p) => p.status.phase === "Failed"), succeeded = shard1.find((p) => p.status.phase === "Succeeded");
  assert.equal(exitOf(failed), 137);
  assert.equal(pods.filter((p) => indexOf(p) !== 1).length, 3, "other indexes ran once");
  assert.match(r.stdout, new RegExp(`24 runs: ${24 - left.size} executed, ${left.size} from cache, 0 failed \\(retried: shard 1: 2 pods\\)`));

  // Counted: each run the killed pod checkpointed finished once (in that pod) and not in the retry;
  // the retry executed exactly the others.
  const design = experimentDesign(readExperimentFile(study));
  const keyOf = new Map(design.runs.map((run) => [`${run.id}#1`, cacheKey({ factors: run.factors, params: run.params, replicate: run.replicate, repeat: 1, seed: runSeed(1, run, 1), codeVersion: "0" })]));
  const lines = readFileSync(counts, "utf8").trim().split("\n").map((l) => l.split(" "));
  const byFirst = lines.filter((l) => l[1] === failed.metadata.name).map((l) => l[2]!);
  const bySecond = lines.filter((l) => l[1] === succeeded.metadata.name).map((l) => l[2]!);
  const shard1Units = design.runs.filter((run) => run.run_order % 4 === 2).map((run) => `${run.id}#1`); // run_order is 1-based; shard i takes positions i, i+4, …
  assert.equal(shard1Units.length, 6);
  const reused = shard1Units.filter((u) => left.has(keyOf.get(u)!));
  assert.ok(left.size >= 2 && reused.length === left.size, `${left.size} checkpointed, ${reused.length} of shard 1's runs`);
  assert.ok(byFirst.length < 6, `killed mid-run (${byFirst.length} of 6 finished)`);
  for (const u of reused) {
    assert.equal(lines.filter((l) => l[2] === u).length, 1, `${u} executed once`);
    assert.ok(byFirst.includes(u) && !bySecond.includes(u), `${u} ran in the killed pod only`);
  }
  assert.deepEqual([...bySecond].sort(), shard1Units.filter((u) => !reused.includes(u)).sort(), "the retry executed exactly the runs not checkpointed");
  // Every other shard's run finished exactly once.
  const others = lines.filter((l) => l[0] !== "1").map((l) => l[2]!);
  assert.equal(others.length, 18);
  assert.equal(new Set(others).size, 18);
});

test("a mistake in the experiment file fails the Job at once (pod failure policy on exit 2) and the user sees the pod's own error text", { skip: !installed && SKIP, timeout: 300_000 }, async () => {
  const bad = join(dir, "broken-study.yaml");
  writeFileSync(bad, readFileSync(study, "utf8").replace("type: full_factorial", "type: full_factorail"));
  // What actlab itself says about this file, run here: the pods must report the same words.
  const here = await actlab(["experiment", bad]).done;
  assert.notEqual(here.code, 0);
  const message = /broken-study\.yaml[^:]*:(.*)$/m.exec(here.stderr)?.[1]?.trim();
  assert.ok(message, here.stderr);

  const r = await actlab(onKube(bad, "jobs-broken", join(dir, "k8s-broken"), ["--shards", "2", "--parallelism", "2", "--module", "sdk/doe/replay-treatment.ts"])).done;
  assert.equal(r.code, 2, r.stderr + r.stdout);
  assert.match(r.stderr, /job default\/jobs-broken failed/);
  assert.match(r.stderr, /exited 2 \(a usage error: not retried\)/);
  assert.ok(r.stderr.includes(message), `the pod's error text (${message}) in:\n${r.stderr}`);
  assert.ok(!existsSync(join(dir, "k8s-broken", "results.csv")));
  const job = await get("/apis/batch/v1/namespaces/default/jobs/jobs-broken");
  assert.ok(job.status.conditions.some((c: any) => c.type === "Failed" && c.status === "True"), JSON.stringify(job.status.conditions));
  // No index was retried: exit code 2 fails the index on its first pod.
  const pods = await jobPods("jobs-broken");
  for (const i of new Set(pods.map(indexOf))) assert.equal(pods.filter((p) => indexOf(p) === i).length, 1, `index ${i} retried`);
  assert.ok(pods.filter((p) => exitOf(p) !== undefined).every((p) => exitOf(p) === 2));
});
