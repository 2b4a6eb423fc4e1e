// The embedded API server against unauthenticated, slow and greedy clients: a token by default
// (only in a 0600 kubeconfig), a request deadline, a connection cap, a warning off loopback.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { parse } from "yaml";
import { startCluster, type RunningCluster } from "../../sdk/cluster/start.js";
import { bearerMatches, isLoopbackHost } from "../../sdk/cluster/auth.js";

const running: RunningCluster[] = [];
const sockets: Socket[] = [];
const dir = mkdtempSync(join(tmpdir(), "actlab-auth-test-"));
after(async () => {
  for (const s of sockets) s.destroy();
  for (const c of running) await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startCluster>[0] = {}): Promise<RunningCluster> {
  const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 1, timeScale: 100, ...opts });
  running.push(c);
  return c;
}

const pods = "/api/v1/namespaces/default/pods";
const podBody = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "i" }] } });

test("by default every API request needs the random token of the 0600 kubeconfig; the probes stay open", { timeout: 60_000 }, async () => {
  const c = await start();
  assert.ok(c.token && c.token.length >= 40, "a random token of 256 bits");
  assert.equal(statSync(c.kubeconfigPath).mode & 0o777, 0o600);
  const cfg = parse(readFileSync(c.kubeconfigPath, "utf8")) as { users: { user: { token?: string } }[] };
  assert.equal(cfg.users[0]!.user.token, c.token);
  // No token, a wrong one, one of the wrong length, a prefix: 401, and nothing is created.
  for (const headers of [{}, { Authorization: "Bearer nope" }, { Authorization: `Bearer ${c.token}x` }, { Authorization: `Bearer ${c.token!.slice(0, -1)}` }, { Authorization: c.token! }] as Record<string, string>[]) {
    const r = await fetch(c.url + pods, { method: "POST", body: podBody("intruder"), headers: { "Content-Type": "application/json", ...headers } });
    await r.text();
    assert.equal(r.status, 401, JSON.stringify(headers));
    const d = await fetch(`${c.url}${pods}/${c.model.dpcPodName}`, { method: "DELETE", headers });
    await d.text();
    assert.equal(d.status, 401);
  }
  assert.equal(c.model.store.get("pods", "default", "intruder"), undefined);
  assert.ok(c.model.store.get("pods", "default", c.model.dpcPodName), "the DPC pod is still there");
  for (const p of ["/healthz", "/readyz", "/livez", "/version"]) assert.equal((await fetch(c.url + p)).status, 200, p);
  assert.equal((await fetch(c.url + "/metrics")).status, 401);
  // The right token works, and client-node gets it through the kubeconfig (file and in-memory).
  const ok = await fetch(c.url + pods, { method: "POST", body: podBody("friend"), headers: { "Content-Type": "application/json", Authorization: `Bearer ${c.token}` } });
  await ok.text();
  assert.equal(ok.status, 201);
  const fromFile = new k8s.KubeConfig();
  fromFile.loadFromFile(c.kubeconfigPath);
  for (const kc of [fromFile, c.kubeConfig]) {
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: "default" });
    assert.ok(list.items.some((p) => p.metadata?.name === "friend"));
  }
});

test("a pre-existing 0644 kubeconfig is replaced by a 0600 one; an explicit token and --insecure", { timeout: 60_000 }, async () => {
  const path = join(dir, "kubeconfig");
  writeFileSync(path, "old: content\n", { mode: 0o644 });
  assert.equal(statSync(path).mode & 0o777, 0o644);
  const c = await start({ kubeconfigPath: path, token: "given-token" });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(readFileSync(path, "utf8"), /token: given-token/);
  assert.equal((await fetch(c.url + pods, { headers: { Authorization: "Bearer given-token" } })).status, 200);
  const open = await start({ insecure: true });
  assert.equal(open.token, undefined);
  assert.equal((await fetch(open.url + pods)).status, 200);
  assert.doesNotMatch(readFileSync(open.kubeconfigPath, "utf8"), /token:/);
});

test("bearerMatches compares in constant time whatever the lengths; loopback is told apart", () => {
  assert.equal(bearerMatches("Bearer abc", "abc"), true);
  for (const h of [undefined, "", "Bearer ab", "Bearer abcd", "bearer abc", "Bearer abc ", "abc"]) assert.equal(bearerMatches(h, "abc"), false, String(h));
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "192.0.2.1", "example.com"]) assert.equal(isLoopbackHost(h), false, h);
});

test("startCluster warns (as the CLI does) before it binds off loopback", { timeout: 30_000 }, async () => {
  // 192.0.2.1 (TEST-NET-1) is on no interface, so the bind fails after the warning: nothing is ever served off loopback here.
  const warnings: string[] = [];
  await assert.rejects(startCluster({ seed: 1, nodes: 1, gpusPerNode: 1, host: "192.0.2.1", warn: (m) => warnings.push(m) }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /serving on 192\.0\.2\.1, not loopback/);
  const quiet: string[] = [];
  await start({ warn: (m) => quiet.push(m) });
  assert.deepEqual(quiet, []);
});

function rawConnect(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s: Socket = connect(Number(u.port), u.hostname, () => resolve(s));
    s.on("error", reject);
    sockets.push(s);
  });
}

function readAll(s: Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve({ text, closed: false }), ms);
    s.on("data", (b: Buffer) => { text += b.toString("utf8"); });
    s.on("close", () => { clearTimeout(timer); resolve({ text, closed: true }); });
    s.on("error", () => undefined);
  });
}

test("a client that dribbles its body is cut off with 408 at the request deadline; others are served meanwhile", { timeout: 60_000 }, async () => {
  const c = await start({ requestTimeoutMs: 600 });
  const s = await rawConnect(c.url);
  s.write(`POST ${pods} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
  const drip = setInterval(() => { if (s.writable) s.write(" "); }, 50);
  const done = readAll(s, 20_000);
  assert.equal((await fetch(c.url + pods, { headers: { Authorization: `Bearer ${c.token}` } })).status, 200, "served while the dribbler holds its connection");
  const { text, closed } = await done;
  clearInterval(drip);
  assert.equal(closed, true, "the dribbling connection is closed, not held forever");
  assert.match(text, /^HTTP\/1\.1 408/);
});

test("connections over the cap are answered 429 and closed; capacity comes back when they go", { timeout: 60_000 }, async () => {
  const cap = 6;
  const c = await start({ maxConnections: cap, requestTimeoutMs: 30_000 });
  const idle: Socket[] = [];
  for (let i = 0; i < cap; i++) idle.push(await rawConnect(c.url));
  await new Promise((r) => setTimeout(r, 100));
  const extra = await rawConnect(c.url);
  const { text, closed } = await readAll(extra, 10_000);
  assert.equal(closed, true);
  assert.match(text, /^HTTP\/1\.1 429/);
  assert.ok(c.server.connectionsRefused >= 1);
  for (const s of idle) s.destroy();
  const end = Date.now() + 10_000;
  let status = 0;
  while (Date.now() < end) {
    status = await fetch(c.url + pods, { headers: { Authorization: `Bearer ${c.token}`, Connection: "close" } }).then((r) => r.status, () => 0);
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 200);
});
