/**
 * The FMA launcher on the test bed: the REST service on port 8001 (fma.md §1.7) — index, health,
 * create (auto id or named; 409 on a taken id), list (detail or ids), status, delete one or all,
 * the instance log with byte ranges, and the NDJSON instance watch with revisions and 410 Gone —
 * over the embedded cluster's `LauncherApi`. Each instance is a vLLM server (fma-vllm.ts) that opens
 * on the pod IP at its `--port` once its model has loaded (the profile's seeded `instanceLoad`
 * draw): until then a client gets connection refused, as from a real loading vLLM.
 */
import { randomUUID } from "node:crypto";
import type { Server, ServerResponse } from "node:http";
import { sampleStep } from "../actuation/profiles.js";
import { podKey } from "../cluster/pods.js";
import { closeServer, listen, methodNotAllowed, notFound, readJson, sendJson, sendText, type FmaPod, type FmaPodInfo, type FmaShared } from "./fma-http.js";
import { vllmHandler } from "./fma-vllm.js";

export const LAUNCHER_PORT = 8001;
/** Watch events kept for resuming (the launcher's buffer size). */
const WATCH_BUFFER = 1000;

interface Instance {
  id: string;
  config: { options: string; gpu_uuids?: string[]; env_vars?: Record<string, string>; annotations?: Record<string, string> };
  revision: number;
  port: number;
  server?: Server;
  loading?: NodeJS.Timeout;
}

interface WatchEvent { type: "CREATED" | "STOPPED" | "DELETED"; object: Record<string, unknown> }

/** Parses the launcher's create body; a string naming what is wrong, FastAPI-style, when invalid. */
function parseConfig(body: unknown): Instance["config"] | string {
  if (!body || typeof body !== "object" || Array.isArray(body)) return "body must be a JSON object";
  const b = body as Record<string, unknown>;
  if (typeof b.options !== "string") return "options: a string is required";
  const strings = (v: unknown) => v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
  if (b.gpu_uuids != null && !(Array.isArray(b.gpu_uuids) && b.gpu_uuids.every((g) => typeof g === "string"))) return "gpu_uuids: a list of strings is expected";
  if (b.env_vars != null && !strings(b.env_vars)) return "env_vars: a map of strings is expected";
  if (b.annotations != null && !strings(b.annotations)) return "annotations: a map of strings is expected";
  return {
    options: b.options,
    ...(b.gpu_uuids != null ? { gpu_uuids: [...(b.gpu_uuids as string[])] } : {}),
    ...(b.env_vars != null ? { env_vars: { ...(b.env_vars as Record<string, string>) } } : {}),
    ...(b.annotations != null ? { annotations: { ...(b.annotations as Record<string, string>) } } : {}),
  };
}

/** `--port N` / `--port=N` in the vLLM options; vLLM's default 8000 otherwise. */
export function portOf(options: string): number {
  const m = /(?:^|\s)--port(?:=|\s+)(\d+)/.exec(options);
  return m ? Number(m[1]) : 8000;
}

