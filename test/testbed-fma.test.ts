// The FMA hardware behind the test bed's pods (issue 12, node agent item): pods of the FMA requester,
// launcher and vLLM images, scheduled by the real scheduler, serve the components' HTTP contracts
// (fma.md §1.6–1.8) at http://podIP:port from the host; the test plays the dual-pods controller's
// calls and sees the instance lifecycle (create, load, sleep, wake, delete) and the requester's
// readiness relay reach the real API server through the node agent's probes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestbed, type Testbed } from "../sdk/testbed/start.js";
import { testbedInstalled } from "../sdk/testbed/versions.js";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";
import { untilDefaultServiceAccount } from "./helpers/jobs-study.js";
import { untilTrue } from "./helpers/testbed-pods.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed; run: actlab testbed install";
const FMA_REPO = "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation";
let tb: Testbed;

const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });

async function createPod(body: unknown): Promise<void> {
  const r = await kubeRequest(tb.kubeconfig, "POST", "/api/v1/namespaces/default/pods", {}, json(body));
  assert.equal(r.status, 201, r.body.slice(0, 300));
}

async function getPod(name: string): Promise<any> {
  const r = await kubeRequest(tb.kubeconfig, "GET", `/api/v1/namespaces/default/pods/${name}`);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
}

const isReady = (p: any) => p?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ?? false;

async function untilPod(name: string, what: string, ok: (p: any) => boolean): Promise<any> {
  let pod: any;
  await untilTrue(`${name} ${what}`, async () => ok((pod = await getPod(name))), 60_000);
  return pod;
}

/** An HTTP call from the host; `status: 0` and the error code when the connection fails. */
async function call(url: string, init?: RequestInit): Promise<{ status: number; text: string; code?: string; headers?: Headers }> {
  try {
    const r = await fetch(url, init);
    return { status: r.status, text: await r.text(), headers: r.headers };
  } catch (e) {
    return { status: 0, text: "", code: (e as { cause?: { code?: string } }).cause?.code };
  }
}

async function podLog(name: string): Promise<string> {
  const r = await kubeRequest(tb.kubeconfig, "GET", `/api/v1/namespaces/default/pods/${name}/log`, { container: "inference-server" });
  assert.equal(r.status, 200, r.body.slice(0, 200));
  return r.body;
}

before(async () => {
  if (!installed) return;
  tb = await startTestbed({ nodes: 2, gpusPerNode: 4, timeScale: 50, seed: 12 });
  await untilDefaultServiceAccount(tb.kubeconfig);
});

after(async () => {
  if (installed) await tb?.stop();
});

test("a requester pod serves the SPI with its device-plugin GPUs; its Ready follows the become-ready relay", { skip: !installed && SKIP }, async () => {
  await createPod({
    apiVersion: "v1", kind: "Pod", metadata: { name: "req-a", annotations: { "dual-pods.llm-d.ai/admin-port": "8081", "dual-pods.llm-d.ai/inference-server-config": "isc-a" } },
    spec: { containers: [{ name: "inference-server", image: `${FMA_REPO}/requester:v0.6.4`, ports: [{ containerPort: 8080 }, { containerPort: 8081 }],
      resources: { limits: { "nvidia.com/gpu": "2" } }, readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1 } }] },
  });
  const pod = await untilPod("req-a", "Running", (p) => p?.status?.phase === "Running");
  const ip = pod.status.podIP;
  const acc = await call(`http://${ip}:8081/v1/dual-pods/accelerators`);
  assert.equal(acc.status, 200);
  const gpus = JSON.parse(acc.text) as string[];
  assert.equal(gpus.length, 2);
  for (const g of gpus) assert.match(g, /^GPU-[0-9a-f-]{36}$/);
  // The same GPUs the device plugin exposed to the container.
  assert.match(await podLog("req-a"), new RegExp(`NVIDIA_VISIBLE_DEVICES=${gpus.join(",")}`));
  const mem = JSON.parse((await call(`http://${ip}:8081/v1/dual-pods/accelerator-memory-usage`)).text);
  assert.deepEqual(Object.keys(mem).sort(), [...gpus].sort());
  assert.ok(Object.values(mem).every((b) => b === 0), "no instance holds these GPUs yet");
  assert.equal((await call(`http://${ip}:8080/ready`)).status, 503);
  await new Promise((r) => setTimeout(r, 1500)); // a few probe periods: still not Ready without a relay
  assert.equal(isReady(await getPod("req-a")), false);
  assert.equal((await call(`http://${ip}:8081/v1/become-ready`, { method: "POST" })).status, 200);
  await untilPod("req-a", "Ready after the relay", isReady);
  assert.equal((await call(`http://${ip}:8081/v1/become-unready`, { method: "POST" })).status, 200);
  await untilPod("req-a", "not Ready after become-unready", (p) => !isReady(p));
  const proxy = await call(`http://${ip}:8081/v1/proxy/config`, { method: "PUT", body: JSON.stringify({ address: "127.0.0.1", port: 9000 }) });
  assert.deepEqual(JSON.parse(proxy.text), { address: "127.0.0.1", port: 9000 });
});

