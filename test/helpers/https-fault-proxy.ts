// A loopback HTTPS proxy that injects HTTP faults in front of the test bed's kube-apiserver. It
// terminates TLS with a serving certificate signed by the test bed's own CA (made with openssl, as
// sdk/testbed/certs.ts makes the others), asks for the client's certificate and checks it against
// that CA, and forwards each request with the admin credentials of the test bed's kubeconfig — so a
// kubeconfig whose server is the proxy's URL keeps the same CA and credentials. Faults, drawn from
// a seeded Rng per request: latency before the request is forwarded, a fraction answered
// 500/503/429 (a Kubernetes Status body, Retry-After on 429/503) without reaching the server, and,
// on watches, an early end of the stream after a random time (at a line boundary: a clean end,
// as when a watch's timeout expires).
import { createServer, request, type Server } from "node:https";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { rng } from "../../sdk/core/rng.js";
import { tempDir } from "./temp-dir.js";

export interface HttpFaults {
  seed: number;
  /** Each request waits uniform [0, latencyMs) before it is forwarded (or answered with an error). */
  latencyMs?: number;
  /** Fraction of requests answered 500, 503 or 429 (equally likely) instead of being forwarded. */
  errorRate?: number;
  /** Fraction of forwarded watches ended early, after uniform [streamEndMinMs, streamEndMaxMs). */
  streamEndRate?: number;
  streamEndMinMs?: number;
  streamEndMaxMs?: number;
}

export interface HttpsFaultProxy {
  url: string;
  readonly counts: { requests: number; forwarded: number; errors: Record<number, number>; streamEnds: number; delayedMs: number };
  setFaults(f: Partial<HttpFaults>): void;
  /** Ends every open watch stream now, cleanly between two events (new faults then apply to the resumes). */
  endWatches(): void;
  close(): Promise<void>;
}

/** Starts the proxy in front of `upstream` (the test bed's server URL); `caDir` holds the test bed's ca.crt and ca.key. */
export async function startHttpsFaultProxy(upstream: string, caDir: string, kc: KubeConfig, faults: HttpFaults): Promise<HttpsFaultProxy> {
  const dir = tempDir("fault-proxy-");
  const ssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  ssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "proxy.key", "-out", "proxy.csr", "-subj", "/CN=actlab-fault-proxy",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "extendedKeyUsage=serverAuth"]);
  ssl(["x509", "-req", "-in", "proxy.csr", "-CA", join(caDir, "ca.crt"), "-CAkey", join(caDir, "ca.key"), "-CAserial", join(dir, "ca.srl"), "-CAcreateserial",
    "-days", "1", "-copy_extensions", "copyall", "-out", "proxy.crt"]);
  const ca = readFileSync(join(caDir, "ca.crt"));
  const user = kc.getCurrentUser()!;
  const cert = Buffer.from(user.certData ?? "", "base64"), key = Buffer.from(user.keyData ?? "", "base64");
  const target = new URL(upstream);
  let f: HttpFaults = { ...faults };
  let r = rng(f.seed);
  const counts = { requests: 0, forwarded: 0, errors: {} as Record<number, number>, streamEnds: 0, delayedMs: 0 };
  const open = new Set<import("node:http").ClientRequest>();
  const watches = new Set<() => void>();
  const server: Server = createServer({ key: readFileSync(join(dir, "proxy.key")), cert: readFileSync(join(dir, "proxy.crt")), ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    counts.requests++;
    // Every draw for this request is made now, in arrival order, so a seed gives one fault plan.
    const delay = (f.latencyMs ?? 0) > 0 ? r.uniform(0, f.latencyMs!) : 0;
    const fail = r.random() < (f.errorRate ?? 0) ? r.pick([500, 503, 429]) : 0;
    const isWatch = new URL(req.url ?? "/", "https://x").searchParams.get("watch") === "true";
    const endAfter = isWatch && r.random() < (f.streamEndRate ?? 0) ? r.uniform(f.streamEndMinMs ?? 100, f.streamEndMaxMs ?? 2000) : -1;
    counts.delayedMs += delay;
    const body: Buffer[] = [];
    req.on("data", (b: Buffer) => body.push(b));
    req.on("end", () => setTimeout(() => {
      if (res.destroyed) return;
      if (fail) {
        counts.errors[fail] = (counts.errors[fail] ?? 0) + 1;
        const reason = { 500: "InternalError", 503: "ServiceUnavailable", 429: "TooManyRequests" }[fail];
        res.writeHead(fail, { "Content-Type": "application/json", ...(fail !== 500 ? { "Retry-After": "1" } : {}) });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `injected ${fail}`, reason, code: fail }));
        return;
      }
      counts.forwarded++;
      const headers = { ...req.headers, host: target.host };
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, ca, cert, key }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        res.flushHeaders(); // a watch's headers come before any event: the client's stream opens on them
        if (!isWatch) { ur.pipe(res); return; }
        // Forward whole lines only, so that the early end falls between two events.
        let pending = "";
        ur.setEncoding("utf8");
        ur.on("data", (c: string) => {
          pending += c;
          const i = pending.lastIndexOf("\n");
          if (i >= 0) { res.write(pending.slice(0, i + 1)); pending = pending.slice(i + 1); }
        });
        ur.on("end", () => { res.end(pending); });
        const endNow = () => { watches.delete(endNow); open.delete(up); up.destroy(); res.end(); };
        watches.add(endNow);
        res.on("close", () => watches.delete(endNow));
        if (endAfter < 0) return;
        const t = setTimeout(() => { counts.streamEnds++; endNow(); }, endAfter);
        ur.on("close", () => clearTimeout(t));
        res.on("close", () => clearTimeout(t));
      });
      open.add(up);
      up.on("close", () => open.delete(up));
      up.on("error", () => { if (!res.headersSent) res.writeHead(502); res.destroy(); });
      res.on("close", () => up.destroy());
      up.end(Buffer.concat(body));
    }, delay));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    counts,
    setFaults(n) { f = { ...f, ...n }; if (n.seed !== undefined) r = rng(n.seed); },
    endWatches() { for (const end of [...watches]) end(); },
    close: () => new Promise<void>((resolve) => {
      for (const u of open) u.destroy();
      server.closeAllConnections();
      server.close(() => { rmSync(dir, { recursive: true, force: true }); resolve(); });
    }),
  };
}
