/**
 * The reliability table (issue 17 acceptance): faults tried on watchPods, load held, hostile
 * requests sent to the embedded API server, bad inputs given to every parser — each with the count
 * of lost, doubled and corrupted items (goal 0 everywhere) — and the server's peak memory under
 * slow watchers (goal: bounded by the per-watcher buffer, not by what they fail to read).
 * Seeded; the counts are the figures, times are printed beside them and never asserted.
 */
import { connect, type Socket } from "node:net";
import fc from "fast-check";
import { KubeConfig } from "@kubernetes/client-node";
import { kubeconfigYaml, startCluster, type RunningCluster, type StartClusterOptions } from "../../sdk/cluster/start.js";
import type { KObject } from "../../sdk/cluster/store.js";
import { watchPods } from "../../sdk/kube/watch.js";
import type { KubeObject } from "../../sdk/kube/types.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { account, differences, VersionBook, type Accounting } from "../helpers/watch-accounting.js";
import { FUZZ_RUNS, FUZZ_SEED } from "../helpers/fuzz.js";
import { parserTargets } from "../helpers/fuzz-targets.js";
import { fuzzTargetPod, hostileRequest, podsFingerprint } from "../helpers/fuzz-server.js";

interface Row { area: string; what: string; tried: number; unit: string; lost: number; doubled: number; corrupted: number; note: string }
const rows: Row[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = "default";
const pod = (name: string, step: number): KObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels: { app: "rel", step: String(step) } }, spec: { containers: [{ name: "c", image: "i" }] } } as unknown as KObject);

function viaProxy(proxy: TcpProxy, token: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(`http://127.0.0.1:${proxy.port}`, { token, namespace: NS }));
  return kc;
}

/** `changes` creates, relabels and deletes over 20 pods, written into the model directly (faults touch API requests only, so the driver never fails). */
async function drive(c: RunningCluster, book: VersionBook, changes: number, from = 0): Promise<void> {
  for (let i = from; i < from + changes; i++) {
    const name = `p${i % 20}`;
    const k = Math.floor(i / 20);
    const existing = c.model.store.get("pods", NS, name) as KubeObject | undefined;
    let o: KubeObject;
    if (k % 5 === 4 && existing) { c.model.apiDelete("pods", NS, name, 0); continue; }
    if (!existing) o = c.model.apiCreate("pods", NS, pod(name, k)) as unknown as KubeObject;
    else o = c.model.apiReplace("pods", NS, name, { ...(existing as object), metadata: { ...existing.metadata, labels: { app: "rel", step: String(k) } } } as unknown as KObject) as unknown as KubeObject;
    book.record(o);
    if (i % 10 === 0) await sleep(5);
  }
}

const truth = (c: RunningCluster) => [...(c.model.store.list("pods", NS) as unknown as KubeObject[])].filter((p) => p.metadata?.labels?.app === "rel");

async function settle(mirror: Map<string, KubeObject>, c: RunningCluster, ms = 30_000): Promise<number> {
  const end = performance.now() + ms;
  let d = differences(mirror.values(), truth(c));
  while (d > 0 && performance.now() < end) { await sleep(50); d = differences(mirror.values(), truth(c)); }
  return d;
}

type Disturb = (c: RunningCluster, proxy: TcpProxy, during: Promise<void>) => Promise<RunningCluster | void>;

async function watchUnder(what: string, faults: StartClusterOptions["faults"] | undefined, changes: number, disturb?: Disturb): Promise<void> {
  const t0 = performance.now();
  let c = await startCluster({ seed: 11, nodes: 1, gpusPerNode: 1, manualClock: true, faults });
  const proxy = await startTcpProxy(Number(new URL(c.url).port));
  const book = new VersionBook();
  const stream = watchPods({ kubeConfig: viaProxy(proxy, c.token), namespace: NS, labelSelector: "app=rel", seed: 5 });
  const w = account(stream, book);
  await sleep(200);
  const during = drive(c, book, changes);
  const replaced = disturb ? await disturb(c, proxy, during) : undefined;
  await during;
  if (replaced) c = replaced;
  const lost = await settle(w.state, c);
  stream.stop();
  await w.done.catch(() => undefined);
  const acc: Accounting = { ...w.acc, lost };
  const s = stream.stats;
  rows.push({ area: "fault", what, tried: changes, unit: "changes", lost: acc.lost, doubled: acc.doubled, corrupted: acc.corrupted,
    note: `${acc.events} events, ${s.relists} relists, ${s.retries} retries, ${s.regressions} regressions, ${((performance.now() - t0) / 1000).toFixed(1)} s` });
  await proxy.close();
  await c.stop();
}

