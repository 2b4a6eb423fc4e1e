// The watch's event path: newline-delimited JSON split on raw bytes, whatever the chunk boundaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { openWatchStream, WatchHttpError } from "../sdk/kube/watch-stream.js";
import { loadClientNode } from "../sdk/kube/client-node.js";

/** A server answering one watch with `chunks` (written with a flush between them), or `status`. */
async function serve(chunks: Buffer[], status = 200, holdOpen = false) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    if (status !== 200) { res.writeHead(status); res.end("{}"); return; }
    res.writeHead(200, { "Content-Type": "application/json" });
    let i = 0;
    const next = () => {
      if (i < chunks.length) { res.write(chunks[i++]); setTimeout(next, 2); }
      else if (!holdOpen) res.end();
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const kc = new (await loadClientNode()).KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "t", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }], users: [{ name: "t" }], contexts: [{ name: "t", cluster: "t", user: "t" }], currentContext: "t" });
  return { kc, seen, stop: () => { server.closeAllConnections(); return new Promise<void>((r) => server.close(() => r())); } };
}

function collect(kc: Awaited<ReturnType<typeof serve>>["kc"], query: Record<string, string> = {}) {
  const events: [string, unknown][] = [];
  const dones: unknown[] = [];
  const ended = new Promise<void>((resolve) => {
    void openWatchStream(kc, "/api/v1/namespaces/default/pods", query, (t, o) => events.push([t, o]), (err) => { dones.push(err); resolve(); }).then((h) => (handle = h));
  });
  let handle: { abort(): void } | undefined;
  return { events, dones, ended, abort: () => handle?.abort() };
}

test("lines cut anywhere by chunk boundaries (a multi-byte character included) decode whole; non-JSON lines are skipped", async () => {
  const objs = Array.from({ length: 50 }, (_, i) => ({ type: i % 3 ? "MODIFIED" : "ADDED", object: { metadata: { name: `pod-${i}-ünï-🚀`, resourceVersion: String(100 + i) } } }));
  const text = objs.map((o, i) => (i === 7 ? "not json\n" : "") + JSON.stringify(o)).join("\n") + "\n";
  const bytes = Buffer.from(text, "utf8");
  // Boundaries every 1…37 bytes: some fall inside the 4-byte rocket and the 2-byte umlauts.
  const chunks: Buffer[] = [];
  for (let at = 0, k = 1; at < bytes.length; k = (k % 37) + 1) { chunks.push(bytes.subarray(at, at + k)); at += k; }
  const s = await serve(chunks);
  try {
    const c = collect(s.kc, { resourceVersion: "5", allowWatchBookmarks: "true" });
    await c.ended;
    assert.deepEqual(c.events, objs.map((o) => [o.type, o.object]));
    assert.deepEqual(c.dones, [null]);
    assert.match(s.seen[0]!, /^\/api\/v1\/namespaces\/default\/pods\?watch=true&resourceVersion=5&allowWatchBookmarks=true$/);
  } finally { await s.stop(); }
});

test("a non-200 answer ends the stream with its status (410 is how the watch learns to relist)", async () => {
  const s = await serve([], 410);
  try {
    const c = collect(s.kc);
    await c.ended;
    assert.equal(c.events.length, 0);
    assert.ok(c.dones[0] instanceof WatchHttpError);
    assert.equal((c.dones[0] as WatchHttpError).statusCode, 410);
  } finally { await s.stop(); }
});

test("abort closes an open stream once, with no error", async () => {
  const s = await serve([Buffer.from(JSON.stringify({ type: "ADDED", object: { a: 1 } }) + "\n")], 200, true);
  try {
    const c = collect(s.kc);
    while (c.events.length === 0) await new Promise((r) => setTimeout(r, 5));
    c.abort();
    c.abort();
    await c.ended;
    assert.deepEqual(c.dones, [null]);
  } finally { await s.stop(); }
});

test("plain HTTP without insecure-skip-tls-verify is refused as client-node refuses it", async () => {
  const kc = new (await loadClientNode()).KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "t", server: "http://127.0.0.1:9" }], users: [{ name: "t" }], contexts: [{ name: "t", cluster: "t", user: "t" }], currentContext: "t" });
  const c = collect(kc);
  await c.ended;
  assert.match(String((c.dones[0] as Error).message), /skipTLSVerify/);
});
