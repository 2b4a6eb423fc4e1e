// The test bed at scale (issue 12): `actlab testbed up` with 50 nodes × 8 GPUs, 400 one-GPU pods
// created straight through the real API server, scheduled by the real scheduler, played by the node
// agent (pod IP, device plugin, HTTP endpoint, readiness probe), then deleted. Prints pods/s to
// Ready and to gone, create→Ready percentiles, and the node agent's CPU and memory (its own process,
// read from /proc), each with its goal beside it. Nothing here asserts a time.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { KubeConfig } from "@kubernetes/client-node";
import { watchPods } from "../../sdk/kube/watch.js";
import { keepAliveClient } from "../../sdk/testbed/api-client.js";
import { quantile } from "../../sdk/core/quantile.js";
import { testbedInstalled } from "../../sdk/testbed/versions.js";

const NODES = 50, GPUS = 8, PODS = 400, CONCURRENCY = 20;
const TICK = 100; // /proc clock ticks per second (USER_HZ on Linux)

interface Usage { cpuS: number; rssMb: number; hwmMb: number }

/** CPU seconds (user+system) and memory of one process, from /proc. */
function usage(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0) / 1024;
  return { cpuS: (Number(f[11]) + Number(f[12])) / TICK, rssMb: kb("VmRSS"), hwmMb: kb("VmHWM") };
}

/** The processes `actlab testbed up` started (its children), by command name. */
function children(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.set(name, Number(d));
    } catch { /* gone */ }
  }
  return out;
}

function line(name: string, value: string, goal: string): void {
  console.log(`  ${name.padEnd(50)} ${value.padStart(12)}   goal: ${goal}`);
}

async function pool<T>(items: readonly T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await f(items[next++]!); }));
}

