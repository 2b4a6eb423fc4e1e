import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../sdk/core/errors.js";
import { startMemoryApi, type MemoryApi } from "../sdk/kube/memory-api.js";
import { watchPods } from "../sdk/kube/watch.js";
import { collectEvents, parseEventLog, recordEvents, replayEventLog } from "../sdk/kube/event-log.js";
import { loadKubeConfig } from "../sdk/kube/kubeconfig.js";
import type { KubeObject, WatchEvent } from "../sdk/kube/types.js";
import { tempDir } from "./helpers/temp-dir.js";

function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: "x" } }, spec: {}, status: { phase: "Pending" }, ...extra };
}

/** Consumes the stream, applying events to a map, until `until(state)` holds; checks no object is seen twice. */
async function mirror(api: MemoryApi, opts: Partial<Parameters<typeof watchPods>[0]>, drive: () => Promise<void>, until: (state: Map<string, KubeObject>, events: WatchEvent[]) => boolean) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20_000);
  let driving: Promise<void> | null = null;
  let driven = false;
  // Drive the changes once the first watch is open, so they arrive through the watch.
  const onStatus = (st: { kind: string }) => { if (st.kind === "watching" && !driving) driving = drive().then(() => { driven = true; }); };
  const stream = watchPods({ kubeConfig: api.kubeConfig, namespace: "default", signal: ac.signal, backoff: { initialMs: 5, maxMs: 50 }, onStatus, ...opts });
  const state = new Map<string, KubeObject>();
  const seenRvs = new Map<string, number[]>();
  const events: WatchEvent[] = [];
  for await (const e of stream) {
    events.push(e);
    const name = e.object.metadata!.name!;
    const rv = Number(e.object.metadata!.resourceVersion);
    if (e.type === "ADDED") assert.ok(!state.has(name), `ADDED twice without a DELETED between: ${name}`);
    if (e.type === "DELETED") { assert.ok(state.has(name), `DELETED for an object never added: ${name}`); state.delete(name); }
    else {
      const rvs = seenRvs.get(name) ?? [];
      assert.ok(rvs.length === 0 || rv > rvs[rvs.length - 1]!, `versions of ${name} must increase: ${rvs.at(-1)} then ${rv}`);
      rvs.push(rv); seenRvs.set(name, rvs);
      state.set(name, e.object);
    }
    if (driven && until(state, events)) break;
  }
  clearTimeout(timer);
  assert.ok(!ac.signal.aborted, "the stream should reach the expected state before the timeout");
  return { state, events, stats: stream.stats };
}

async function churn(api: MemoryApi, n: number) {
  // n updates over 20 pods, with deletions and re-creations, applied in small async batches.
  for (let i = 0; i < n; i++) {
    const name = `p${i % 20}`;
    const k = Math.floor(i / 20);
    if (k % 5 === 4) api.apply("DELETED", "pods", pod(name));
    else api.apply(k % 5 === 0 ? "ADDED" : "MODIFIED", "pods", pod(name, { status: { phase: "Running", step: k } }));
    if (i % 25 === 0) await new Promise((r) => setTimeout(r, 1));
  }
}

function finalStateOf(n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const name = `p${i % 20}`; const k = Math.floor(i / 20);
    if (k % 5 === 4) m.delete(name); else m.set(name, k);
  }
  return m;
}

const sameAs = (want: Map<string, number>) => (state: Map<string, KubeObject>) =>
  state.size === want.size && [...want].every(([name, k]) => (state.get(name)?.status as { step?: number } | undefined)?.step === k);

test("watchPods: list then watch, receive times, clean stop", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi();
  try {
    for (const n of ["a", "b", "c"]) api.apply("ADDED", "pods", pod(n, { status: { step: -1 } }));
    const want = new Map([["a", -1], ["b", 7], ["c", -1]]);
    const { events } = await mirror(api, {}, async () => {
      api.apply("MODIFIED", "pods", pod("b", { status: { step: 7 } }));
      api.apply("ADDED", "pods", pod("d"));
      api.apply("DELETED", "pods", pod("d"));
    }, (s, evs) => evs.length === 6 && sameAs(want)(s));
    assert.deepEqual(events.slice(0, 3).map((e) => [e.type, e.origin]), [["ADDED", "list"], ["ADDED", "list"], ["ADDED", "list"]]);
    assert.deepEqual(events.slice(3).map((e) => `${e.type}:${e.object.metadata!.name}:${e.origin}`), ["MODIFIED:b:watch", "ADDED:d:watch", "DELETED:d:watch"]);
    for (let i = 1; i < events.length; i++) {
      assert.equal(events[i]!.seq, i);
      assert.ok(events[i]!.receivedMonoMs >= events[i - 1]!.receivedMonoMs);
      assert.ok(Math.abs(events[i]!.receivedWallMs - Date.now()) < 60_000);
    }
  } finally { await api.stop(); }
});

test("watchPods: dropped streams resume from the last version: nothing lost, nothing twice", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi({ faults: { closeAfterEvents: 7 } });
  try {
    const { events, stats } = await mirror(api, {}, () => churn(api, 370), sameAs(finalStateOf(370)));
    assert.ok(stats.resumes >= 20, `expected many resumes, got ${stats.resumes}`);
    assert.equal(stats.relists, 0);
    // Every change arrives exactly once (ADDED/MODIFIED/DELETED as applied).
    assert.equal(events.filter((e) => e.origin === "watch").length, 370);
  } finally { await api.stop(); }
});

