// The test bed's FMA servers on their own (no control plane needed, so this runs everywhere): the
// launcher REST API's edges (auto ids, delete all, bad bodies, log ranges, watch resume and 410),
// the vLLM endpoints' state machine and the requester SPI, each at its own loopback address.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createFmaHardware } from "../sdk/testbed/fma-hardware.js";
import type { FmaPod } from "../sdk/testbed/fma-http.js";
import { rng } from "../sdk/core/rng.js";

const hw = createFmaHardware({ timeScale: 200 });
const GPUS = ["GPU-0000", "GPU-1111", "GPU-2222", "GPU-3333"];
const running: FmaPod[] = [];
after(async () => { for (const p of running) await p.close(); });

async function start(kind: "launcher" | "requester" | "vllm", name: string, ip: string, extra: { gpus?: string[]; ports?: number[]; annotations?: Record<string, string> } = {}) {
  const log: string[] = [];
  running.push(await hw.start(kind, { namespace: "t", name, ip, nodeGpus: GPUS, gpus: extra.gpus ?? [], annotations: extra.annotations ?? {}, ports: extra.ports ?? [], log, rng: rng(5).split(name) }));
  return log;
}

async function call(url: string, init?: RequestInit): Promise<{ status: number; body: any; text: string; headers: Headers } | { status: 0; code: string }> {
  try {
    const r = await fetch(url, init);
    const text = await r.text();
    let body: any;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: r.status, body, text, headers: r.headers };
  } catch (e) {
    return { status: 0, code: (e as { cause?: { code?: string } }).cause?.code ?? "?" };
  }
}
const ok = async (url: string, init?: RequestInit) => { const r = await call(url, init); assert.notEqual(r.status, 0, `${url}: connection failed`); return r as Exclude<typeof r, { status: 0 }>; };
async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) { if (await f()) return; await new Promise((r) => setTimeout(r, 20)); }
  throw new Error(`timed out waiting for ${what}`);
}

test("the launcher REST API: auto ids, named ids, bad bodies, unknown GPUs, delete all", async () => {
  const log = await start("launcher", "launcher-1", "127.77.0.2");
  const base = "http://127.77.0.2:8001";
  await until("the launcher listens", async () => (await call(`${base}/health`)).status === 200);
  assert.match(log[0]!, / - launcher - INFO - Launcher starting on port 8001$/);
  const auto = await ok(`${base}/v2/vllm/instances`, { method: "POST", body: JSON.stringify({ options: "--port 8100", gpu_uuids: ["GPU-3333"] }) });
  assert.equal(auto.status, 201);
  assert.match(auto.body.instance_id, /^[0-9a-f-]{36}$/);
  assert.equal(auto.body.env_vars.CUDA_VISIBLE_DEVICES, "3");
  assert.equal((await ok(`${base}/v2/vllm/instances/I2i`, { method: "PUT", body: JSON.stringify({ options: "--port=8101" }) })).status, 201);
  for (const bad of ["{", JSON.stringify({}), JSON.stringify({ options: 5 }), JSON.stringify({ options: "", gpu_uuids: "GPU-0000" }), JSON.stringify({ options: "", env_vars: { A: 1 } })]) {
    assert.equal((await ok(`${base}/v2/vllm/instances/I3i`, { method: "PUT", body: bad })).status, 422, bad);
  }
  const unknownGpu = await ok(`${base}/v2/vllm/instances/I4i`, { method: "PUT", body: JSON.stringify({ options: "", gpu_uuids: ["GPU-elsewhere"] }) });
  assert.equal(unknownGpu.status, 500);
  assert.match(unknownGpu.body.detail, /GPU-elsewhere/);
  const list = await ok(`${base}/v2/vllm/instances`);
  assert.equal(list.body.total_instances, 2);
  assert.equal(list.body.revision, 2);
  assert.deepEqual(list.body.instances.map((i: any) => i.status), ["running", "running"]);
  assert.equal((await ok(`${base}/v2/vllm/instances/I2i`, { method: "PATCH" })).status, 405);
  assert.equal((await ok(`${base}/v3/nothing`)).status, 404);
  const all = await ok(`${base}/v2/vllm/instances`, { method: "DELETE" });
  assert.equal(all.body.status, "all_stopped");
  assert.equal(all.body.total_stopped, 2);
  assert.deepEqual(all.body.stopped_instances.map((i: any) => [i.status, i.revision]), [["stopped", 3], ["stopped", 4]]);
  assert.deepEqual((await ok(`${base}/v2/vllm/instances?detail=false`)).body, { revision: 4, instance_ids: [], count: 0 });
  assert.equal((await ok(`${base}/v2/vllm/instances/I2i`, { method: "DELETE" })).status, 404);
  assert.ok(log.some((l) => l.endsWith("Stopped vLLM instance I2i")));
});