async function main(): Promise<void> {
  console.log(`the test bed at scale: ${NODES} nodes × ${GPUS} GPUs, ${PODS} one-GPU pods created and deleted (time scale 1, readiness probe every 10 s)`);
  if (!testbedInstalled()) { console.log("  (the test bed is not installed: run `actlab testbed install`; skipped)"); return; }
  const t0 = performance.now();
  const up: ChildProcess = spawn(process.execPath, ["bin/actlab.js", "testbed", "up", "--nodes", String(NODES), "--gpus-per-node", String(GPUS), "--seed", "12", "--lifetime", "1800"], { stdio: ["ignore", "pipe", "pipe"] });
  const killUp = () => { if (up.exitCode === null) up.kill("SIGTERM"); };
  process.once("exit", killUp);
  let stderr = "";
  let statusErrors = 0;
  createInterface({ input: up.stderr! }).on("line", (l) => { stderr = `${stderr}${l}\n`.slice(-4000); if (/status: HTTP/.test(l)) { if (statusErrors++ < 3) console.log(`  (node agent: ${l.slice(0, 240)})`); } });
  const exited = new Promise<number>((r) => up.once("close", (c) => r(c ?? -1)));
  try {
    const kubeconfigPath = await new Promise<string>((resolve, reject) => {
      createInterface({ input: up.stdout! }).on("line", (l) => { const m = /^kubeconfig: (.+)$/.exec(l); if (m) resolve(m[1]!); });
      void exited.then((c) => reject(new Error(`actlab testbed up exited (${c}) before it was up:\n${stderr}`)));
    });
    const upS = (performance.now() - t0) / 1000;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const agentPid = up.pid!;
    // The load generator's calls over kept-alive connections too, so its handshakes do not load the API server.
    const api = await keepAliveClient(kc, CONCURRENCY);
    const kubeRequest = (_: KubeConfig, method: string, path: string, query: Record<string, string> = {}, body?: { contentType: string; text: string }) => api.request(method, path, query, body);
    for (let i = 0; (await kubeRequest(kc, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status !== 200; i++) {
      if (i > 600) throw new Error("no default service account after 120 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const procs = children(agentPid);
    line("testbed up (50 nodes registered, control plane healthy)", `${upS.toFixed(1)} s`, "≤ 60 s");

    // One watch (the SDK's own: resumes dropped streams) records when each pod is first Ready and when it is gone.
    const created = new Map<string, number>(), bound = new Map<string, number>(), seen = new Map<string, number>(), running = new Map<string, number>(), ready = new Map<string, number>(), gone = new Map<string, number>();
    const stream = watchPods({ kubeConfig: kc, namespace: "default", labelSelector: "bench=testbed" });
    const pump = (async () => {
      for await (const e of stream) {
        const pod = e.object as any, name = pod?.metadata?.name as string;
        if (e.type === "DELETED") { if (!gone.has(name)) gone.set(name, e.receivedMonoMs); continue; }
        if (!bound.has(name) && pod.spec?.nodeName) bound.set(name, e.receivedMonoMs);
        if (!seen.has(name) && pod.status?.hostIP) seen.set(name, e.receivedMonoMs); // the node agent's first status write
        if (!running.has(name) && pod.status?.phase === "Running") running.set(name, e.receivedMonoMs);
        if (!ready.has(name) && pod.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")) ready.set(name, e.receivedMonoMs);
      }
    })();
    const names = Array.from({ length: PODS }, (_, i) => `bench-${String(i).padStart(3, "0")}`);
    const u0 = usage(agentPid), c0 = new Map([...procs].map(([n, p]) => [n, usage(p).cpuS]));
    const tc0 = performance.now();
    await pool(names, CONCURRENCY, async (name) => {
      created.set(name, performance.now());
      const r = await kubeRequest(kc, "POST", "/api/v1/namespaces/default/pods", {}, { contentType: "application/json", text: JSON.stringify({
        apiVersion: "v1", kind: "Pod", metadata: { name, labels: { bench: "testbed" } },
        spec: { automountServiceAccountToken: false, terminationGracePeriodSeconds: 30, containers: [{ name: "web", image: "example/web:1", ports: [{ containerPort: 8000 }],
          resources: { limits: { "nvidia.com/gpu": "1" } }, readinessProbe: { httpGet: { path: "/health", port: 8000 }, periodSeconds: 10 } }] },
      }) });
      if (r.status !== 201) throw new Error(`create ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    });
    const createdS = (performance.now() - tc0) / 1000;
    let died = "";
    void exited.then((c) => { died = `actlab testbed up exited (${c}) during the run:\n${stderr}`; });
    while (ready.size < PODS) {
      if (died) throw new Error(died);
      if (performance.now() - tc0 > 600_000) throw new Error(`only ${ready.size}/${PODS} pods Ready after 600 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const readyS = (Math.max(...ready.values()) - tc0) / 1000;
    const u1 = usage(agentPid), c1 = new Map([...procs].map(([n, p]) => [n, usage(p).cpuS]));
    const lat = names.map((n) => (ready.get(n)! - created.get(n)!) / 1000);
    const step = (to: Map<string, number>, from: Map<string, number>) => quantile(names.map((n) => (to.get(n)! - from.get(n)!) / 1000), 0.5, "nearest-rank");

    // Steady state: 400 pods running, probes and leases only.
    await new Promise((r) => setTimeout(r, 10_000));
    const u2 = usage(agentPid);

    const td0 = performance.now();
    await pool(names, CONCURRENCY, async (name) => {
      const r = await kubeRequest(kc, "DELETE", `/api/v1/namespaces/default/pods/${name}`);
      if (r.status !== 200) throw new Error(`delete ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    });
    while (gone.size < PODS) {
      if (died) throw new Error(died);
      if (performance.now() - td0 > 600_000) throw new Error(`only ${gone.size}/${PODS} pods gone after 600 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const goneS = (Math.max(...gone.values()) - td0) / 1000;
    const u3 = usage(agentPid);
    stream.stop();
    await pump;
    api.close();

    line(`${PODS} pods POSTed (${CONCURRENCY} at a time)`, `${(PODS / createdS).toFixed(1)} pods/s`, "—");
    line("pods/s to Ready (first create → last Ready)", `${(PODS / readyS).toFixed(1)} pods/s`, "≥ 20 pods/s (the controller manager's default client QPS)");
    line("create → Ready p50", `${quantile(lat, 0.5, "nearest-rank").toFixed(2)} s`, "—");
    line("create → Ready p99 (incl. ~1.5 s simulated start)", `${quantile(lat, 0.99, "nearest-rank").toFixed(2)} s`, "≤ 5 s (Kubernetes' pod start-up SLO)");
    line("  p50 create → bound (the real scheduler)", `${step(bound, created).toFixed(2)} s`, "—");
    line("  p50 bound → the node agent's first status write", `${step(seen, bound).toFixed(2)} s`, "—");
    line("  p50 that → Running (simulated start, servers open)", `${step(running, seen).toFixed(2)} s`, "— (simulated start ~1.5 s)");
    line("  p50 Running → Ready (first readiness probe)", `${step(ready, running).toFixed(2)} s`, "—");
    line("node agent status writes refused (HTTP ≠ 200)", `${statusErrors}`, "0");
    line("pods/s deleted (first DELETE → last gone)", `${(PODS / goneS).toFixed(1)} pods/s`, "≥ 20 pods/s");
    line("node agent CPU while pods start (% of one core)", `${(100 * (u1.cpuS - u0.cpuS) / readyS).toFixed(0)} %`, "≤ 50 %");
    line("node agent CPU, 400 pods running (% of one core)", `${(100 * (u2.cpuS - u1.cpuS) / 10).toFixed(1)} %`, "≤ 5 %");
    line("node agent CPU while pods are deleted (% of one core)", `${(100 * (u3.cpuS - u2.cpuS) / goneS).toFixed(0)} %`, "≤ 50 %");
    line("node agent RSS with 400 pods running", `${u2.rssMb.toFixed(0)} MB`, "≤ 300 MB");
    line("node agent peak RSS", `${u3.hwmMb.toFixed(0)} MB`, "≤ 400 MB");
    for (const [name, cpu] of c1) line(`${name} CPU while pods start (% of one core)`, `${(100 * (cpu - c0.get(name)!) / readyS).toFixed(0)} %`, "— (context)");
  } finally {
    killUp();
    const code = await exited;
    process.off("exit", killUp);
    if (code !== 0) console.log(`  (actlab testbed up exited ${code})`);
  }
}

await main();
