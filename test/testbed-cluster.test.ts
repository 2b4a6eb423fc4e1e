// The test bed end to end: the real control plane built by `actlab testbed install`, the node
// agent's GPU nodes, and the kubectl built with it. One test bed for the whole file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestbed, type Testbed } from "../sdk/testbed/start.js";
import { testbedInstalled } from "../sdk/testbed/versions.js";

const run = promisify(execFile);
const installed = testbedInstalled();
const SKIP = "the test bed is not installed; run: actlab testbed install";
let tb: Testbed;
let cacheDir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(tb.kubectlPath, ["--kubeconfig", tb.kubeconfigPath, "--cache-dir", cacheDir, ...args], { timeout: 60_000 });
  return stdout;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  if (!installed) return;
  cacheDir = mkdtempSync(join(tmpdir(), "actlab-kubectl-cache-"));
  tb = await startTestbed({ nodes: 3, gpusPerNode: 4, timeScale: 20, seed: 7 });
  // Pods need the namespace's default service account (the controller manager makes it).
  await until("default service account", async () => (await kubectl("get", "serviceaccount", "default", "-o", "name")).trim() || undefined);
});

after(async () => {
  if (!installed) return;
  await tb?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

test("kubectl version shows a real server at the pinned release", { skip: !installed && SKIP }, async () => {
  const v = JSON.parse(await kubectl("version", "-o", "json"));
  assert.equal(v.serverVersion.gitVersion, "v1.34.4");
  assert.equal(v.clientVersion.gitVersion, "v1.34.4");
});

test("get nodes lists the simulated nodes, Ready, with their GPUs", { skip: !installed && SKIP }, async () => {
  const nodes = await until("3 Ready nodes without taints", async () => {
    const l = JSON.parse(await kubectl("get", "nodes", "-o", "json"));
    const ok = l.items.filter((n: any) => n.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True") && !(n.spec.taints ?? []).length);
    return ok.length === 3 ? l.items : undefined;
  });
  for (const n of nodes) {
    assert.equal(n.status.capacity["nvidia.com/gpu"], "4");
    assert.equal(n.status.allocatable["nvidia.com/gpu"], "4");
    assert.equal(n.metadata.labels["nvidia.com/gpu.count"], "4");
  }
  const table = await kubectl("get", "nodes");
  for (const name of tb.agent.nodes) assert.match(table, new RegExp(`${name}\\s+Ready`));
});

const deployment = (replicas: number) => JSON.stringify({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "gpu-web", namespace: "default" },
  spec: {
    replicas, selector: { matchLabels: { app: "gpu-web" } },
    template: {
      metadata: { labels: { app: "gpu-web" } },
      spec: { containers: [{ name: "web", image: "example/web:1", ports: [{ containerPort: 8000 }], resources: { limits: { "nvidia.com/gpu": "1" } },
        readinessProbe: { httpGet: { path: "/health", port: 8000 }, periodSeconds: 1 } }] },
    },
  },
});

test("a Deployment of GPU pods scales 0 → 8 → 0, scheduled by the real scheduler, Running and Ready; kubectl logs works", { skip: !installed && SKIP }, async () => {
  const { writeFileSync } = await import("node:fs");
  const f = join(cacheDir, "deploy.json");
  writeFileSync(f, deployment(0));
  await kubectl("apply", "-f", f);
  await kubectl("scale", "deployment/gpu-web", "--replicas=8");
  const pods = await until("8 Running+Ready pods", async () => {
    const l = JSON.parse(await kubectl("get", "pods", "-l", "app=gpu-web", "-o", "json"));
    const ready = l.items.filter((p: any) => p.status.phase === "Running" && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"));
    return ready.length === 8 && l.items.length === 8 ? l.items : undefined;
  });
  const ips = new Set<string>();
  for (const p of pods) {
    assert.ok(tb.agent.nodes.includes(p.spec.nodeName), `${p.metadata.name} on ${p.spec.nodeName}`);
    ips.add(p.status.podIP);
    // The pod's endpoint is really there, at its own loopback address.
    const res = await fetch(`http://${p.status.podIP}:8000/health`);
    assert.equal(res.status, 200);
  }
  assert.equal(ips.size, 8, "each pod its own IP");
  // The scheduler's own Scheduled events name the node.
  const ev = JSON.parse(await kubectl("get", "events", "--field-selector", "reason=Scheduled", "-o", "json"));
  assert.ok(ev.items.filter((e: any) => e.involvedObject.name.startsWith("gpu-web")).length >= 8);
  // 3 nodes × 4 GPUs: 8 one-GPU pods fit, each node at most 4.
  const perNode = new Map<string, number>();
  for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  for (const n of perNode.values()) assert.ok(n <= 4);
  const logs = await kubectl("logs", pods[0].metadata.name, "-c", "web");
  assert.match(logs, /NVIDIA_VISIBLE_DEVICES=GPU-[0-9a-f-]{36}/);
  assert.match(logs, new RegExp(`started on ${pods[0].spec.nodeName}`));
  await kubectl("scale", "deployment/gpu-web", "--replicas=0");
  await until("0 pods", async () => JSON.parse(await kubectl("get", "pods", "-l", "app=gpu-web", "-o", "json")).items.length === 0 ? true : undefined);
  await kubectl("delete", "deployment", "gpu-web");
});

test("a pod asking for more GPUs than any node has stays Pending with FailedScheduling", { skip: !installed && SKIP }, async () => {
  const { writeFileSync } = await import("node:fs");
  const f = join(cacheDir, "big.json");
  writeFileSync(f, JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "too-big", namespace: "default" },
    spec: { containers: [{ name: "c", image: "example/c:1", resources: { limits: { "nvidia.com/gpu": "5" } } }] } }));
  await kubectl("apply", "-f", f);
  const ev = await until("FailedScheduling", async () => {
    const l = JSON.parse(await kubectl("get", "events", "--field-selector", "involvedObject.name=too-big,reason=FailedScheduling", "-o", "json"));
    return l.items.length ? l.items[0] : undefined;
  });
  assert.match(ev.message, /Insufficient nvidia\.com\/gpu/);
  assert.equal(ev.source?.component ?? ev.reportingComponent, "default-scheduler");
  const pod = JSON.parse(await kubectl("get", "pod", "too-big", "-o", "json"));
  assert.equal(pod.status.phase, "Pending");
  assert.equal(pod.spec.nodeName, undefined);
  await kubectl("delete", "pod", "too-big", "--wait=false");
});
