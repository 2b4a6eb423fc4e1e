/**
 * `startTestbed()`: the real control plane on 127.0.0.1 — etcd, kube-apiserver (RBAC+Node,
 * service accounts, client-cert admin), kube-controller-manager and kube-scheduler, as built by
 * `actlab testbed install` — plus the node agent's simulated GPU nodes. Everything lives in a temp
 * folder; `stop()` (and process exit) ends every process started and removes the folder.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { getProfile, sampleStep } from "../actuation/profiles.js";
import { makeCerts } from "./certs.js";
import { freePort, startProcess, stopProcess, type Managed } from "./processes.js";
import { startNodeAgent, type NodeAgent } from "./node-agent.js";
import { binaryPath, testbedInstalled } from "./versions.js";

export interface TestbedOptions {
  nodes?: number;
  gpusPerNode?: number;
  gpuProduct?: string;
  gpuMemoryMiB?: number;
  /** Latency profile for container start delays (default 8b-h100). */
  profile?: string;
  seed?: number;
  /** Simulated ms per wall ms (default 1). */
  timeScale?: number;
  /** etcd `--auto-compaction-retention` in revisions (mode revision); default none (compact by API). */
  etcdAutoCompactionRevisions?: number;
  /** Extra kube-apiserver flags, appended last (e.g. `--watch-cache=false`, `--etcd-compaction-interval=0`). */
  apiserverArgs?: readonly string[];
  log?: (line: string) => void;
}