test("the launcher's watch resumes from a revision and answers 410 below what it keeps; logs honour byte ranges", { timeout: 60_000 }, async () => {
  await start("launcher", "launcher-2", "127.77.0.3");
  const base = "http://127.77.0.3:8001";
  await until("the launcher listens", async () => (await call(`${base}/health`)).status === 200);
  await ok(`${base}/v2/vllm/instances/Iai`, { method: "PUT", body: JSON.stringify({ options: "--port 8200", gpu_uuids: ["GPU-0000"] }) });
  await ok(`${base}/v2/vllm/instances/Ibi`, { method: "PUT", body: JSON.stringify({ options: "--port 8201", gpu_uuids: ["GPU-1111"] }) });
  await ok(`${base}/v2/vllm/instances/Iai`, { method: "DELETE" });
  // since=1: the events after revision 1, then it stays open.
  const ctl = new AbortController();
  const res = await fetch(`${base}/v2/vllm/instances/watch?since=1`, { signal: ctl.signal });
  const reader = res.body!.getReader();
  let text = "";
  // Two lines, or the stream's end (then the assertion below says what came): a finished reader keeps answering done at once.
  for (let r = await reader.read(); !r.done; r = await reader.read()) { text += new TextDecoder().decode(r.value); if (text.split("\n").length >= 3) break; }
  ctl.abort();
  assert.deepEqual(text.trim().split("\n").map((l) => { const e = JSON.parse(l); return [e.type, e.object.instance_id, e.object.revision]; }), [["CREATED", "Ibi", 2], ["DELETED", "Iai", 3]]);
  assert.equal((await ok(`${base}/v2/vllm/instances/watch?since=-4`)).status, 410);
  assert.equal((await ok(`${base}/v2/vllm/instances/watch?since=x`)).status, 422);

  await until("Ibi loaded", async () => (await call("http://127.77.0.3:8201/health")).status === 200);
  const full = await ok(`${base}/v2/vllm/instances/Ibi/log`);
  assert.equal(full.status, 200);
  assert.match(full.text, /\[instance=Ibi\] \[api_server\.py:1090\] non-default args: .*'port': 8201/);
  assert.doesNotMatch(full.text, /instance=Iai/);
  const n = Buffer.byteLength(full.text);
  const suffix = await ok(`${base}/v2/vllm/instances/Ibi/log`, { headers: { Range: "bytes=-5" } });
  assert.equal(suffix.status, 206);
  assert.equal(suffix.text, full.text.slice(-5));
  assert.equal(suffix.headers.get("content-range"), `bytes ${n - 5}-${n - 1}/${n}`);
  const beyond = await ok(`${base}/v2/vllm/instances/Ibi/log`, { headers: { Range: `bytes=${n}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get("content-range"), `bytes */${n}`);
  for (const bad of ["bytes=5-2", "bytes=-0", "lines=1-2"]) assert.equal((await ok(`${base}/v2/vllm/instances/Ibi/log`, { headers: { Range: bad } })).status, 400, bad);
});

test("a vLLM instance: refused while loading, then sleep and wake with their log lines; /metrics and /v1/models", async () => {
  const log = await start("launcher", "launcher-3", "127.77.0.4");
  const base = "http://127.77.0.4:8001";
  await until("the launcher listens", async () => (await call(`${base}/health`)).status === 200);
  await ok(`${base}/v2/vllm/instances/Ici`, { method: "PUT", body: JSON.stringify({ options: "--port 8300", gpu_uuids: ["GPU-2222"] }) });
  const early = await call("http://127.77.0.4:8300/is_sleeping");
  assert.equal(early.status, 0);
  await until("the model loaded", async () => (await call("http://127.77.0.4:8300/is_sleeping")).status === 200);
  const v = "http://127.77.0.4:8300";
  assert.deepEqual((await ok(`${v}/is_sleeping`)).body, { is_sleeping: false });
  assert.equal((await ok(`${v}/sleep?level=x`, { method: "POST" })).status, 400);
  assert.equal((await ok(`${v}/sleep`, { method: "GET" })).status, 405);
  // Two sleeps at once: served one after the other, one fall-asleep line.
  await Promise.all([ok(`${v}/sleep?level=1`, { method: "POST" }), ok(`${v}/sleep?level=1`, { method: "POST" })]);
  assert.equal(log.filter((l) => l.includes("seconds to fall asleep.")).length, 1);
  assert.deepEqual((await ok(`${v}/is_sleeping`)).body, { is_sleeping: true });
  assert.equal((await ok(`${v}/health`)).status, 200, "a sleeping engine is healthy");
  assert.match((await ok(`${v}/metrics`)).text, /sleep_state="weights_offloaded"\} 1/);
  assert.equal((await ok(`${v}/wake_up`, { method: "POST" })).status, 200);
  assert.match((await ok(`${v}/metrics`)).text, /sleep_state="awake"\} 1/);
  assert.ok(log.some((l) => /\[instance=Ici\] \[gpu_worker\.py:130\] It took [0-9.]+ seconds to wake up/.test(l)));
  assert.equal((await ok(`${v}/v1/models`)).body.object, "list");
});

test("the requester SPI: accelerators, memory per GPU, readiness relay, set-log, proxy config", async () => {
  const log = await start("requester", "req-1", "127.77.0.5", { gpus: ["GPU-3333", "GPU-1111"], ports: [9090], annotations: { "dual-pods.llm-d.ai/admin-port": "9091" } });
  const spi = "http://127.77.0.5:9091";
  assert.deepEqual((await ok(`${spi}/v1/dual-pods/accelerators`)).body, ["GPU-3333", "GPU-1111"]);
  // GPU-3333's instances were all deleted; launcher-2's instance Ibi is awake on GPU-1111.
  const mem = (await ok(`${spi}/v1/dual-pods/accelerator-memory-usage`)).body;
  assert.equal(mem["GPU-3333"], 0);
  assert.ok(mem["GPU-1111"] > 60 * 2 ** 30, String(mem["GPU-1111"]));
  assert.equal((await ok("http://127.77.0.5:9090/ready")).status, 503);
  assert.equal((await ok(`${spi}/v1/become-ready`, { method: "POST" })).status, 200);
  assert.equal((await ok("http://127.77.0.5:9090/ready")).status, 200);
  assert.equal((await ok(`${spi}/v1/set-log?startPos=12`, { method: "POST" })).status, 200);
  assert.equal((await ok(`${spi}/v1/set-log?startPos=-1`, { method: "POST" })).status, 400);
  assert.equal((await ok(`${spi}/v1/proxy/config`, { method: "PUT", body: "{}" })).status, 400);
  assert.deepEqual((await ok(`${spi}/v1/proxy/config`)).body, { address: "", port: 0 });
  assert.equal((await ok(`${spi}/v1/dual-pods/accelerators`, { method: "POST" })).status, 405);
  assert.ok(log.some((l) => l.endsWith("requester: became ready")));
  assert.ok(log.some((l) => l.endsWith("relaying the inference server's log from byte 12")));
});

test("kindOf recognises the FMA images by repository name only", () => {
  const pod = (image: string) => ({ spec: { containers: [{ name: "c", image }] } });
  assert.deepEqual(hw.kindOf(pod("ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher:v0.6.4")), { kind: "launcher", container: "c" });
  assert.deepEqual(hw.kindOf(pod("ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/requester@sha256:ab")), { kind: "requester", container: "c" });
  assert.deepEqual(hw.kindOf(pod("vllm/vllm-openai:v0.11.0")), { kind: "vllm", container: "c" });
  assert.equal(hw.kindOf(pod("example/launcher-ui:1")), undefined);
  assert.equal(hw.kindOf(pod("example/web:1")), undefined);
});
