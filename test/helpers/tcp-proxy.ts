// A loopback TCP proxy for fault tests: forwards bytes to a target it can switch, and can cut its
// connections (FIN), freeze them without closing (a half-open connection: no byte and no FIN ever
// reaches the client again), or refuse new ones (an outage).
import { createServer, connect, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Frozen connections the client later closed itself (it noticed the silence). */
  readonly frozenClosedByClient: number;
  setTarget(port: number, host?: string): void;
  /** Closes every open connection (both sides). */
  cut(): void;
  /** Stops forwarding on every open connection, in both directions, without closing anything. */
  freeze(): void;
  /** While down, new connections are closed as soon as they arrive. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let target = { port: targetPort, host: targetHost };
  let down = false;
  let accepted = 0;
  let frozenClosedByClient = 0;
  const open = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  const server = createServer((client) => {
    accepted++;
    if (down) { client.destroy(); return; }
    const upstream = connect(target.port, target.host);
    const c = { client, upstream, frozen: false };
    open.add(c);
    const end = () => {
      if (c.frozen && !client.destroyed) frozenClosedByClient++;
      open.delete(c);
      client.destroy();
      upstream.destroy();
    };
    // Forward by hand (not pipe) so that a frozen connection drops what the client sends while
    // still noticing when the client gives up on it.
    client.on("data", (b) => { if (!c.frozen) upstream.write(b); });
    upstream.on("data", (b) => { if (!c.frozen) client.write(b); });
    client.on("end", end);
    client.on("error", end);
    client.on("close", end);
    upstream.on("end", () => { if (!c.frozen) end(); });
    upstream.on("error", () => { if (!c.frozen) end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    port,
    get accepted() { return accepted; },
    get frozenClosedByClient() { return frozenClosedByClient; },
    setTarget(p, host = "127.0.0.1") { target = { port: p, host }; },
    cut() { for (const c of [...open]) { open.delete(c); c.client.destroy(); c.upstream.destroy(); } },
    freeze() { for (const c of open) { c.frozen = true; c.upstream.pause(); } },
    setDown(d) { down = d; },
    close: () => new Promise<void>((resolve) => {
      for (const c of [...open]) { open.delete(c); c.client.destroy(); c.upstream.destroy(); }
      server.close(() => resolve());
    }),
  };
}
