// A stand-in for the dual-pods controller, for tests only (the real one cannot be built here: the Go
// module proxy refuses FMA's module). It makes the calls fma.md §1.5 describes, through the real API
// server and the FMA pods' HTTP endpoints, and nothing else: no DPC log, no metrics — so what the SDK
// classifies comes from Kubernetes objects and the simulated hardware's launcher/vLLM logs alone.
// Launcher mode, one ISC, one instance per launcher: a requester gets the launcher holding its
// instance (wake → hot), else a new launcher created already bound (cold_launcher).
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../sdk/kube/kubeconfig.js";
import { watchPods } from "../../sdk/kube/watch.js";
import { instanceIdFor } from "../../sdk/cluster/fma.js";
import type { KubeObject } from "../../sdk/kube/types.js";

const K = { isc: "dual-pods.llm-d.ai/inference-server-config", dual: "dual-pods.llm-d.ai/dual", instance: "dual-pods.llm-d.ai/instance", requester: "dual-pods.llm-d.ai/requester", sleeping: "dual-pods.llm-d.ai/sleeping", component: "app.kubernetes.io/component" };
const PORT = 8005;
const OPTIONS = `--model meta-llama/Llama-3.1-8B-Instruct --port ${PORT} --enable-sleep-mode`;
const merge = (o: unknown) => ({ contentType: "application/merge-patch+json", text: JSON.stringify(o) });
const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`stand-in DPC: timed out waiting for ${what}`);
    await pause(100);
  }
}

export function standInDpc(kc: KubeConfig, ns: string): { stop(): Promise<void>; actions: string[] } {
  const actions: string[] = [];
  const bound = new Map<string, { launcher: string; ip: string }>(); // requester uid → its launcher
  const handled = new Set<string>();
  const pod = (name: string) => kubeRequest(kc, "GET", `/api/v1/namespaces/${ns}/pods/${name}`).then((r) => (r.status === 200 ? JSON.parse(r.body) : undefined));
  const patch = async (name: string, body: unknown) => {
    const r = await kubeRequest(kc, "PATCH", `/api/v1/namespaces/${ns}/pods/${name}`, {}, merge(body));
    if (r.status !== 200) throw new Error(`stand-in DPC: patch ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  };

  const bind = async (req: any) => {
    const uid = req.metadata.uid, name = req.metadata.name, node = req.spec.nodeName;
    // Kubernetes' condition times have 1-s resolution, so a classifier pads the previous requester's
    // Ready by 1 s; at a fast time scale this wake could land inside that padding. A real DPC's
    // reaction (watch, queue, SPI poll) plus a real wake keep them apart; here a pause does.
    await pause(1200);
    const gpus = await until("the requester's SPI", async () => { const r = await fetch(`http://${req.status.podIP}:8081/v1/dual-pods/accelerators`); return r.ok ? (await r.json()) as string[] : undefined; });
    const id = instanceIdFor({ port: PORT, options: OPTIONS }, gpus);
    const list = JSON.parse((await kubeRequest(kc, "GET", `/api/v1/namespaces/${ns}/pods`, { labelSelector: `${K.component}=launcher` })).body).items as any[];
    let launcher: any;
    for (const l of list.filter((p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp && !p.metadata.labels?.[K.dual] && p.status.podIP)) {
      const insts = await fetch(`http://${l.status.podIP}:8001/v2/vllm/instances?detail=False`).then((r) => r.json()).catch(() => ({ instance_ids: [] })) as { instance_ids: string[] };
      if (insts.instance_ids.includes(id)) { launcher = l; break; }
    }
    if (launcher) {
      await patch(launcher.metadata.name, { metadata: { labels: { [K.dual]: name }, annotations: { [K.requester]: `${uid} ${name}` } } });
      const w = await fetch(`http://${launcher.status.podIP}:${PORT}/wake_up`, { method: "POST" });
      if (!w.ok) throw new Error(`stand-in DPC: wake_up: HTTP ${w.status}`);
      actions.push(`hot ${name} → ${launcher.metadata.name}`);
    } else {
      const lname = `launcher-${name}`.slice(0, 63);
      const r = await kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/pods`, {}, json({
        apiVersion: "v1", kind: "Pod",
        metadata: { name: lname, labels: { [K.component]: "launcher", [K.dual]: name, [K.sleeping]: "true" }, annotations: { [K.requester]: `${uid} ${name}`, "dual-pods.llm-d.ai/launcher-based": "true" } },
        spec: { nodeSelector: { "kubernetes.io/hostname": node }, containers: [{ name: "inference-server", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher:v0.6.4", ports: [{ containerPort: 8001 }],
          readinessProbe: { httpGet: { path: "/v2/vllm/instances", port: 8001 }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 2 } }] },
      }));
      if (r.status !== 201) throw new Error(`stand-in DPC: create launcher: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      launcher = await until("the launcher Ready", async () => { const p = await pod(lname); return p?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? p : undefined; });
      const c = await fetch(`http://${launcher.status.podIP}:8001/v2/vllm/instances/${id}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ options: OPTIONS, gpu_uuids: gpus }) });
      if (c.status !== 201) throw new Error(`stand-in DPC: create instance: HTTP ${c.status}`);
      // is_sleeping is refused while the model loads: retry, as the DPC does (every 5 s there; faster here).
      await until("the instance", async () => ((await fetch(`http://${launcher.status.podIP}:${PORT}/is_sleeping`).catch(() => undefined))?.ok ? true : undefined));
      actions.push(`cold_launcher ${name} → ${lname}`);
    }
    bound.set(uid, { launcher: launcher.metadata.name, ip: launcher.status.podIP });
    await patch(launcher.metadata.name, { metadata: { labels: { [K.sleeping]: "false" } } });
    await patch(name, { metadata: { labels: { [K.dual]: launcher.metadata.name, [K.instance]: id } } });
    const relay = await fetch(`http://${req.status.podIP}:8081/v1/become-ready`, { method: "POST" });
    if (!relay.ok) throw new Error(`stand-in DPC: relay: HTTP ${relay.status}`);
  };

  const unbind = async (uid: string) => {
    const b = bound.get(uid);
    if (!b) return;
    bound.delete(uid);
    await fetch(`http://${b.ip}:${PORT}/sleep?level=1`, { method: "POST" });
    await patch(b.launcher, { metadata: { labels: { [K.dual]: null, [K.sleeping]: "true" }, annotations: { [K.requester]: null } } });
    actions.push(`slept ${b.launcher}`);
  };

  const stream = watchPods({ kubeConfig: kc, namespace: ns });
  const loop = (async () => {
    for await (const e of stream) {
      const p = e.object as KubeObject & { spec?: any; status?: any };
      const uid = p.metadata?.uid ?? "";
      if (!p.metadata?.annotations?.[K.isc]) continue;
      try {
        if (e.type === "DELETED" || p.metadata?.deletionTimestamp) await unbind(uid);
        else if (!handled.has(uid) && p.status?.phase === "Running" && p.status?.podIP) { handled.add(uid); await bind(p); }
      } catch (err) { actions.push(`error: ${(err as Error).message}`); }
    }
  })();
  return { actions, async stop() { stream.stop(); await loop; } };
}
