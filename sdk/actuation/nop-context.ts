/**
 * What a nop `result.yaml` holds beyond the actuations, read from a recorded run the way
 * llm-d-benchmark's harness reads it live (fma.md §2.2, §2.6): per launcher, the vLLM log's
 * sleep/wake events (`vllm_metrics[].sleep_wake`, which upstream's hot check reads), the model
 * load and start times; the launcher pods' IPs (for `launcher_endpoint`/`vllm_endpoint`); the
 * engine (`platform.engines`: the launcher's first container image and vLLM's non-default args)
 * and the model name from vLLM's `non-default args:` line. Pure: same run, same context.
 */
import { podLifecycles } from "../kube/lifecycle.js";
import { parseFmaEvidence } from "./fma-evidence.js";
import type { WatchEvent } from "../kube/types.js";
import { evidenceTexts, type RunAnalysis, type RunInputs } from "./analyze.js";
import { podRole } from "./fma-keys.js";
import type { NopResultOptions, NopScenario, SleepWakeEvent, VllmMetrics } from "./nop-result.js";

export interface NopEngine {
  name: string;
  image?: string;
  version?: string;
  args?: string;
}

export interface NopRunContext {
  /** Pod name → last seen status.podIP (launchers and direct providers). */
  podIps: Map<string, string>;
  vllmMetrics: VllmMetrics[];
  engines: NopEngine[];
  /** The `model` of vLLM's first `non-default args:` line, when logged. */
  model: string | null;
}

const FREED = /Sleep mode freed ([\d.]+) GiB memory, ([\d.]+) GiB memory is still in use/;
const LOADED = /Model loading took ([\d.]+) GB/;
const ARGS = /non-default args: (\{.*\})\s*$/;
const MODEL = /'model': '([^']+)'/;
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms) / 1000);

/** The launcher (and direct provider) pods of `events`: last seen IP and first container image. */
function providerPods(events: readonly WatchEvent[]): Map<string, { ip: string | null; image: string | null }> {
  const out = new Map<string, { ip: string | null; image: string | null }>();
  for (const e of events) {
    const o = e.object as { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { containers?: { image?: string }[] }; status?: { podIP?: string } };
    const name = o.metadata?.name;
    if (e.resource !== "pods" || !name) continue;
    const role = podRole(o.metadata?.labels ?? {}, o.metadata?.annotations ?? {});
    if (role !== "launcher" && role !== "provider") continue;
    const prev = out.get(name);
    out.set(name, { ip: o.status?.podIP ?? prev?.ip ?? null, image: o.spec?.containers?.[0]?.image ?? prev?.image ?? null });
  }
  return out;
}

/**
 * The context of a recorded run (events and evidence as `readRunDir` returns them).
 *
 * @example
 * ```ts
 * const ctx = nopRunContext(readRunDir("datasets/event-logs/hot-8b-h100")); // launchers, vLLM metrics, endpoints
 * ```
 */
export function nopRunContext(run: Pick<RunInputs, "events" | "evidence" | "use">, analysis?: Pick<RunAnalysis, "lifecycles" | "evidence">): NopRunContext {
  const pods = providerPods(run.events);
  // `analysis` is analyzeRun(run)'s (same events, evidence and use): its lifecycles and parsed evidence, not computed again.
  const lifecycles = analysis?.lifecycles ?? podLifecycles(run.events);
  const created = new Map(lifecycles.map((p) => [p.name, p.phases.created.server]));
  const { texts, vllm: parsed } = analysis?.evidence ?? parseFmaEvidence(evidenceTexts(run), lifecycles);
  const textOf = new Map([...texts].filter(([k]) => k.startsWith("pod:")).map(([k, t]) => [k.split("/").pop()!, t]));
  const podIps = new Map<string, string>();
  for (const [name, p] of [...pods].sort(([a], [b]) => a.localeCompare(b))) if (p.ip) podIps.set(name, p.ip);
  const vllmMetrics: VllmMetrics[] = [];
  const engines: NopEngine[] = [];
  let model: string | null = null;
  for (const [name, events] of [...parsed].sort(([a], [b]) => a.localeCompare(b))) {
    const lines = (textOf.get(name) ?? "").split("\n");
    const sleepWake: SleepWakeEvent[] = [];
    let start: number | null = null;
    let load: VllmMetrics["load"] = { time: null, size: null };
    for (const ev of events) {
      const text = lines[ev.line - 1] ?? "";
      if (ev.type === "start" && start === null) {
        start = ev.t;
        const args = ARGS.exec(text)?.[1];
        if (args) {
          model ??= MODEL.exec(args)?.[1] ?? null;
          const image = pods.get(name)?.image ?? undefined;
          if (!engines.some((e) => e.image === image && e.args === args)) engines.push({ name: "vllm", ...(image ? { image, version: image.split(":").pop() } : {}), args });
        }
      }
      if (ev.type === "load" && load.time === null) load = { time: ev.seconds, size: Number(LOADED.exec(text)?.[1] ?? NaN) || null };
      if (ev.type === "sleep" || ev.type === "wake") {
        const e: SleepWakeEvent = { timestamp: secs(ev.t)!, type: ev.type, time: ev.seconds };
        // vLLM logs the memory freed on the line just before "It took X seconds to fall asleep."
        const freed = ev.type === "sleep" ? FREED.exec(lines[ev.line - 2] ?? "") : null;
        if (freed) { e.gpu_freed = Number(freed[1]); e.gpu_in_use = Number(freed[2]); }
        sleepWake.push(e);
      }
    }
    vllmMetrics.push({ name, pod_start: secs(created.get(name)), vllm_start_timestamp: secs(start), load, sleep_wake: sleepWake });
  }
  return { podIps, vllmMetrics, engines, model };
}

/**
 * Options for `toNopResult` of a recorded run: the context, with `scenario`'s own values winning where it has them.
 *
 * @example
 * ```ts
 * writeAnalysis("out/run", actuations, nopOptionsFor(run));
 * ```
 */
export function nopOptionsFor(run: Pick<RunInputs, "events" | "evidence" | "use">, scenario: NopScenario = {}, analysis?: Pick<RunAnalysis, "lifecycles" | "evidence">): NopResultOptions {
  const c = nopRunContext(run, analysis);
  const known = scenario.model?.name && scenario.model.name !== "unknown" ? scenario.model.name : null;
  return {
    scenario: { ...scenario, model: { name: known ?? c.model ?? "unknown" }, platform: scenario.platform?.engines.length ? scenario.platform : { engines: c.engines } },
    podIps: c.podIps,
    vllmMetrics: c.vllmMetrics,
  };
}
