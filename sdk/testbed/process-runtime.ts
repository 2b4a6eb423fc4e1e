/**
 * The test bed's process runtime: a pod whose image is the project's own (its name starts with a
 * configurable prefix, default `actuation-lab`) runs its container command as a host process — the
 * checkout's `node bin/actlab.js …`, the code the image would contain — in a per-pod work folder.
 * Like a kubelet it resolves the pod's env (values, downward-API fieldRefs such as the Job
 * controller's JOB_COMPLETION_INDEX annotation, ConfigMap keys) and `$(VAR)` references in
 * command/args, writes ConfigMap volumes as folders, emptyDirs as empty folders, the service-account
 * volume as a token plus a kubeconfig, keeps stdout/stderr as the container log, and reports the
 * exit as the container's terminated state (exitCode, reason) with the pod phase, so the real Job
 * controller and its pod failure policy act on it.
 *
 * Paths: a host process cannot see `/etc/...` mounts, so arguments and env values naming a mount
 * path (or the image's `/app`) are rewritten to the host folder. The API server is not reachable at
 * the in-cluster service address from the host, so instead of KUBERNETES_SERVICE_HOST the process
 * gets `KUBECONFIG` naming a kubeconfig with the pod's bound service-account token — the client
 * library's default loader reads it the way it reads in-cluster config on a real node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../kube/kubeconfig.js";

export interface ProcessRuntimeOptions {
  /** Images whose name starts with this run as host processes (default `actuation-lab`). */
  imagePrefix?: string;
  /** The checkout whose `bin/actlab.js` plays the image's entrypoint (default: the working folder, the repository root). */
  root?: string;
  /** Where per-pod work folders go (default the OS temp folder). */
  workRoot?: string;
  log?: (line: string) => void;
}

/** What the node agent hands the runtime for one pod. */
export interface PodContext {
  podIP: string;
  hostIP: string;
  /** The container log lines the kubelet API serves, by container name. */
  logs: Map<string, string[]>;
  /** Merge-patches the pod's status. */
  patchStatus(status: unknown): Promise<void>;
}

export interface RunningPod {
  /** SIGKILL to every container process group still running, then the work folder goes. */
  kill(): Promise<void>;
}

export interface ProcessRuntime {
  handles(pod: any): boolean;
  start(pod: any, ctx: PodContext): RunningPod;
}

/** The image's layout (see Containerfile): the app lives in /app, `actlab` is the entrypoint. */
export const IMAGE_APP_DIR = "/app";
export const IMAGE_ENTRYPOINT = ["actlab"];

export interface PodProcess { namespace: string; pod: string; container: string; pid: number; labels: Record<string, string> }
const live = new Map<ChildProcess, PodProcess>();
let hooked = false;

/** Container processes running now, on every runtime of this process (fault-injection tests kill one). */
export function podProcesses(): PodProcess[] {
  return [...live.values()].map((p) => ({ ...p, labels: { ...p.labels } }));
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/** `$(VAR)` → its value when VAR is defined, `$$(VAR)` → `$(VAR)` literally; as the kubelet expands. */
export function expandVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name?: string) => (m === "$$" ? "$" : name !== undefined && name in env ? env[name]! : m));
}

/** A downward-API field of the pod (`metadata.annotations['k']`, `metadata.name`, …). */
function fieldOf(pod: any, path: string, podIP: string, hostIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return String(pod.metadata?.[m[1]!]?.[m[2]!] ?? "");
  switch (path) {
    case "metadata.name": return pod.metadata?.name ?? "";
    case "metadata.namespace": return pod.metadata?.namespace ?? "";
    case "metadata.uid": return pod.metadata?.uid ?? "";
    case "spec.nodeName": return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? "default";
    case "status.podIP": return podIP;
    case "status.hostIP": return hostIP;
    default: return "";
  }
}

