/**
 * Classification throughput: 1e5 recorded-shape actuations (hot / warm / cold_launcher mixed, with
 * their DPC log lines) through lifecycle reduction, DPC log parsing, classification and summary.
 * Target from issue 4: classify 1e5 actuations in ≤ 1 s. Prints figures; asserts no times.
 */
import { figure, peakRssMb, timeIt } from "./measure.js";
import type { WatchEvent, KubeObject } from "../../sdk/kube/types.js";
import { podLifecycles } from "../../sdk/kube/lifecycle.js";
import { parseDpcLog } from "../../sdk/actuation/evidence.js";
import { classifyActuations } from "../../sdk/actuation/classify.js";
import { summarizeActuations } from "../../sdk/actuation/summary.js";
import { toNopResult, toYamlText } from "../../sdk/actuation/nop-result.js";
import { stringify as stringifyYaml } from "yaml";

const N = Number(process.env.ACTLAB_BENCH_ACTUATIONS ?? 100_000);
const T0 = Date.parse("2026-11-23T09:00:00Z");
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
const rfc = (ms: number) => new Date(ms).toISOString();

function generate(n: number): { events: WatchEvent[]; dpc: string[] } {
  const events: WatchEvent[] = [];
  const dpc: string[] = [];
  let rv = 1;
  const push = (type: WatchEvent["type"], object: KubeObject, at: number) => {
    object.metadata!.resourceVersion = String(++rv);
    events.push({ seq: events.length, type, resource: "pods", origin: "watch", receivedWallMs: at, receivedMonoMs: at - T0, object });
  };
  const line = (t: number, msg: string, kv: string) => `I1123 ${new Date(t).toISOString().slice(11, 23)}000       1 http.go:87] "${msg}" ${kv}`;
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 10_000;
    const name = `req-${i}`;
    const uid = `u${i}`;
    const kind = i % 10 === 0 ? "cold_launcher" : i % 10 < 4 ? "warm" : "hot";
    const launcher = kind === "cold_launcher" ? `launcher-${i}` : `launcher-${i - (i % 10)}`;
    const meta = () => ({ name, namespace: "ns", uid, creationTimestamp: iso(t), labels: { app: "r" } as Record<string, string>, annotations: { "dual-pods.llm-d.ai/inference-server-config": "default" } as Record<string, string> });
    push("ADDED", { metadata: meta(), spec: {}, status: { phase: "Pending" } }, t);
    const running = { phase: "Running", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: iso(t) }], containerStatuses: [{ name: "inference-server", state: { running: { startedAt: iso(t + 1300) } } }] };
    push("MODIFIED", { metadata: meta(), spec: { nodeName: "n" }, status: running }, t + 1300);
    if (kind === "cold_launcher") {
      push("ADDED", { metadata: { name: launcher, namespace: "ns", uid: `L${i}`, creationTimestamp: iso(t + 1600), labels: { "app.kubernetes.io/component": "launcher", "dual-pods.llm-d.ai/dual": name }, annotations: { "dual-pods.llm-d.ai/requester": `${uid} ${name}` } }, spec: { nodeName: "n" }, status: {} }, t + 1600);
      dpc.push(line(t + 1610, "Created launcher-based server-providing pod", `requesterName="${name}" serverUID="${uid}" pod="${launcher}" k8sCallStartTime="${rfc(t + 1590)}"`));
    }
    const bound = meta();
    bound.labels["dual-pods.llm-d.ai/dual"] = launcher;
    push("MODIFIED", { metadata: bound, spec: { nodeName: "n" }, status: running }, t + 1700);
    const purpose = kind === "hot" ? "wake" : "create_instance";
    dpc.push(line(t + 1800, "HTTP call done", `requesterName="${name}" serverUID="${uid}" purpose="${purpose}" method="POST" url="u" httpCallStartTime="${rfc(t + 1750)}" latencySecs=0.5 statusCode=200 err=null`));
    dpc.push(line(t + 2400, "HTTP call done", `requesterName="${name}" serverUID="${uid}" purpose="relay_ready" method="POST" url="u" httpCallStartTime="${rfc(t + 2350)}" latencySecs=0.005 statusCode=200 err=null`));
    const ready = { ...running, conditions: [...running.conditions, { type: "Ready", status: "True", lastTransitionTime: iso(t + 6300) }] };
    push("MODIFIED", { metadata: bound, spec: { nodeName: "n" }, status: ready }, t + 6300);
  }
  return { events, dpc };
}

console.log(`actuation classification, ${N.toExponential(0)} actuations`);
const gen = timeIt(() => generate(N));
figure("events generated", gen.value.events.length, "events", 0);
const red = timeIt(() => podLifecycles(gen.value.events));
figure("lifecycle reduction", red.ms, "ms");
figure("  events/s", gen.value.events.length / (red.ms / 1000), "events/s", 0);
const dpc = timeIt(() => parseDpcLog(gen.value.dpc, "dpc.log"));
figure("DPC log parse", dpc.ms, "ms");
figure("  lines/s", gen.value.dpc.length / (dpc.ms / 1000), "lines/s", 0);
const cls = timeIt(() => classifyActuations({ pods: red.value, dpc: dpc.value }));
figure("classification (target ≤ 1000 ms)", cls.ms, "ms");
figure("  actuations/s", N / (cls.ms / 1000), "actuations/s", 0);
const sum = timeIt(() => summarizeActuations(cls.value));
figure("summary (rates, distributions)", sum.ms, "ms");
const nop = timeIt(() => toNopResult(cls.value));
figure("nop result object", nop.ms, "ms");
const yaml = timeIt(() => toYamlText(nop.value));
figure("nop result.yaml text", yaml.ms, "ms");
figure("  MB/s", yaml.value.length / 1e6 / (yaml.ms / 1000), "MB/s", 1);
// The general-purpose library on the same document, for the ratio (a smaller slice: it is slow).
const slice = toNopResult(cls.value.slice(0, Math.ceil(N / 10)));
const fast = timeIt(() => toYamlText(slice));
const lib = timeIt(() => stringifyYaml(slice, { lineWidth: 0, aliasDuplicateObjects: false }));
figure("  yaml package on a tenth (same bytes: " + String(fast.value === lib.value) + ")", lib.ms, "ms");
figure("  speed-up over the yaml package", lib.ms / fast.ms, "×", 1);
figure("end to end (reduce + parse + classify + summary)", red.ms + dpc.ms + cls.ms + sum.ms, "ms");
const wrong = cls.value.filter((a, i) => a.path !== (i % 10 === 0 ? "cold_launcher" : i % 10 < 4 ? "warm" : "hot")).length;
figure("misclassified (should be 0)", wrong, "", 0);
figure("peak RSS", peakRssMb(), "MB", 0);