test("a launcher pod on the requester's node: instance create, load, sleep, wake, delete over its REST API and the instance's vLLM endpoints", { skip: !installed && SKIP }, async () => {
  const req = await getPod("req-a");
  assert.ok(req, "the requester of the previous test");
  const node = req.spec.nodeName;
  const gpus = JSON.parse((await call(`http://${req.status.podIP}:8081/v1/dual-pods/accelerators`)).text) as string[];
  await createPod({
    apiVersion: "v1", kind: "Pod", metadata: { name: "launcher-a", labels: { "app.kubernetes.io/component": "launcher" } },
    spec: { nodeSelector: { "kubernetes.io/hostname": node }, containers: [{ name: "inference-server", image: `${FMA_REPO}/launcher:v0.6.4`, ports: [{ containerPort: 8001 }],
      env: [{ name: "NVIDIA_VISIBLE_DEVICES", value: "all" }, { name: "VLLM_SERVER_DEV_MODE", value: "1" }],
      livenessProbe: { httpGet: { path: "/health", port: 8001 }, initialDelaySeconds: 10, periodSeconds: 20 },
      readinessProbe: { httpGet: { path: "/v2/vllm/instances", port: 8001 }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 2 } }] },
  });
  const launcher = await untilPod("launcher-a", "Ready (its readiness probe lists instances)", isReady);
  assert.equal(launcher.spec.nodeName, node);
  const base = `http://${launcher.status.podIP}:8001`;
  assert.deepEqual(JSON.parse((await call(`${base}/health`)).text), { status: "OK" });
  assert.deepEqual(JSON.parse((await call(`${base}/v2/vllm/instances`)).text), { revision: 0, total_instances: 0, running_instances: 0, instances: [] });

  // The instance watch, from now on.
  const watched: any[] = [];
  const ctl = new AbortController();
  const watching = fetch(`${base}/v2/vllm/instances/watch`, { signal: ctl.signal }).then(async (res) => {
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    let buf = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString("utf8");
      let i;
      while ((i = buf.indexOf("\n")) >= 0) { watched.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    }
  }).catch(() => {});

  const id = "Itestbed-instance-ai";
  const body = JSON.stringify({ options: "--model meta-llama/Llama-3.1-8B-Instruct --port 8005 --enable-sleep-mode", gpu_uuids: gpus });
  const created = await call(`${base}/v2/vllm/instances/${id}`, { method: "PUT", body, headers: { "Content-Type": "application/json" } });
  assert.equal(created.status, 201, created.text);
  const state = JSON.parse(created.text);
  assert.equal(state.status, "running");
  assert.equal(state.instance_id, id);
  assert.equal(state.revision, 1);
  assert.deepEqual(state.gpu_uuids, gpus);
  // UUIDs translated to the node's CUDA indices.
  assert.match(state.env_vars.CUDA_VISIBLE_DEVICES, /^[0-3],[0-3]$/);
  assert.equal((await call(`${base}/v2/vllm/instances/${id}`, { method: "PUT", body })).status, 409);

  // While the model loads, the instance's port refuses connections (the DPC's is_sleeping retries).
  const vllm = `http://${launcher.status.podIP}:8005`;
  const early = await call(`${vllm}/is_sleeping`);
  assert.equal(early.status, 0);
  assert.equal(early.code, "ECONNREFUSED");
  await untilTrue("the instance serves", async () => (await call(`${vllm}/is_sleeping`)).status === 200, 60_000);
  assert.deepEqual(JSON.parse((await call(`${vllm}/is_sleeping`)).text), { is_sleeping: false });
  assert.equal((await call(`${vllm}/health`)).status, 200);
  assert.equal(JSON.parse((await call(`${vllm}/v1/models`)).text).data[0].id, "meta-llama/Llama-3.1-8B-Instruct");
  const awakeMem = JSON.parse((await call(`http://${req.status.podIP}:8081/v1/dual-pods/accelerator-memory-usage`)).text);
  for (const g of gpus) assert.ok(awakeMem[g] > 60 * 2 ** 30, `awake instance holds most of ${g}: ${awakeMem[g]}`);

  assert.equal((await call(`${vllm}/sleep?level=1`, { method: "POST" })).status, 200);
  assert.deepEqual(JSON.parse((await call(`${vllm}/is_sleeping`)).text), { is_sleeping: true });
  const metrics = (await call(`${vllm}/metrics`)).text;
  assert.match(metrics, new RegExp(`vllm:engine_sleep_state\\{[^}]*instance_id="${id}"[^}]*sleep_state="awake"\\} 0`));
  assert.match(metrics, new RegExp(`vllm:engine_sleep_state\\{[^}]*instance_id="${id}"[^}]*sleep_state="weights_offloaded"\\} 1`));
  const sleepMem = JSON.parse((await call(`http://${req.status.podIP}:8081/v1/dual-pods/accelerator-memory-usage`)).text);
  for (const g of gpus) assert.ok(sleepMem[g] > 0 && sleepMem[g] < awakeMem[g] / 4, `a sleeper's footprint on ${g}: ${sleepMem[g]}`);

  assert.equal((await call(`${vllm}/wake_up`, { method: "POST" })).status, 200);
  assert.deepEqual(JSON.parse((await call(`${vllm}/is_sleeping`)).text), { is_sleeping: false });

  assert.deepEqual(JSON.parse((await call(`${base}/v2/vllm/instances?detail=False`)).text), { revision: 1, instance_ids: [id], count: 1 });
  const log = await call(`${base}/v2/vllm/instances/${id}/log`);
  assert.equal(log.status, 200);
  assert.match(log.text, /It took [0-9.]+ seconds to fall asleep\./);
  assert.match(log.text, /It took [0-9.]+ seconds to wake up/);
  const part = await call(`${base}/v2/vllm/instances/${id}/log`, { headers: { Range: "bytes=0-9" } });
  assert.equal(part.status, 206);
  assert.equal(part.text, log.text.slice(0, 10));
  assert.equal(part.headers?.get("content-range"), `bytes 0-9/${Buffer.byteLength(log.text)}`);

  // The launcher's container log, through the real API server and the node agent's kubelet API.
  const plog = await podLog("launcher-a");
  assert.match(plog, new RegExp(`launcher - INFO - Accepted request to create vLLM instance with id=${id}`));
  assert.match(plog, /Model loading took [0-9.]+ GB and [0-9.]+ seconds/);

  const del = await call(`${base}/v2/vllm/instances/${id}`, { method: "DELETE" });
  assert.equal(del.status, 200);
  assert.equal(JSON.parse(del.text).revision, 2);
  assert.equal((await call(`${vllm}/is_sleeping`)).code, "ECONNREFUSED");
  assert.equal((await call(`${base}/v2/vllm/instances/${id}`)).status, 404);
  await untilTrue("the watch saw CREATED and DELETED", () => watched.length >= 2, 10_000);
  ctl.abort();
  await watching;
  assert.deepEqual(watched.map((e) => [e.type, e.object.instance_id, e.object.revision]), [["CREATED", id, 1], ["DELETED", id, 2]]);
  assert.equal((await call(`${base}/v2/vllm/instances/watch?since=-1`)).status, 410);
});

