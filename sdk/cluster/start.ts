/**
 * `startCluster()`: the seeded cluster model served on loopback, with a kubeconfig for
 * `@kubernetes/client-node` (in memory) and for kubectl (a regular file).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { loadClientNode } from "../kube/client-node.js";
import { stringify as toYaml } from "yaml";
import { ClusterModel } from "./model.js";
import { ApiServer, type ApiServerOptions, type FaultConfig } from "./server.js";
import { writeFileAtomic } from "../core/atomic-write.js";
import type { ClusterConfig } from "./types.js";
import type { LatencyProfile } from "../actuation/profiles.js";

export interface StartClusterOptions extends Omit<ClusterConfig, "profile"> {
  profile?: string | LatencyProfile;
  /** Virtual ms per wall ms (default 1). 1000 makes a 100 s cold start take 0.1 s. */
  timeScale?: number;
  faults?: FaultConfig;
  /** Bearer token clients must send (default: a fresh random one, written into the kubeconfig). */
  token?: string;
  /** Serve without a token (anyone on the machine may change the cluster). */
  insecure?: boolean;
  /** Unsent watch bytes at which a slow watcher is dropped (default 8 MiB). */
  watchBufferBytes?: number;
  /** Wall ms a client has to send a whole request (default 60 000). */
  requestTimeoutMs?: number;
  /** Open connections at most (default 512). */
  maxConnections?: number;
  /** Where warnings go (default: standard error). */
  warn?: ApiServerOptions["warn"];
  /** Bind address (default 127.0.0.1; anything else only when asked explicitly). */
  host?: string;
  port?: number;
  /** Where to write the kubeconfig (default: a fresh temporary folder, removed by stop()). */
  kubeconfigPath?: string;
  /** Namespace written into the kubeconfig context (default: the cluster namespace). */
  contextNamespace?: string;
  /** Virtual time moves only through `advance(ms)` (reproducible scripted runs); timeScale is then unused. */
  manualClock?: boolean;
}

export interface RunningCluster {
  kubeConfig: KubeConfig;
  /** A regular file (mode 0600: it holds the token), for `kubectl --kubeconfig`. */
  kubeconfigPath: string;
  /** The bearer token the server requires (undefined when `insecure`). */
  token: string | undefined;
  url: string;
  model: ClusterModel;
  server: ApiServer;
  /** Drops every connection and watch and listens again on the same port; the model carries on. */
  restart(): Promise<void>;
  setFaults(f: FaultConfig): void;
  /** The paced virtual time now (ms); `model.now` follows it within one clock tick (5 ms wall). */
  virtualNow(): number;
  /** With `manualClock`: advance virtual time by `ms`. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

/**
 * The kubeconfig YAML for a served cluster.
 *
 * @example
 * ```ts
 * writeFileAtomic("kubeconfig.yaml", kubeconfigYaml("http://127.0.0.1:6443", { namespace: "default" }));
 * ```
 */
export function kubeconfigYaml(url: string, opts: { token?: string; namespace?: string; name?: string } = {}): string {
  const name = opts.name ?? "actlab";
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name, user: opts.token !== undefined ? { token: opts.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: opts.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}

/**
 * Starts the embedded FMA cluster simulation as a Kubernetes API on 127.0.0.1, with a kubeconfig for real clients.
 *
 * @example
 * ```ts
 * const cluster = await startCluster({ seed: 1, timeScale: 100 });
 * try { console.log(cluster.kubeconfigPath); } finally { await cluster.stop(); }
 * ```
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const { timeScale, faults, token, insecure, watchBufferBytes, requestTimeoutMs, maxConnections, warn, host, port, kubeconfigPath, contextNamespace, manualClock, ...config } = options;
  const model = new ClusterModel(config);
  const server = new ApiServer(model, { timeScale, faults, token, insecure, watchBufferBytes, requestTimeoutMs, maxConnections, warn, host, port, manualClock });
  const url = await server.start();
  const yamlText = kubeconfigYaml(url, { token: server.token, namespace: contextNamespace ?? model.namespace });
  let dir: string | undefined;
  let path = kubeconfigPath;
  if (!path) {
    dir = mkdtempSync(join(tmpdir(), "actlab-cluster-"));
    path = join(dir, "kubeconfig");
  }
  // A temp file renamed over the target: 0600 even when a 0644 file was there, never half-written.
  try {
    writeFileAtomic(path, yamlText, { mode: 0o600 });
  } catch (err) {
    await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const kubeConfig = new (await loadClientNode()).KubeConfig();
  kubeConfig.loadFromString(yamlText);
  let stopped = false;
  return {
    kubeConfig, kubeconfigPath: path, url, model, server, token: server.token,
    restart: () => server.restart(),
    setFaults: (f) => server.setFaults(f),
    advance: (ms) => server.advanceVirtual(ms),
    virtualNow: () => server.virtualNow(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
