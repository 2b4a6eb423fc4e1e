// Pods churned on the real API server, a reference watch that sees every event the server emits,
// and the accounting of a watchPods stream against it (by uid + resourceVersion).
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../sdk/kube/kubeconfig.js";
import type { KubeObject, WatchEvent } from "../../sdk/kube/types.js";
import { watchPods, type BackoffOptions, type WatchPodsOptions, type WatchState, type WatchStatus } from "../../sdk/kube/watch.js";

const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });
const merge = (o: unknown) => ({ contentType: "application/merge-patch+json", text: JSON.stringify(o) });

/** The test bed's kubeconfig with its server replaced by `server` (e.g. a proxy in front of it). */
export function kubeConfigVia(kubeconfigPath: string, from: string, server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(kubeconfigPath, "utf8").replace(`server: ${from}`, `server: ${server}`));
  return kc;
}

export async function untilTrue(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  const t0 = Date.now();
  while (!(await Promise.resolve(f()).catch(() => false))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Pods nobody else touches: `schedulerName: none` keeps the scheduler (and so the node agent) away,
 * and an unscheduled pod is deleted at once (no kubelet to wait for).
 */
export class PodWriter {
  writes = 0;
  constructor(readonly kc: KubeConfig, readonly label: string, readonly ns = "default") {}

  private async call(method: string, path: string, body?: { contentType: string; text: string }, query: Record<string, string> = {}): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const r = await kubeRequest(this.kc, method, path, query, body);
      if (r.status >= 200 && r.status < 300) { this.writes++; return JSON.parse(r.body) as KubeObject; }
      // The machine is loaded: a 429/5xx is retried; anything else is the test's bug.
      if ((r.status === 429 || r.status >= 500) && attempt < 20) { await new Promise((res) => setTimeout(res, 200)); continue; }
      throw new Error(`${method} ${path}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
  }

  create(name: string, step: number) {
    return this.call("POST", `/api/v1/namespaces/${this.ns}/pods`, json({
      apiVersion: "v1", kind: "Pod", metadata: { name, labels: { test: this.label }, annotations: { step: String(step) } },
      spec: { schedulerName: "none", automountServiceAccountToken: false, containers: [{ name: "c", image: "example/c:1" }] },
    }));
  }
  patch(name: string, step: number) {
    return this.call("PATCH", `/api/v1/namespaces/${this.ns}/pods/${name}`, merge({ metadata: { annotations: { step: String(step) } } }));
  }
  delete(name: string) {
    return this.call("DELETE", `/api/v1/namespaces/${this.ns}/pods/${name}`, undefined, { gracePeriodSeconds: "0" });
  }
  async list(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const r = await kubeRequest(this.kc, "GET", `/api/v1/namespaces/${this.ns}/pods`, { labelSelector: `test=${this.label}` });
    if (r.status !== 200) throw new Error(`list: HTTP ${r.status}`);
    const l = JSON.parse(r.body) as { items: KubeObject[]; metadata: { resourceVersion: string } };
    return { items: l.items, resourceVersion: l.metadata.resourceVersion };
  }

  /**
   * Rounds [from, to) over `lanes` pods, lanes in parallel: lane j's round k is step (k + j) % 5 of a
   * life — 0 create, 1–3 update, 4 delete — so at any moment some pods are new, some changed, some gone.
   */
  async churn(lanes: number, from: number, to: number): Promise<void> {
    await Promise.all(Array.from({ length: lanes }, async (_, j) => {
      const name = `${this.label}-${j}`;
      for (let k = from; k < to; k++) {
        const phase = (k + j) % 5;
        const exists = k > 0 && laneExists(j, k - 1);
        if (phase === 0) { if (!exists) await this.create(name, k); }
        else if (!exists) continue;
        else if (phase === 4) await this.delete(name);
        else await this.patch(name, k);
      }
    }));
  }
}

/** Whether lane j's pod exists after round k (the same rule as churn). */
function laneExists(j: number, k: number): boolean {
  let exists = false;
  for (let i = 0; i <= k; i++) {
    const phase = (i + j) % 5;
    if (phase === 0) exists = true;
    else if (phase === 4) exists = false;
  }
  return exists;
}

export interface RefEvent { type: string; uid: string; rv: string; name: string }

/**
 * The reference: one plain HTTPS watch straight to the API server (no proxy, no client library,
 * never resumed) from `fromRv`; if it ever ends, `ended` says so and the test cannot trust it.
 */
export function referenceWatch(kc: KubeConfig, label: string, fromRv: string, ns = "default") {
  const events: RefEvent[] = [];
  const state = { ended: false, error: "" };
  let req: ReturnType<typeof request> | undefined;
  const ready = (async () => {
    const url = new URL(`${kc.getCurrentCluster()!.server}/api/v1/namespaces/${ns}/pods`);
    url.search = new URLSearchParams({ watch: "true", labelSelector: `test=${label}`, resourceVersion: fromRv, timeoutSeconds: "3600" }).toString();
    const opts: import("node:https").RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(opts);
    await new Promise<void>((resolve, reject) => {
      req = request(url, opts, (res) => {
        if (res.statusCode !== 200) reject(new Error(`reference watch: HTTP ${res.statusCode}`));
        resolve();
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          buf += c;
          let i;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i); buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const e = JSON.parse(line) as { type: string; object: KubeObject & { code?: number; message?: string } };
            if (e.type === "ERROR") { state.error = e.object.message ?? "ERROR"; continue; }
            if (e.type === "BOOKMARK") continue;
            events.push({ type: e.type, uid: e.object.metadata!.uid!, rv: e.object.metadata!.resourceVersion!, name: e.object.metadata!.name! });
          }
        });
        res.on("end", () => { state.ended = true; });
        res.on("error", () => { state.ended = true; });
      });
      req.on("error", (e) => { state.ended = true; reject(e); });
      req.end();
    });
  })();
  return { events, state, ready, stop: () => req?.destroy() };
}

export const eventKey = (type: string, uid: string, rv: string) => (type === "DELETED" ? `DELETED ${uid}` : `${uid}@${rv}`);

/** Counts of a watchPods stream against the reference: what was lost, doubled or never emitted by the server. */
export function account(got: readonly WatchEvent[], ref: readonly RefEvent[]) {
  const refKeys = new Set(ref.map((e) => eventKey(e.type, e.uid, e.rv)));
  const seen = new Map<string, number>();
  for (const e of got) {
    if (e.type === "BOOKMARK") continue;
    const k = eventKey(e.type, e.object.metadata!.uid!, e.object.metadata!.resourceVersion!);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const lost = ref.filter((e) => !seen.has(eventKey(e.type, e.uid, e.rv)));
  const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  const phantom = [...seen.keys()].filter((k) => !refKeys.has(k));
  return { reference: ref.length, emitted: got.filter((e) => e.type !== "BOOKMARK").length, lost, doubled, phantom };
}

/** The state a consumer builds from the stream, name → object; throws on an impossible sequence. */
export function applyEvent(state: Map<string, KubeObject>, e: WatchEvent): void {
  if (e.type === "BOOKMARK") return;
  const name = e.object.metadata!.name!;
  if (e.type === "ADDED" && state.has(name)) throw new Error(`ADDED twice without a DELETED between: ${name}`);
  if (e.type === "MODIFIED" && state.get(name)?.metadata?.uid !== e.object.metadata?.uid) throw new Error(`MODIFIED of an object not held: ${name}`);
  if (e.type === "DELETED") {
    if (state.get(name)?.metadata?.uid !== e.object.metadata?.uid) throw new Error(`DELETED of an object not held: ${name}`);
    state.delete(name);
  } else state.set(name, e.object);
}

/** The stream's state equals the server's list (same uids and resourceVersions). */
export function sameState(state: Map<string, KubeObject>, items: readonly KubeObject[]): boolean {
  return state.size === items.length && items.every((o) => {
    const s = state.get(o.metadata!.name!);
    return s?.metadata?.uid === o.metadata?.uid && s?.metadata?.resourceVersion === o.metadata?.resourceVersion;
  });
}

/**
 * A watchPods stream checked against a reference when relists may happen: a relist (after a 410 or
 * a regression) coalesces what happened between the resume point that failed and the relist's
 * resourceVersion, as client-go's reflector does; every other reference event must have been
 * delivered. Also: nothing doubled or invented, every deletion of a pod the stream held delivered.
 */
export function accountWithRelists(got: readonly WatchEvent[], ref: readonly RefEvent[], statuses: readonly { kind: string; resourceVersion: string | null }[]) {
  const a = account(got, ref);
  const windows: Array<[number, number]> = [];
  statuses.forEach((s, i) => {
    if (s.kind !== "gone" && s.kind !== "regressed") return;
    const relist = statuses.slice(i).find((x) => x.kind === "relisted");
    if (relist) windows.push([Number(s.resourceVersion ?? 0), Number(relist.resourceVersion)]);
  });
  const unexplained = a.lost.filter((e) => !windows.some(([lo, hi]) => Number(e.rv) > lo && Number(e.rv) <= hi));
  const heldUids = new Set(got.filter((e) => e.type === "ADDED").map((e) => e.object.metadata!.uid!));
  const deletedUids = new Set(got.filter((e) => e.type === "DELETED").map((e) => e.object.metadata!.uid!));
  const missedDeletions = ref.filter((e) => e.type === "DELETED" && heldUids.has(e.uid) && !deletedUids.has(e.uid));
  return { ...a, windows, unexplained, missedDeletions };
}

/** Waits until pods can be created in the default namespace (its service account exists). */
export async function podsAccepted(kc: KubeConfig): Promise<void> {
  const w = new PodWriter(kc, "sa");
  await untilTrue("default service account", async () => { await w.create("sa-probe", 0); await w.delete("sa-probe"); return true; });
}

/** A watchPods stream on pods labelled test=`label`, consumed into events and a name → object mirror, with its states and statuses recorded. */
export function mirrorWatch(kubeConfig: KubeConfig, label: string, seed: number, backoff: BackoffOptions, extra: Partial<WatchPodsOptions> = {}) {
  const ac = new AbortController();
  const states: WatchState[] = [];
  const statuses: WatchStatus[] = [];
  const events: WatchEvent[] = [];
  const state = new Map<string, KubeObject>();
  const stream = watchPods({ kubeConfig, namespace: "default", labelSelector: `test=${label}`, signal: ac.signal, seed, backoff, ...extra, onState: (s) => states.push(s), onStatus: (s) => statuses.push(s) });
  const done = (async () => { for await (const e of stream) { events.push(e); applyEvent(state, e); } })();
  return { stream, states, statuses, events, state, done, stop: async () => { ac.abort(); await done; } };
}