test("a direct vLLM provider pod turns Ready when its server answers /health, and sleeps and wakes", { skip: !installed && SKIP }, async () => {
  await createPod({
    apiVersion: "v1", kind: "Pod", metadata: { name: "req-a-dual-x1", annotations: { "dual-pods.llm-d.ai/nominal": "nominal-hash-1" } },
    spec: { containers: [{ name: "inference-server", image: "vllm/vllm-openai:v0.11.0", ports: [{ containerPort: 8000 }], resources: { limits: { "nvidia.com/gpu": "1" } },
      readinessProbe: { httpGet: { path: "/health", port: 8000 }, periodSeconds: 2 } }] },
  });
  const pod = await untilPod("req-a-dual-x1", "Ready", isReady);
  const vllm = `http://${pod.status.podIP}:8000`;
  assert.deepEqual(JSON.parse((await call(`${vllm}/is_sleeping`)).text), { is_sleeping: false });
  assert.equal((await call(`${vllm}/sleep?level=1`, { method: "POST" })).status, 200);
  assert.deepEqual(JSON.parse((await call(`${vllm}/is_sleeping`)).text), { is_sleeping: true });
  assert.match((await call(`${vllm}/metrics`)).text, /instance_id="nominal-hash-1"[^}]*sleep_state="weights_offloaded"\} 1/);
  assert.equal((await call(`${vllm}/wake_up`, { method: "POST" })).status, 200);
  assert.match(await podLog("req-a-dual-x1"), /It took [0-9.]+ seconds to wake up/);
});

test("deleting the FMA pods stops their servers", { skip: !installed && SKIP }, async () => {
  const pods = await Promise.all(["req-a", "launcher-a", "req-a-dual-x1"].map(getPod));
  for (const p of pods) {
    const r = await kubeRequest(tb.kubeconfig, "DELETE", `/api/v1/namespaces/default/pods/${p.metadata.name}`);
    assert.equal(r.status, 200);
  }
  await untilTrue("the pods are gone", async () => (await Promise.all(pods.map((p) => getPod(p.metadata.name)))).every((x) => x === undefined), 60_000);
  for (const [p, port] of [[pods[0], 8081], [pods[1], 8001], [pods[2], 8000]] as const) {
    assert.equal((await call(`http://${p.status.podIP}:${port}/`)).code, "ECONNREFUSED", `${p.metadata.name} still listening on ${port}`);
  }
  assert.equal(tb.agent.podCount(), 0);
});
