import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startCluster, type RunningCluster } from "../sdk/cluster/start.js";
import { binaryPath } from "../sdk/testbed/versions.js";

// The kubectl `actlab testbed install` built (the machines no longer ship one), else one on PATH.
const KUBECTL = existsSync(binaryPath("kubectl")) ? binaryPath("kubectl") : "kubectl";
const hasKubectl = spawnSync(KUBECTL, ["version", "--client"], { encoding: "utf8" }).status === 0;
const skip = hasKubectl ? false : "no kubectl: run `actlab testbed install` (it builds one) or put kubectl on PATH";

const dirs: string[] = [];
let cluster: RunningCluster | undefined;
after(async () => {
  await cluster?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "actlab-kubectl-"));
  dirs.push(d);
  return d;
}

test("kubectl: get pods, get pods -w, apply -f, re-apply, scale, delete pod against the served cluster", { skip, timeout: 120_000 }, async () => {
  // kubectl (client-go) sends no bearer token over plain HTTP, so this cluster serves without one.
  cluster = await startCluster({ seed: 11, nodes: 1, gpusPerNode: 2, timeScale: 400, insecure: true });
  const c = cluster;
  const cache = tmp(); // fresh discovery cache: kubectl caches per host:port
  const kubectl = (...args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(KUBECTL, ["--kubeconfig", c.kubeconfigPath, "--cache-dir", cache, "--request-timeout=20s", ...args], { encoding: "utf8" }, (err, out, errOut) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: errOut }));
  });

  const get = await kubectl("get", "pods");
  assert.equal(get.code, 0, get.err);
  assert.match(get.out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/m);
  assert.match(get.out, /fma-controllers-dual-pods-controller-\S+\s+1\/1\s+Running\s+0\s+\S+/);

  const dir = tmp();
  const d = c.model.requesterDeployment("req");
  writeFileSync(join(dir, "d.yaml"), stringify(d));
  const applied = await kubectl("apply", "-f", join(dir, "d.yaml"));
  assert.equal(applied.code, 0, applied.err);
  assert.match(applied.out, /deployment.apps\/req created/);
  d.metadata.labels = { ...d.metadata.labels, tier: "gold" };
  writeFileSync(join(dir, "d.yaml"), stringify(d));
  const reapplied = await kubectl("apply", "-f", join(dir, "d.yaml"));
  assert.equal(reapplied.code, 0, reapplied.err);
  assert.match(reapplied.out, /deployment.apps\/req configured/);
  assert.equal(c.model.store.get("deployments", "default", "req")!.metadata.labels!.tier, "gold");

  // Watch with kubectl while scaling 0→1: the requester shows up and turns 1/1 Running.
  const watcher = spawn(KUBECTL, ["--kubeconfig", c.kubeconfigPath, "--cache-dir", cache, "get", "pods", "-w", "-l", "app=req"], { stdio: ["ignore", "pipe", "pipe"] });
  let watched = "";
  watcher.stdout.on("data", (b: Buffer) => { watched += b.toString(); });
  const exited = new Promise<void>((resolve) => watcher.on("exit", () => resolve()));
  try {
    await new Promise((r) => setTimeout(r, 500)); // let the watch start
    const scaled = await kubectl("scale", "deployment/req", "--replicas=1");
    assert.equal(scaled.code, 0, scaled.err);
    assert.match(scaled.out, /deployment.apps\/req scaled/);
    const end = Date.now() + 60_000;
    while (!/req-\S+\s+1\/1\s+Running/.test(watched) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  } finally {
    watcher.kill("SIGTERM");
    await exited;
  }
  assert.match(watched, /req-\S+\s+0\/1\s+(Pending|ContainerCreating|Running)/);
  assert.match(watched, /req-\S+\s+1\/1\s+Running/);
  const truth = c.model.actuations()[0]!;
  assert.equal(truth.outcome, "ready");

  // Delete the requester: the DPC unbinds it and the ReplicaSet replaces it. The replacement is
  // scheduled while the old pod still holds its GPU, so it lands on the other GPU: warm, not hot.
  const del = await kubectl("delete", "pod", truth.requester.name, "--wait=true");
  assert.equal(del.code, 0, del.err);
  assert.match(del.out, new RegExp(`pod "${truth.requester.name}" deleted`));
  const end = Date.now() + 60_000;
  while (c.model.actuations().filter((a) => a.outcome === "ready").length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const second = c.model.actuations()[1]!;
  const sameGpus = second.gpus.join() === truth.gpus.join();
  assert.equal(second.path, sameGpus ? "hot" : "warm");
  const after = await kubectl("get", "pods", "-l", "app=req", "-o", "wide");
  assert.equal(after.code, 0, after.err);
  assert.match(after.out, new RegExp(`${second.requester.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+[0-9.]+\\s+node-0`));
  assert.doesNotMatch(after.out, new RegExp(truth.requester.name));

  // kubectl leaves validation to the server (OpenAPI v3 declares fieldValidation): unknown fields are rejected.
  const bad = { ...c.model.requesterDeployment("bad"), spec: { ...(c.model.requesterDeployment("bad").spec as object), replicaz: 2 } };
  writeFileSync(join(dir, "bad.yaml"), stringify(bad));
  const strict = await kubectl("apply", "-f", join(dir, "bad.yaml"));
  assert.notEqual(strict.code, 0);
  assert.match(strict.err, /strict decoding error: unknown field "spec.replicaz"/);

  // The CRDs are served too.
  const crds = await kubectl("get", "isc,lcfg");
  assert.equal(crds.code, 0, crds.err);
  assert.match(crds.out, /default/);
  const logs = await kubectl("logs", c.model.dpcPodName, "--tail=50");
  assert.match(logs.out, sameGpus ? /"HTTP call done" .*purpose="wake"/ : /"HTTP call done" .*purpose="create_instance"/);
});