test("watchPods: 410 on resume → relist with synthesized differences; deletions are never missed", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi({ faults: { closeAfterEvents: 5, goneProbability: 0.5, seed: 3 } });
  try {
    const { events, stats } = await mirror(api, {}, () => churn(api, 370), sameAs(finalStateOf(370)));
    assert.ok(stats.relists > 0, "some resumes must have been answered 410");
    assert.ok(events.some((e) => e.origin === "relist"), "a relist must produce synthesized events");
  } finally { await api.stop(); }
});

test("watchPods: 5xx and 429 answers are retried with backoff", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi({ faults: { errorRate: 0.3, closeAfterEvents: 10, seed: 5 } });
  try {
    const { stats } = await mirror(api, { backoff: { initialMs: 2, maxMs: 20, maxAttempts: 50 } }, () => churn(api, 290), sameAs(finalStateOf(290)));
    assert.ok(stats.retries > 0);
  } finally { await api.stop(); }
});

test("watchPods: abort ends the stream promptly", { timeout: 10_000 }, async () => {
  const api = await startMemoryApi();
  try {
    api.apply("ADDED", "pods", pod("a"));
    const ac = new AbortController();
    const stream = watchPods({ kubeConfig: api.kubeConfig, signal: ac.signal });
    const got: WatchEvent[] = [];
    const t0 = performance.now();
    for await (const e of stream) { got.push(e); ac.abort(); }
    assert.equal(got.length, 1);
    assert.ok(performance.now() - t0 < 5000);
  } finally { await api.stop(); }
});

test("watchPods: unknown namespace, unreachable server and a kubeconfig without a cluster are clear errors", { timeout: 20_000 }, async () => {
  const api = await startMemoryApi({ namespaces: ["default"] });
  try {
    await assert.rejects(collectEvents(watchPods({ kubeConfig: api.kubeConfig, namespace: "nope" })), (err: Error) => err instanceof InputError && /nope/.test(err.message) && /namespace/.test(err.message) && err.message.includes(api.url));
  } finally { await api.stop(); }
  // A port nothing listens on (the stopped server's).
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "c", server: api.url, skipTLSVerify: true }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
  await assert.rejects(collectEvents(watchPods({ kubeConfig: kc, backoff: { initialMs: 1, maxMs: 5, maxAttempts: 3 } })), (err: Error) => err instanceof InputError && err.message.includes(api.url) && /reachable/.test(err.message));
  const dir = tempDir("kube-");
  const path = join(dir, "kubeconfig");
  writeFileSync(path, "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: missing, user: u}\nusers:\n- name: u\n  user: {}\nclusters: []\n");
  await assert.rejects(loadKubeConfig(path), (err: Error) => err instanceof InputError && err.message.startsWith(path) && /cluster/.test(err.message));
  await assert.rejects(loadKubeConfig(join(dir, "absent")), (err: Error) => err instanceof InputError && /absent/.test(err.message));
});

test("event log: record a watch, replay it as the same events; a malformed line names file and line", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi({ faults: { closeAfterEvents: 4 } });
  const dir = tempDir("kube-log-");
  const path = join(dir, "watch.jsonl");
  try {
    for (const n of ["a", "b"]) api.apply("ADDED", "pods", pod(n));
    const ac = new AbortController();
    const seen: WatchEvent[] = [];
    let drove = false;
    for await (const e of recordEvents(watchPods({ kubeConfig: api.kubeConfig, signal: ac.signal }), path, { source: { server: api.url } })) {
      seen.push(e);
      if (!drove) { drove = true; void churn(api, 60); }
      if (seen.length === 2 + 60) ac.abort();
    }
    const replayed = await collectEvents(replayEventLog(path));
    assert.deepEqual(replayed, seen);
    const parsed = parseEventLog(readFileSync(path, "utf8"), path);
    assert.equal(parsed.events.length, seen.length);
    assert.equal(parsed.end?.events, seen.length);
    // Corrupt line 5: the four events before it are still yielded, then an InputError names path:5.
    const lines = readFileSync(path, "utf8").split("\n");
    lines[4] = "{not json";
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, lines.join("\n"));
    const got: WatchEvent[] = [];
    await assert.rejects((async () => { for await (const e of replayEventLog(bad)) got.push(e); })(), (err: Error) => err instanceof InputError && err.message.startsWith(`${bad}:5`));
    assert.equal(got.length, 3);
  } finally { await api.stop(); }
});

test("event log: a source that fails mid-way keeps every event received before the failure", { timeout: 10_000 }, async () => {
  const dir = tempDir("kube-log-");
  const path = join(dir, "partial.jsonl");
  async function* failing(): AsyncGenerator<WatchEvent> {
    for (let i = 0; i < 3; i++) yield { seq: i, type: "ADDED", resource: "pods", origin: "watch", receivedWallMs: i, receivedMonoMs: i, object: pod(`p${i}`) };
    throw new InputError({ source: "http://127.0.0.1:1" }, "a reachable Kubernetes API server");
  }
  await assert.rejects(collectEvents(recordEvents(failing(), path)), /reachable/);
  const parsed = parseEventLog(readFileSync(path, "utf8"), path);
  assert.equal(parsed.events.length, 3);
  assert.equal(parsed.end?.end, "error");
});

test("watchPods: a half-open stream (silent, never closed) is detected by the idle timeout and resumed", { timeout: 30_000 }, async () => {
  const api = await startMemoryApi({ faults: { stallAfterEvents: 10 }, bookmarkMs: 60_000 });
  try {
    const { stats } = await mirror(api, { idleTimeoutMs: 150 }, () => churn(api, 290), sameAs(finalStateOf(290)));
    assert.ok(stats.idleTimeouts > 0, "stalled streams must have been abandoned");
  } finally { await api.stop(); }
});