async function faults(): Promise<void> {
  await watchUnder("none (baseline)", undefined, 400);
  await watchUnder("stream drops p=0.05/event", { watchCloseProbability: 0.05 }, 400);
  await watchUnder("410 on half the resumes + drops", { goneOnResumeProbability: 0.5, watchCloseProbability: 0.05 }, 400);
  await watchUnder("latency 0–30 ms every request", { delayMs: [0, 30] }, 400);
  await watchUnder("30 % 5xx + 5 % 429 + drops", { errorRate: 0.3, throttleRate: 0.05, watchCloseProbability: 0.05 }, 400);
  await watchUnder("server restarts every 100 ms", undefined, 400, async (c, _p, during) => {
    let done = false;
    void during.then(() => { done = true; });
    while (!done) { await c.restart(); await sleep(100); }
  });
  await watchUnder("outage 4 s (connections refused)", undefined, 400, async (_c, proxy) => {
    await sleep(30);
    proxy.setDown(true);
    proxy.cut();
    await sleep(4000);
    proxy.setDown(false);
  });
  await watchUnder("server replaced, fresh state, same uids", undefined, 200, async (a, proxy, during) => {
    await during;
    await a.stop();
    const book = new VersionBook();
    const b = await startCluster({ seed: 11, nodes: 1, gpusPerNode: 1, manualClock: true, token: a.token });
    await drive(b, book, 120);
    proxy.setTarget(Number(new URL(b.url).port));
    proxy.cut();
    return b;
  });
}

