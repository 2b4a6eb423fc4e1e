/**
 * `actlab watch`: pods (and optionally the FMA objects and Events) through the real Kubernetes
 * client, printed one line per event and recorded to a JSONL event log, against the embedded
 * cluster by default or a real one with --kubeconfig. --record DIR also reads the FMA evidence
 * (DPC log, vLLM logs, /metrics) when the watch stops, so `actlab classify DIR` can decide paths.
 */
import { join } from "node:path";
import { startCluster, type RunningCluster } from "../../cluster/start.js";
import { recordEvents } from "../../kube/event-log.js";
import { createObject, scaleDeployment } from "../../kube/api-calls.js";
import { contextNamespace, loadKubeConfig } from "../../kube/kubeconfig.js";
import { EVENTS, FMA_RESOURCES, PODS, type KubeObject, type WatchEvent } from "../../kube/types.js";
import { watchPods } from "../../kube/watch.js";
import type { KubeConfig } from "@kubernetes/client-node";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";
import { reportWatch, WATCH_RETRY_FLAGS, WATCH_RETRY_USAGE, watchRetryOptions } from "../watch-options.js";
import { recordWatchEvidence } from "../watch-evidence.js";

const usage = `Usage: actlab watch [options]

Lists then watches pods through @kubernetes/client-node and prints one line per event (time
received, type, pod, phase, Ready, the FMA dual/sleeping labels); resumes dropped streams, relists
on 410 Gone and when the server's versions go backwards (a server replaced with fresh state);
retries an unreachable server forever unless --watch-max-attempts. Stops on SIGINT or after --duration.
  --kubeconfig PATH   a real cluster (default: start the embedded one; --scale N scales its demo requester)
  --namespace NS      default: the context's namespace
  --selector SEL      label selector
  --fma               also watch the FMA custom resources
  --events            also watch Kubernetes Events (µs scheduling times)
  --out FILE          record to a JSONL event log (replayable: actlab classify --events FILE)
  --record DIR        record a run folder for 'actlab classify DIR': DIR/events.jsonl while watching
                      and, when the watch stops, DIR/evidence.jsonl with the dual-pods controller's
                      log, the launcher/provider vLLM logs and /metrics read from the cluster
  --duration S        stop after S wall seconds
  --quiet             no per-event lines
${WATCH_RETRY_USAGE}
Embedded cluster: --time-scale X (default 100) --seed N (1) --scale N (default 1: scale a requester Deployment 0→N once)`;

function line(e: WatchEvent): string {
  const m = e.object.metadata ?? {};
  const st = (e.object.status ?? {}) as { phase?: string; conditions?: { type?: string; status?: string }[] };
  const ready = st.conditions?.find((c) => c.type === "Ready")?.status ?? "-";
  const dual = m.labels?.["dual-pods.llm-d.ai/dual"] ?? "";
  const sleeping = m.labels?.["dual-pods.llm-d.ai/sleeping"] ?? "";
  const at = new Date(e.receivedWallMs).toISOString().slice(11, 23);
  return `${at} ${e.type.padEnd(8)} ${e.origin.padEnd(6)} ${e.resource}/${m.name ?? "?"} rv=${m.resourceVersion ?? ""}${e.resource === "pods" ? ` ${st.phase ?? "-"} ready=${ready}${dual ? ` dual=${dual}` : ""}${sleeping ? ` sleeping=${sleeping}` : ""}` : ""}`;
}

export const command: Command = {
  name: "watch",
  summary: "watch pods through the real Kubernetes client; record a replayable event log",
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      kubeconfig: { type: "string" }, namespace: { type: "string" }, selector: { type: "string" }, fma: { type: "boolean" }, events: { type: "boolean" },
      out: { type: "string" }, record: { type: "string" }, duration: { type: "string" }, quiet: { type: "boolean" }, "time-scale": { type: "string" }, seed: { type: "string" }, scale: { type: "string" },
      ...WATCH_RETRY_FLAGS,
    }, false);
    const retry = watchRetryOptions(values);
    if (values.out && values.record) throw new UsageError("--out FILE and --record DIR both record the events; give one");
    const eventLog = values.record ? join(values.record, "events.jsonl") : values.out;
    const duration = values.duration === undefined ? undefined : numberOption(values.duration, "duration", 0, 0.01, 7 * 86_400);
    let cluster: RunningCluster | null = null;
    let kc: KubeConfig;
    if (values.kubeconfig) kc = await loadKubeConfig(values.kubeconfig);
    else {
      cluster = await startCluster({ seed: numberOption(values.seed, "seed", 1), timeScale: numberOption(values["time-scale"], "time-scale", 100, 1e-3, 1e7), nodes: 1, gpusPerNode: 2 });
      kc = cluster.kubeConfig;
      process.stderr.write(`embedded cluster ${cluster.url}; kubeconfig ${cluster.kubeconfigPath}\n`);
    }
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once("SIGINT", stop);
    const timer = duration !== undefined ? setTimeout(stop, duration * 1000) : undefined;
    const namespace = values.namespace ?? contextNamespace(kc);
    const resources = [PODS, ...(values.fma ? FMA_RESOURCES : []), ...(values.events ? [EVENTS] : [])];
    let stream: AsyncIterable<WatchEvent> = watchPods({ kubeConfig: kc, namespace, labelSelector: values.selector, resources, signal: ac.signal,
      ...retry, ...reportWatch((l) => process.stderr.write(l + "\n")) });
    if (eventLog) stream = recordEvents(stream, eventLog, { source: { server: kc.getCurrentCluster()?.server ?? "", namespace, selector: values.selector ?? "", resources: resources.map((r) => r.plural) } });
    let n = 0;
    const seen: WatchEvent[] = [];
    try {
      if (cluster) {
        await createObject(kc, `/apis/apps/v1/namespaces/${namespace}/deployments`, cluster.model.requesterDeployment("demo") as unknown as KubeObject);
        await scaleDeployment(kc, namespace, "demo", numberOption(values.scale, "scale", 1, 0, 64));
      }
      for await (const e of stream) {
        n++;
        if (values.record) seen.push(e);
        if (!values.quiet) process.stdout.write(line(e) + "\n");
      }
      // The evidence is read while the cluster (embedded or not) still serves the pods' logs.
      if (values.record) {
        const ev = await recordWatchEvidence(kc, namespace, seen, values.record);
        process.stderr.write(`evidence: ${ev.sources.length ? ev.sources.join(", ") : "none"} → ${join(values.record, "evidence.jsonl")}\n`);
        for (const m of ev.missing) process.stderr.write(`  missing ${m}\n`);
      }
    } finally {
      if (timer) clearTimeout(timer);
      process.removeListener("SIGINT", stop);
      await cluster?.stop();
    }
    process.stderr.write(`${n} events${eventLog ? `, recorded to ${eventLog}` : ""}\n`);
    if (values.out) process.stderr.write(`hint: classify needs the dual-pods controller's log to tell hot from warm from cold_launcher; --record DIR reads it (and the vLLM logs) when the watch stops\n`);
    return 0;
  },
};