export function createProcessRuntime(kc: KubeConfig, options: ProcessRuntimeOptions = {}): ProcessRuntime {
  const prefix = options.imagePrefix ?? "actuation-lab";
  const root = resolve(options.root ?? process.cwd());
  const log = options.log ?? (() => {});
  if (!hooked) {
    hooked = true;
    process.on("exit", () => { for (const c of live.keys()) killGroup(c); });
  }
  const cluster = kc.getCurrentCluster();

  const configMaps = new Map<string, Promise<Record<string, string> | undefined>>();
  const configMap = (ns: string, name: string) => {
    const k = `${ns}/${name}`;
    if (!configMaps.has(k)) {
      configMaps.set(k, kubeRequest(kc, "GET", `/api/v1/namespaces/${ns}/configmaps/${name}`).then((r) => (r.status === 200 ? (JSON.parse(r.body).data ?? {}) : undefined)));
    }
    return configMaps.get(k)!;
  };

  /** A bound token for the pod's service account, and a kubeconfig using it (the stand-in for in-cluster config). */
  const serviceAccount = async (pod: any, dir: string): Promise<string | undefined> => {
    const ns = pod.metadata.namespace, sa = pod.spec.serviceAccountName ?? "default";
    const r = await kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {}, {
      contentType: "application/json",
      text: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 86400, boundObjectRef: { kind: "Pod", apiVersion: "v1", name: pod.metadata.name, uid: pod.metadata.uid } } }),
    });
    if (r.status !== 201 && r.status !== 200) { log(`process runtime: token for ${ns}/${sa}: HTTP ${r.status} ${r.body.slice(0, 200)}`); return undefined; }
    const token = JSON.parse(r.body).status.token as string;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "token"), token, { mode: 0o600 });
    writeFileSync(join(dir, "namespace"), ns);
    const caData = cluster?.caData ?? "";
    if (caData) writeFileSync(join(dir, "ca.crt"), Buffer.from(caData, "base64"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, [
      "apiVersion: v1", "kind: Config", "clusters:", "- name: in-cluster", "  cluster:", `    server: ${cluster?.server ?? ""}`,
      ...(caData ? [`    certificate-authority-data: ${caData}`] : []), "users:", "- name: pod", "  user:", `    token: ${token}`,
      "contexts:", "- name: in-cluster", "  context:", "    cluster: in-cluster", "    user: pod", `    namespace: ${ns}`, "current-context: in-cluster", "",
    ].join("\n"), { mode: 0o600 });
    chmodSync(kubeconfig, 0o600);
    return kubeconfig;
  };

  return {
    handles: (pod) => (pod?.spec?.containers ?? []).length > 0 && (pod.spec.containers as any[]).every((c) => typeof c.image === "string" && c.image.startsWith(prefix)),

    start(pod, ctx) {
      const ns: string = pod.metadata.namespace, name: string = pod.metadata.name;
      const work = mkdtempSync(join(options.workRoot ?? tmpdir(), `actlab-pod-${name.slice(0, 40)}-`));
      const children: ChildProcess[] = [];
      let killed = false;
      const startedAt = new Date().toISOString();
      const containers: any[] = pod.spec.containers;
      const states = new Map<string, any>(containers.map((c) => [c.name, { waiting: { reason: "ContainerCreating" } }]));
      const status = () => {
        const terms = containers.map((c) => states.get(c.name)?.terminated).filter(Boolean);
        const done = terms.length === containers.length;
        const phase = done ? (terms.every((t: any) => t.exitCode === 0) ? "Succeeded" : "Failed") : "Running";
        const running = phase === "Running" && containers.every((c) => states.get(c.name)?.running);
        const now = new Date().toISOString();
        const cond = (type: string, ok: boolean, reason?: string) => ({ type, status: ok ? "True" : "False", lastTransitionTime: now, ...(reason && !ok ? { reason } : {}) });
        return {
          phase, hostIP: ctx.hostIP, hostIPs: [{ ip: ctx.hostIP }], podIP: ctx.podIP, podIPs: [{ ip: ctx.podIP }], startTime: startedAt,
          conditions: [
            cond("PodReadyToStartContainers", !done), cond("Initialized", true), cond("ContainersReady", running, done ? "PodCompleted" : undefined),
            cond("Ready", running, done ? "PodCompleted" : undefined), cond("PodScheduled", true),
          ],
          containerStatuses: containers.map((c, i) => {
            const st = states.get(c.name);
            return {
              name: c.name, image: c.image, imageID: `actuation-lab-process://${c.image}`, containerID: `actuation-lab-process://${pod.metadata.uid}-${i}`,
              ready: running, started: Boolean(st?.running), restartCount: 0, state: st,
            };
          }),
        };
      };
      let patching = Promise.resolve();
      const report = () => { patching = patching.then(() => ctx.patchStatus(status())).catch((e) => log(`process runtime: ${ns}/${name}: ${(e as Error).message}`)); };

      const boot = async () => {
        // Volumes: ConfigMaps and emptyDirs as folders; the service-account projection as a token + kubeconfig.
        const volumeDirs = new Map<string, string>();
        let kubeconfigPath: string | undefined;
        for (const v of pod.spec.volumes ?? []) {
          const dir = join(work, "volumes", v.name);
          mkdirSync(dir, { recursive: true });
          volumeDirs.set(v.name, dir);
          if (v.configMap) {
            const data = await configMap(ns, v.configMap.name);
            if (!data && !v.configMap.optional) throw new Error(`configmap "${v.configMap.name}" not found`);
            const items: { key: string; path: string }[] = v.configMap.items ?? Object.keys(data ?? {}).map((k) => ({ key: k, path: k }));
            for (const it of items) if (data?.[it.key] !== undefined) { mkdirSync(join(dir, it.path, ".."), { recursive: true }); writeFileSync(join(dir, it.path), data[it.key]!); }
          } else if (v.projected?.sources?.some((s: any) => s.serviceAccountToken)) {
            if (pod.spec.automountServiceAccountToken !== false) kubeconfigPath = await serviceAccount(pod, dir);
          }
        }
        const bin = join(work, "bin");
        mkdirSync(bin, { recursive: true });
        // `actlab` on PATH, as the image has it (for `sh -c "actlab …"` commands).
        writeFileSync(join(bin, "actlab"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, "bin", "actlab.js"))} "$@"\n`, { mode: 0o755 });
        for (const [i, c] of containers.entries()) startContainer(c, i, volumeDirs, kubeconfigPath, bin);
      };

      const startContainer = (c: any, i: number, volumeDirs: Map<string, string>, kubeconfigPath: string | undefined, bin: string) => {
        // Mount paths (longest first) and the image's app folder map to host folders.
        const maps: [string, string][] = [[IMAGE_APP_DIR, root]];
        for (const m of c.volumeMounts ?? []) {
          const dir = volumeDirs.get(m.name);
          if (dir) maps.push([m.mountPath.replace(/\/+$/, ""), m.subPath ? join(dir, m.subPath) : dir]);
        }
        maps.sort((a, b) => b[0].length - a[0].length);
        const hostPath = (s: string) => {
          for (const [from, to] of maps) {
            const re = new RegExp(`(^|=)${from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=/|$)`);
            if (re.test(s)) return s.replace(re, (_, pre: string) => `${pre}${to}`);
          }
          return s;
        };
        const env: Record<string, string> = {};
        for (const e of c.env ?? []) {
          let v = "";
          if (e.value !== undefined) v = expandVars(String(e.value), env);
          else if (e.valueFrom?.fieldRef) v = fieldOf(pod, e.valueFrom.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
          env[e.name] = v;
        }
        const lines = ctx.logs.get(c.name) ?? [];
        ctx.logs.set(c.name, lines);
        const argv = [...(c.command ?? IMAGE_ENTRYPOINT), ...(c.args ?? [])].map((a) => hostPath(expandVars(String(a), env)));
        const cmd = argv[0] === "actlab" ? [process.execPath, join(root, "bin", "actlab.js"), ...argv.slice(1)] : argv[0] === "node" ? [process.execPath, ...argv.slice(1)] : argv;
        const procEnv: Record<string, string> = {
          PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: work, TMPDIR: join(work, "tmp"), LANG: "C.UTF-8",
          // The image's ENV (Containerfile): the bundled traces.
          ACTLAB_SHARED_DATASETS: join(root, "datasets", "traces", "public"),
          HOSTNAME: name, ...(kubeconfigPath ? { KUBECONFIG: kubeconfigPath } : {}),
        };
        for (const [k, v] of Object.entries(env)) procEnv[k] = hostPath(v);
        mkdirSync(procEnv.TMPDIR!, { recursive: true });
        const child = spawn(cmd[0]!, cmd.slice(1), { cwd: work, env: procEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        children.push(child);
        live.set(child, { namespace: ns, pod: name, container: c.name, pid: child.pid ?? -1, labels: { ...(pod.metadata.labels ?? {}) } });
        const tail: string[] = [];
        const reader = (stream: NodeJS.ReadableStream) => {
          let partial = "";
          stream.setEncoding("utf8");
          stream.on("data", (chunk: string) => {
            const parts = (partial + chunk).split("\n");
            partial = parts.pop()!;
            lines.push(...parts);
            tail.push(...parts);
            if (tail.length > 80) tail.splice(0, tail.length - 80);
          });
          return new Promise<void>((r) => stream.on("end", () => { if (partial) { lines.push(partial); tail.push(partial); } r(); }));
        };
        const drained = Promise.all([reader(child.stdout!), reader(child.stderr!)]);
        states.set(c.name, { running: { startedAt: new Date().toISOString() } });
        report();
        child.once("error", (e) => { lines.push(`process runtime: ${e.message}`); });
        child.once("close", async (code, sig) => {
          live.delete(child);
          await drained;
          if (killed) return;
          const exitCode = code ?? 128 + (SIGNALS[sig ?? ""] ?? 9);
          const fallback = c.terminationMessagePolicy === "FallbackToLogsOnError" && exitCode !== 0 ? { message: tail.join("\n").slice(-4096) } : {};
          states.set(c.name, {
            terminated: { exitCode, ...(sig ? { signal: SIGNALS[sig] ?? 9 } : {}), reason: exitCode === 0 ? "Completed" : "Error", startedAt: states.get(c.name)?.running?.startedAt ?? startedAt, finishedAt: new Date().toISOString(), containerID: `actuation-lab-process://${pod.metadata.uid}-${i}`, ...fallback },
          });
          report();
        });
      };

      report();
      boot().catch((e) => {
        // A pod that cannot start (a missing ConfigMap, …): the kubelet keeps it waiting with the reason.
        for (const c of containers) { states.set(c.name, { waiting: { reason: "CreateContainerConfigError", message: (e as Error).message } }); ctx.logs.get(c.name)?.push(`process runtime: ${(e as Error).message}`); }
        report();
      });
      return {
        async kill() {
          killed = true;
          await Promise.all(children.map((ch) => new Promise<void>((r) => {
            if (ch.exitCode !== null || ch.signalCode !== null) return r();
            ch.once("close", () => r());
            killGroup(ch);
          })));
          for (const ch of children) live.delete(ch);
          rmSync(work, { recursive: true, force: true });
        },
      };
    },
  };
}