export interface Testbed {
  dir: string;
  kubeconfigPath: string;
  kubectlPath: string;
  server: string;
  etcdUrl: string;
  kubeconfig: KubeConfig;
  agent: NodeAgent;
  /** Every process started, by name. */
  processes: Managed[];
  /** Ports listened on by the control plane and the agent. */
  ports: number[];
  /** Resolves when one of the control-plane processes exits on its own. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

function get(url: string, ca: Buffer | undefined, cert?: Buffer, key?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { ca, cert, key, rejectUnauthorized: ca !== undefined, timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, m: Managed[], timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const dead = m.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}; its log: ${dead.logPath}\n${readFileSync(dead.logPath, "utf8").slice(-2000)}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  if (!testbedInstalled()) throw new Error("the test bed is not installed; run: actlab testbed install");
  const log = options.log ?? (() => {});
  const nodes = options.nodes ?? 2;
  const dir = mkdtempSync(join(tmpdir(), "actlab-testbed-"));
  const procs: Managed[] = [];
  let agent: NodeAgent | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await agent?.stop().catch(() => {});
    for (const p of [...procs].reverse()) await stopProcess(p);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certs = makeCerts(dir, Array.from({ length: nodes }, (_, i) => `127.${i + 1}.0.1`));
    const [etcdPort, peerPort, apiPort, kcmPort, schedPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    procs.push(startProcess("etcd", binaryPath("etcd"), [
      "--name=testbed", `--data-dir=${join(dir, "etcd")}`, `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=testbed=http://127.0.0.1:${peerPort}`, "--unsafe-no-fsync", "--log-level=warn",
      ...(options.etcdAutoCompactionRevisions ? ["--auto-compaction-mode=revision", `--auto-compaction-retention=${options.etcdAutoCompactionRevisions}`] : []),
    ], join(dir, "etcd.log")));
    await waitFor("etcd /health", async () => {
      try { return (await fetch(`${etcdUrl}/health`)).ok; } catch { return false; }
    }, procs);
    log(`etcd ready at ${etcdUrl}`);

    const server = `https://127.0.0.1:${apiPort}`;
    procs.push(startProcess("kube-apiserver", binaryPath("kube-apiserver"), [
      `--etcd-servers=${etcdUrl}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${apiPort}`,
      `--tls-cert-file=${certs.serverCert}`, `--tls-private-key-file=${certs.serverKey}`, `--client-ca-file=${certs.caCert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local", `--service-account-key-file=${certs.saPub}`,
      `--service-account-signing-key-file=${certs.saKey}`, "--service-cluster-ip-range=10.0.0.0/24", "--authorization-mode=Node,RBAC",
      `--kubelet-client-certificate=${certs.adminCert}`, `--kubelet-client-key=${certs.adminKey}`, "--kubelet-preferred-address-types=InternalIP",
      "--endpoint-reconciler-type=none", "--allow-privileged=true", "--profiling=false", "--v=1", ...(options.apiserverArgs ?? []),
    ], join(dir, "kube-apiserver.log")));
    const ca = readFileSync(certs.caCert), adminCert = readFileSync(certs.adminCert), adminKey = readFileSync(certs.adminKey);
    await waitFor("kube-apiserver /readyz", async () => (await get(`${server}/readyz`, ca, adminCert, adminKey)).status === 200, procs);
    log(`kube-apiserver ready at ${server}`);

    const kubeconfigText = [
      "apiVersion: v1", "kind: Config", "clusters:", "- name: testbed", "  cluster:", `    server: ${server}`,
      `    certificate-authority-data: ${ca.toString("base64")}`, "users:", "- name: admin", "  user:",
      `    client-certificate-data: ${adminCert.toString("base64")}`, `    client-key-data: ${adminKey.toString("base64")}`,
      "contexts:", "- name: testbed", "  context:", "    cluster: testbed", "    user: admin", "    namespace: default", "current-context: testbed", "",
    ].join("\n");
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfigText, { mode: 0o600 });
    chmodSync(kubeconfigPath, 0o600);

    procs.push(startProcess("kube-controller-manager", binaryPath("kube-controller-manager"), [
      `--kubeconfig=${kubeconfigPath}`, `--authentication-kubeconfig=${kubeconfigPath}`, `--authorization-kubeconfig=${kubeconfigPath}`,
      "--leader-elect=false", "--bind-address=127.0.0.1", `--secure-port=${kcmPort}`, `--root-ca-file=${certs.caCert}`,
      `--service-account-private-key-file=${certs.saKey}`, `--cluster-signing-cert-file=${certs.caCert}`, `--cluster-signing-key-file=${certs.caKey}`,
      "--controllers=*", "--use-service-account-credentials=false", "--service-cluster-ip-range=10.0.0.0/24", "--profiling=false", "--v=1",
    ], join(dir, "kube-controller-manager.log")));
    procs.push(startProcess("kube-scheduler", binaryPath("kube-scheduler"), [
      `--kubeconfig=${kubeconfigPath}`, `--authentication-kubeconfig=${kubeconfigPath}`, `--authorization-kubeconfig=${kubeconfigPath}`,
      "--leader-elect=false", "--bind-address=127.0.0.1", `--secure-port=${schedPort}`, "--profiling=false", "--v=1",
    ], join(dir, "kube-scheduler.log")));
    await waitFor("kube-controller-manager and kube-scheduler /healthz", async () =>
      (await get(`https://127.0.0.1:${kcmPort}/healthz`, undefined)).status === 200 && (await get(`https://127.0.0.1:${schedPort}/healthz`, undefined)).status === 200, procs);
    log("kube-controller-manager and kube-scheduler healthy");

    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigText);
    const profile = getProfile(options.profile ?? "8b-h100");
    agent = await startNodeAgent({
      kubeconfig: kc, nodes, gpusPerNode: options.gpusPerNode ?? 8, gpuProduct: options.gpuProduct ?? "NVIDIA-H100-80GB-HBM3",
      gpuMemoryMiB: options.gpuMemoryMiB ?? 81559, seed: options.seed ?? 1, timeScale: options.timeScale ?? 1,
      startDelayMs: (r) => sampleStep(profile, "containerStart", r), tlsCert: certs.kubeletCert, tlsKey: certs.kubeletKey, log, fma: { profile },
    });
    const exited = Promise.race(procs.map((p) => p.exited.then((c) => `${p.name} exited (${c})`))).then((why) => { if (!stopping) log(why); return why; });
    return {
      dir, kubeconfigPath, kubectlPath: binaryPath("kubectl"), server, etcdUrl, kubeconfig: kc, agent, processes: procs,
      ports: [etcdPort, peerPort, apiPort, kcmPort, schedPort, agent.kubeletPort], exited, stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