async function load(): Promise<void> {
  const t0 = performance.now();
  const c = await startCluster({ seed: 12, nodes: 1, gpusPerNode: 1, manualClock: true });
  const proxy = await startTcpProxy(Number(new URL(c.url).port));
  const book = new VersionBook();
  const watchers = Array.from({ length: 10 }, (_, i) => {
    const stream = watchPods({ kubeConfig: viaProxy(proxy, c.token), namespace: NS, labelSelector: "app=rel", seed: i });
    return { stream, w: account(stream, book) };
  });
  await sleep(300);
  // 2,000 writes through the HTTP API, 8 at a time (a real client load, not the model directly).
  let next = 0;
  const auth = { Authorization: `Bearer ${c.token}`, "Content-Type": "application/json" };
  const writer = async () => {
    for (let i = next++; i < 2000; i = next++) {
      const name = `p${i % 50}`;
      const r = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods${i < 50 ? "" : `/${name}`}`, {
        method: i < 50 ? "POST" : "PATCH",
        body: i < 50 ? JSON.stringify(pod(name, 0)) : JSON.stringify({ metadata: { labels: { step: String(i) } } }),
        headers: i < 50 ? auth : { ...auth, "Content-Type": "application/merge-patch+json" },
      });
      if (r.status < 300) book.record((await r.json()) as KubeObject); else await r.text();
    }
  };
  const tw = performance.now();
  await Promise.all(Array.from({ length: 8 }, writer));
  const writeS = (performance.now() - tw) / 1000;
  let lost = 0;
  for (const { w } of watchers) lost += await settle(w.state, c);
  for (const { stream, w } of watchers) { stream.stop(); await w.done.catch(() => undefined); }
  const sum = (k: keyof Accounting) => watchers.reduce((s, { w }) => s + w.acc[k], 0);
  rows.push({ area: "load", what: "10 watchers × 2,000 HTTP writes (8 writers)", tried: 2000 * 10, unit: "deliveries", lost, doubled: sum("doubled"), corrupted: sum("corrupted"),
    note: `${(2000 / writeS).toFixed(0)} writes/s, ${sum("events")} events, ${((performance.now() - t0) / 1000).toFixed(1)} s` });
  await proxy.close();
  await c.stop();
}

async function hostile(): Promise<void> {
  const c = await startCluster({ seed: 13, nodes: 1, gpusPerNode: 1, manualClock: true, requestTimeoutMs: 1000, maxConnections: 64 });
  const auth = { Authorization: `Bearer ${c.token}` };
  await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { method: "POST", body: fuzzTargetPod(), headers: { ...auth, "Content-Type": "application/json" } })).text();
  // Random bodies under every content type (the fuzz test's generator, sampled).
  const reqs = fc.sample(hostileRequest(), { seed: FUZZ_SEED, numRuns: 400 });
  let errors5xx = 0, storedOnFailure = 0, hung = 0, rejected = 0;
  for (const r of reqs) {
    const before = await podsFingerprint(c);
    try {
      const res = await fetch(c.url + r.path, { method: r.method, body: r.body, signal: AbortSignal.timeout(10_000), headers: { ...auth, ...(r.contentType ? { "Content-Type": r.contentType } : {}) } });
      await res.text();
      if (res.status >= 500) errors5xx++;
      if (res.status >= 400) { rejected++; if ((await podsFingerprint(c)) !== before) storedOnFailure++; }
    } catch { hung++; }
  }
  rows.push({ area: "hostile", what: "random bodies × 9 content types", tried: reqs.length, unit: "requests", lost: hung, doubled: 0, corrupted: errors5xx + storedOnFailure, note: `${rejected} rejected 4xx, ${errors5xx} 5xx, ${storedOnFailure} stored on failure, ${hung} hung` });

  // Unauthenticated writes.
  let stored = 0;
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { method: "POST", body: JSON.stringify(pod(`intruder-${i}`, 0)), headers: { "Content-Type": "application/json", ...(i % 2 ? { Authorization: "Bearer wrong" } : {}) } });
    await r.text();
    if (r.status < 300 || c.model.store.get("pods", NS, `intruder-${i}`)) stored++;
  }
  rows.push({ area: "hostile", what: "writes without / with a wrong token", tried: 100, unit: "requests", lost: 0, doubled: 0, corrupted: stored, note: `${stored} stored` });

  // Deep nesting.
  let deepStored = 0;
  for (const depth of [1_000, 3_000, 5_000, 20_000, 200_000]) {
    const inner = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    const r = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { method: "POST", body: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep-${depth}"},"spec":{"containers":[{"name":"c","image":"i"}],"x":${inner}}}`, headers: { ...auth, "Content-Type": "application/json" } });
    await r.text();
    if (c.model.store.get("pods", NS, `deep-${depth}`)) deepStored++;
  }
  const list = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { headers: auth });
  await list.text();
  rows.push({ area: "hostile", what: "pods nested 1,000–200,000 deep", tried: 5, unit: "requests", lost: list.status === 200 ? 0 : 1, doubled: 0, corrupted: deepStored, note: `${deepStored} stored; LIST after: ${list.status}` });

  // Dribblers and a connection flood, with an honest client beside them.
  const u = new URL(c.url);
  const open = (): Promise<Socket> => new Promise((resolve) => { const s: Socket = connect(Number(u.port), u.hostname, () => resolve(s)); s.on("error", () => undefined); });
  const dribblers = await Promise.all(Array.from({ length: 20 }, open));
  const answered408 = dribblers.map((s) => new Promise<boolean>((resolve) => { let b = ""; s.on("data", (d) => { b += d; if (/^HTTP\/1\.1 408/.test(b)) resolve(true); }); s.on("close", () => resolve(/^HTTP\/1\.1 408/.test(b))); setTimeout(() => resolve(false), 5000); }));
  for (const s of dribblers) s.write(`POST /api/v1/namespaces/${NS}/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
  const honest = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { headers: auth });
  await honest.text();
  const got408 = (await Promise.all(answered408)).filter(Boolean).length;
  for (const s of dribblers) s.destroy();
  rows.push({ area: "hostile", what: "body dribblers (deadline 1 s)", tried: 20, unit: "connections", lost: honest.status === 200 ? 0 : 1, doubled: 0, corrupted: 20 - got408, note: `${got408} cut off with 408; honest client meanwhile: ${honest.status}` });

  const flood = await Promise.all(Array.from({ length: 120 }, open));
  await sleep(300);
  const refused = c.server.connectionsRefused;
  for (const s of flood) s.destroy();
  await sleep(300);
  const after = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { headers: auth });
  await after.text();
  rows.push({ area: "hostile", what: "connection flood 120 (cap 64)", tried: 120, unit: "connections", lost: after.status === 200 ? 0 : 1, doubled: 0, corrupted: 0, note: `${refused} refused with 429; served after: ${after.status}` });
  await c.stop();
}

function badInputs(): void {
  for (const target of parserTargets()) {
    const t0 = performance.now();
    let crashed = 0;
    let t = { tried: FUZZ_RUNS, accepted: 0, rejected: 0 };
    try { t = target.run(); } catch (e) { crashed = 1; console.log(`  ${target.name}: ${(e as Error).message.split("\n").slice(0, 3).join(" | ")}`); }
    rows.push({ area: "bad input", what: target.name, tried: t.tried, unit: "inputs", lost: 0, doubled: 0, corrupted: crashed, note: `${t.rejected} rejected (InputError; patches: RangeError → 400), ${t.accepted} accepted, ${((performance.now() - t0) / 1000).toFixed(1)} s` });
  }
}

async function slowWatchers(): Promise<{ baseMb: number; peakMb: number; dropped: number; watchers: number; writtenMb: number; bufferMb: number }> {
  const bufferBytes = 8 * 1024 * 1024;
  const c = await startCluster({ seed: 14, nodes: 1, gpusPerNode: 1, manualClock: true, watchBufferBytes: bufferBytes });
  const u = new URL(c.url);
  const path = `/apis/fma.llm-d.ai/v1alpha1/namespaces/${NS}/inferenceserverconfigs`;
  (globalThis as { gc?: () => void }).gc?.();
  const baseMb = process.memoryUsage().rss / 2 ** 20;
  let peakMb = baseMb;
  const sampler = setInterval(() => { peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20); }, 20);
  const stalled = Array.from({ length: 5 }, () => {
    const s = connect(Number(u.port), u.hostname);
    s.pause();
    s.on("error", () => undefined);
    s.write(`GET ${path}?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\n\r\n`);
    return s;
  });
  await sleep(200);
  const blob = "x".repeat(500_000);
  const n = 80;
  for (let i = 0; i < n; i++) {
    c.model.apiCreate("inferenceserverconfigs", NS, { apiVersion: "fma.llm-d.ai/v1alpha1", kind: "InferenceServerConfig", metadata: { name: `isc-${i}`, namespace: NS }, spec: { blob } } as unknown as KObject);
    await sleep(5);
  }
  await sleep(500);
  clearInterval(sampler);
  const dropped = c.server.slowWatchersDropped;
  for (const s of stalled) s.destroy();
  await c.stop();
  return { baseMb, peakMb, dropped, watchers: stalled.length, writtenMb: (n * blob.length) / 2 ** 20, bufferMb: bufferBytes / 2 ** 20 };
}

const mem = await slowWatchers();
await faults();
await load();
await hostile();
badInputs();

const cols = (r: (string | number)[]) => `  ${String(r[0]).padEnd(9)} ${String(r[1]).padEnd(44)} ${String(r[2]).padStart(7)} ${String(r[3]).padEnd(11)} ${String(r[4]).padStart(4)} ${String(r[5]).padStart(7)} ${String(r[6]).padStart(9)}  ${r[7]}`;
console.log("reliability (goal: 0 lost, 0 doubled, 0 corrupted in every row)");
console.log(cols(["area", "what", "tried", "", "lost", "doubled", "corrupted", "detail"]));
for (const r of rows) console.log(cols([r.area, r.what, r.tried, r.unit, r.lost, r.doubled, r.corrupted, r.note]));
const total = rows.reduce((s, r) => s + r.lost + r.doubled + r.corrupted, 0);
console.log(`  total lost + doubled + corrupted: ${total} over ${rows.length} rows (goal 0)`);
console.log(`slow watchers: ${mem.watchers} watches that never read, ${mem.writtenMb.toFixed(0)} MB of events each would have to hold; ${mem.dropped} dropped at the ${mem.bufferMb} MiB buffer`);
console.log(`  server process RSS: ${mem.baseMb.toFixed(0)} MB before, peak ${mem.peakMb.toFixed(0)} MB, +${(mem.peakMb - mem.baseMb).toFixed(0)} MB (goal: ≤ ${mem.watchers} × ${mem.bufferMb} MiB of buffers + working set, not ${mem.watchers} × ${mem.writtenMb.toFixed(0)} MB; was ≈ 485 MB for 5 such watches)`);
