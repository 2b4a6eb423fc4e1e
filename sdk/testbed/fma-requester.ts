/**
 * The FMA requester's stub on the test bed (fma.md §1.3, §1.8): the SPI on the admin port
 * (`dual-pods.llm-d.ai/admin-port`, default 8081) — the GPUs the device plugin gave the pod, their
 * memory in use as the simulated hardware holds it, become-ready / become-unready, set-log, the proxy
 * config — and `GET /ready` on the probes port, 200 only after a become-ready relay, so the real
 * readiness probe of the node agent turns the pod Ready exactly when a controller relays it.
 */
import type { Server } from "node:http";
import { modelMemory } from "../actuation/profiles.js";
import { FMA } from "../cluster/fma.js";
import { closeServer, listen, methodNotAllowed, notFound, readJson, sendJson, sendText, type FmaPod, type FmaPodInfo, type FmaShared } from "./fma-http.js";

export const DEFAULT_ADMIN_PORT = 8081;
export const DEFAULT_PROBE_PORT = 8080;

/** Bytes in use on each GPU: an awake (or loading) instance at its utilization, plus each sleeper's footprint. */
export function acceleratorMemory(shared: FmaShared, gpus: readonly string[]): Record<string, number> {
  const mem = modelMemory(shared.profile);
  const all = shared.sim.instances();
  const out: Record<string, number> = {};
  for (const g of gpus) {
    const here = all.filter((i) => i.gpus.includes(g));
    const sleepers = here.filter((i) => i.status === "sleeping").length;
    const awake = here.some((i) => i.status === "awake" || i.status === "starting");
    out[g] = Math.round(sleepers * mem.sleepingBytesPerGpu + (awake ? mem.awakeUtilization(sleepers) * mem.gpuMemoryBytes : 0));
  }
  return out;
}

export async function startRequester(shared: FmaShared, info: FmaPodInfo): Promise<FmaPod> {
  const admin = Number(info.annotations[FMA.adminPort] ?? DEFAULT_ADMIN_PORT);
  const probePorts = info.ports.filter((p) => p !== admin);
  if (!probePorts.length) probePorts.push(DEFAULT_PROBE_PORT);
  let ready = false;
  let proxy: { address: string; port: number } = { address: "", port: 0 };
  const say = (msg: string) => info.log.push(`${new Date(shared.clock.toEpochMs(shared.clock.now)).toISOString()} requester: ${msg}`);
  const servers: Server[] = [];
  say(`serving the SPI on ${info.ip}:${admin}, /ready on ${probePorts.map((p) => `${info.ip}:${p}`).join(", ")}; accelerators ${info.gpus.join(",") || "none"}`);

  servers.push(await listen(info.ip, admin, async (req, res, url) => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /v1/dual-pods/accelerators": sendJson(res, 200, info.gpus); return;
      case "GET /v1/dual-pods/accelerator-memory-usage": sendJson(res, 200, acceleratorMemory(shared, info.gpus)); return;
      case "POST /v1/become-ready": if (!ready) say("became ready"); ready = true; sendText(res, 200, ""); return;
      case "POST /v1/become-unready": if (ready) say("became unready"); ready = false; sendText(res, 200, ""); return;
      case "POST /v1/set-log": {
        const pos = Number(url.searchParams.get("startPos") ?? "0");
        if (!Number.isInteger(pos) || pos < 0) { sendJson(res, 400, { detail: "startPos: a non-negative integer is expected" }); return; }
        say(`relaying the inference server's log from byte ${pos}`);
        sendText(res, 200, "");
        return;
      }
      case "GET /v1/proxy/config": sendJson(res, 200, proxy); return;
      case "PUT /v1/proxy/config": {
        const b = await readJson(req).catch(() => undefined) as { address?: unknown; port?: unknown } | undefined;
        if (!b || typeof b.address !== "string" || !Number.isInteger(b.port)) { sendJson(res, 400, { detail: "body: {address: string, port: integer} expected" }); return; }
        proxy = { address: b.address, port: b.port as number };
        sendJson(res, 200, proxy);
        return;
      }
      default:
        if (url.pathname.startsWith("/v1/")) methodNotAllowed(res); else notFound(res);
    }
  }));
  for (const port of probePorts) {
    servers.push(await listen(info.ip, port, (req, res, url) => {
      if (url.pathname !== "/ready") { notFound(res); return; }
      if (req.method !== "GET") { methodNotAllowed(res); return; }
      if (ready) sendText(res, 200, "OK"); else sendText(res, 503, "not ready");
    }));
  }
  return { close: async () => { await Promise.all(servers.map(closeServer)); } };
}