export async function startLauncher(shared: FmaShared, info: FmaPodInfo): Promise<FmaPod> {
  const { sim, clock, profile } = shared;
  const ns = info.namespace, pod = info.name;
  sim.addLauncher(ns, pod);
  sim.steps.processStarted(ns, pod, "launcher");
  const instances = new Map<string, Instance>();
  const events: (WatchEvent & { revision: number })[] = [];
  const watchers = new Set<ServerResponse>();
  let revision = 0;
  let closed = false;
  const r = info.rng;

  const state = (i: Instance, status: "running" | "stopped") => ({ status, instance_id: i.id, revision: i.revision, ...i.config });
  const publish = (type: WatchEvent["type"], object: Record<string, unknown>) => {
    events.push({ type, object, revision });
    if (events.length > WATCH_BUFFER) events.splice(0, events.length - WATCH_BUFFER);
    for (const w of watchers) w.write(`${JSON.stringify({ type, object })}\n`);
  };

  const create = (id: string, config: Instance["config"], res: ServerResponse) => {
    if (instances.has(id)) { sendJson(res, 409, { detail: `instance ${id} already exists` }); return; }
    // The GPU translator: UUIDs of this node → CUDA indices for the child's CUDA_VISIBLE_DEVICES.
    if (config.gpu_uuids?.length) {
      const idx = config.gpu_uuids.map((u) => info.nodeGpus.indexOf(u));
      const bad = config.gpu_uuids.filter((_, k) => idx[k]! < 0);
      if (bad.length) { sendJson(res, 500, { detail: `unknown GPU UUID(s) on this node: ${bad.join(", ")}` }); return; }
      config.env_vars = { ...(config.env_vars ?? {}), CUDA_VISIBLE_DEVICES: idx.join(",") };
    }
    const port = portOf(config.options);
    const api = sim.launcher(ns, pod)!;
    api.createInstance(id, { gpus: config.gpu_uuids ?? [], port, isc: config.annotations?.["dual-pods.llm-d.ai/inference-server-config"] ?? "" });
    const inst: Instance = { id, config, revision: ++revision, port };
    instances.set(id, inst);
    const loadMs = sampleStep(profile, "instanceLoad", r);
    inst.loading = clock.after(loadMs, () => {
      inst.loading = undefined;
      if (closed || instances.get(id) !== inst) return;
      sim.steps.instanceLoaded(ns, pod, id, port, loadMs);
      listen(info.ip, port, vllmHandler(shared, { namespace: ns, pod, instanceId: id }, () => (instances.get(id) === inst ? sim.vllm(ns, pod, id) : undefined), r.split(`vllm-${id}`)))
        .then((s) => { if (closed || instances.get(id) !== inst) void closeServer(s); else inst.server = s; })
        .catch((e) => info.log.push(`vLLM instance ${id}: cannot listen on ${info.ip}:${port}: ${(e as Error).message}`));
    });
    const out = state(inst, "running");
    publish("CREATED", out);
    sendJson(res, 201, out);
  };

  const stop = async (inst: Instance) => {
    if (inst.loading) clearTimeout(inst.loading);
    if (inst.server) await closeServer(inst.server);
    instances.delete(inst.id);
    sim.launcher(ns, pod)?.deleteInstance(inst.id);
    inst.revision = ++revision;
    const out = state(inst, "stopped");
    publish("DELETED", out);
    return out;
  };

  /** The instance's own log: its lines of the pod's hardware log. */
  const instanceLog = (id: string) => Buffer.from((sim.podLog(ns, pod) ?? []).filter((l) => l.text.includes(`[instance=${id}]`)).map((l) => `${l.text}\n`).join(""));

  const serveLog = (res: ServerResponse, id: string, range: string | undefined) => {
    const data = instanceLog(id);
    const total = data.length;
    let start = 0, end = Math.min(total, 1 << 20) - 1;
    if (range !== undefined) {
      const m = /^bytes=(\d+)?-(\d+)?$/.exec(range);
      if (!m || (m[1] === undefined && m[2] === undefined) || (m[1] === undefined && Number(m[2]) <= 0) || (m[1] !== undefined && m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
        sendJson(res, 400, { detail: `malformed or unsupported Range header: ${range}` }); return;
      }
      if (m[1] === undefined) { start = Math.max(0, total - Number(m[2])); end = total - 1; }
      else { start = Number(m[1]); end = Math.min(m[2] !== undefined ? Number(m[2]) : start + (1 << 20) - 1, total - 1); }
      if (start >= total) { res.writeHead(416, { "Content-Range": `bytes */${total}`, "Content-Length": 0 }); res.end(); return; }
    }
    const body = data.subarray(start, end + 1);
    const headers: Record<string, string | number> = { "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", "Content-Length": body.length };
    if (body.length > 0) headers["Content-Range"] = `bytes ${start}-${start + body.length - 1}/${total}`;
    res.writeHead(range !== undefined ? 206 : 200, headers);
    res.end(body);
  };

  const watch = (res: ServerResponse, since: string | null) => {
    const oldest = revision - events.length;
    if (since !== null) {
      const n = Number(since);
      if (!Number.isInteger(n)) { sendJson(res, 422, { detail: "since: an integer is expected" }); return; }
      if (n < oldest) { sendJson(res, 410, { detail: `revision ${n} is gone; the oldest kept is ${oldest}` }); return; }
    }
    res.writeHead(200, { "Content-Type": "application/x-ndjson", "X-Content-Type-Options": "nosniff" });
    if (since === null) for (const i of instances.values()) res.write(`${JSON.stringify({ type: "CREATED", object: state(i, "running") })}\n`);
    else for (const e of events) if (e.revision > Number(since)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    watchers.add(res);
    res.on("close", () => watchers.delete(res));
  };

  let server: Server | undefined;
  const booting = clock.after(sampleStep(profile, "launcherStart", r), () => {
    if (closed) return;
    listen(info.ip, LAUNCHER_PORT, async (req, res, url) => {
      const path = url.pathname.replace(/\/+$/, "") || "/";
      const m = /^\/v2\/vllm\/instances(?:\/([^/]+))?(\/log)?$/.exec(path);
      if (path === "/" && req.method === "GET") {
        sendJson(res, 200, { name: "actuation-lab simulated vLLM launcher", version: "2.0", endpoints: ["GET /", "GET /health", "POST /v2/vllm/instances", "PUT /v2/vllm/instances/{instance_id}", "DELETE /v2/vllm/instances/{instance_id}", "DELETE /v2/vllm/instances", "GET /v2/vllm/instances/{instance_id}", "GET /v2/vllm/instances", "GET /v2/vllm/instances/{instance_id}/log", "GET /v2/vllm/instances/watch"] });
        return;
      }
      if (path === "/health") { if (req.method === "GET") sendJson(res, 200, { status: "OK" }); else methodNotAllowed(res); return; }
      if (!m) { notFound(res); return; }
      const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      if (id === "watch" && !m[2]) { if (req.method === "GET") watch(res, url.searchParams.get("since")); else methodNotAllowed(res); return; }
      if (m[2]) {
        if (req.method !== "GET") { methodNotAllowed(res); return; }
        if (!instances.has(id!)) { sendJson(res, 404, { detail: `instance ${id} not found` }); return; }
        const range = req.headers.range;
        serveLog(res, id!, typeof range === "string" ? range : undefined);
        return;
      }
      if (req.method === "POST" && id === undefined || req.method === "PUT" && id !== undefined) {
        let body: unknown;
        try { body = await readJson(req); } catch (e) { sendJson(res, 422, { detail: `body: ${(e as Error).message}` }); return; }
        const config = parseConfig(body);
        if (typeof config === "string") { sendJson(res, 422, { detail: config }); return; }
        create(id ?? randomUUID(), config, res);
        return;
      }
      if (req.method === "DELETE") {
        if (id === undefined) {
          const stopped = [];
          for (const i of [...instances.values()]) stopped.push(await stop(i));
          sendJson(res, 200, { status: "all_stopped", stopped_instances: stopped, total_stopped: stopped.length });
          return;
        }
        const inst = instances.get(id);
        if (!inst) { sendJson(res, 404, { detail: `instance ${id} not found` }); return; }
        sendJson(res, 200, await stop(inst));
        return;
      }
      if (req.method === "GET") {
        if (id !== undefined) {
          const inst = instances.get(id);
          if (inst) sendJson(res, 200, state(inst, "running")); else sendJson(res, 404, { detail: `instance ${id} not found` });
          return;
        }
        const detail = !/^(false|0)$/i.test(url.searchParams.get("detail") ?? "true");
        const all = [...instances.values()];
        sendJson(res, 200, detail
          ? { revision, total_instances: all.length, running_instances: all.length, instances: all.map((i) => state(i, "running")) }
          : { revision, instance_ids: all.map((i) => i.id), count: all.length });
        return;
      }
      methodNotAllowed(res);
    }).then((s) => { if (closed) void closeServer(s); else server = s; })
      .catch((e) => info.log.push(`launcher: cannot listen on ${info.ip}:${LAUNCHER_PORT}: ${(e as Error).message}`));
  });

  return {
    async close() {
      closed = true;
      clearTimeout(booting);
      for (const w of watchers) w.end();
      for (const i of [...instances.values()]) { if (i.loading) clearTimeout(i.loading); if (i.server) await closeServer(i.server); }
      instances.clear();
      if (server) await closeServer(server);
      sim.remove(podKey(ns, pod));
    },
  };
}
