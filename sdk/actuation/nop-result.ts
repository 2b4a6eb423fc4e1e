/**
 * Output in the shapes the field reads:
 * - `toNopResult`: llm-d-benchmark's native nop `result.yaml` (fma.md §2.6) with
 *   `extra_metrics: [{name: fma, iterations: [{iteration, launcher_infos, hot_hit_rate,
 *   warm_hit_rate, cold_launcher_hit_rate}]}]`, launcher_infos fields in the harness's declaration
 *   order. No launcher_info field is null where upstream's analysis reads a string (it crashes on
 *   one under pandas ≥ 3): `actuation_condition` is one of the harness's three values, `T_cold` for
 *   a direct-mode cold, `unknown` when unclassified; `name`, `pod_name`, `launcher_node` are
 *   `unknown` when never bound. The upstream-named `t_wake`/`t_instance_create`/`t_cold_launcher`
 *   carry only tight DPC values (null otherwise); `timing_source` uses upstream's vocabulary (`dpc`,
 *   else the Kubernetes baseline `kube_container_start`/`kube_pod_create`, upstream's default).
 *   Per-iteration hit rates use upstream's denominator (every launcher_info of the iteration).
 *   Everything the harness has no field for (path incl. unknown, reason, evidence source, sound
 *   upper bounds and their source, our own timing_source incl. `none`, our hit rates over classified
 *   actuations, T_actuation, TTRD, whether ttft was measured) sits in trailing `actlab` blocks,
 *   which `strict: true` drops. `vllm_metrics`, pod-IP endpoints, `platform.engines` and the model
 *   name come from the recorded run through `nopOptionsFor` (nop-context.ts).
 * - `toBenchmarkReport`: the Benchmark Report v0.1 wrapping (`benchmark-report -w nop`): FMA data
 *   under `metrics.metadata[{name: extra_metrics, value: [...]}]`, scalars as `{units, value}`, `t_*`
 *   only when not null.
 * - `toYamlText` / JSON: deterministic text (same input, same bytes); `writeYamlFile` (core/yaml-text.ts)
 *   writes the same bytes to a file as they are made, without the document ever being one string.
 * - `actuationRows`: one tidy row per actuation for arquero/danfo.
 */
import { writeYamlFile, yamlText } from "../core/yaml-text.js";
import type { Row } from "../core/rows.js";
import { groupByIteration, type Actuation } from "./classify.js";
import { hitRates } from "./summary.js";

/** One entry of upstream's `BenchmarkVllmMetrics.sleep_wake`; times in epoch seconds, sizes in GiB. */
export interface SleepWakeEvent {
  timestamp: number;
  type: "sleep" | "wake";
  /** Seconds the operation took, as vLLM logs it. */
  time: number | null;
  gpu_freed?: number;
  gpu_in_use?: number;
}

/** Upstream's `BenchmarkVllmMetrics`, the fields a recorded run can fill. */
export interface VllmMetrics {
  name: string;
  pod_start: number | null;
  vllm_start_timestamp: number | null;
  load: { time: number | null; size: number | null };
  sleep_wake: SleepWakeEvent[];
}

export interface NopScenario {
  deploy_methods?: string;
  load_format?: string;
  sleep_mode?: boolean;
  max_instances?: number;
  model?: { name: string };
  platform?: { engines: { name: string; image?: string; version?: string; args?: string }[] };
  gpus?: { uuid: string; name?: string; compute_cap?: string; persistence_mode?: string }[];
}

export interface NopResultOptions {
  scenario?: NopScenario;
  /** Run start/stop, epoch seconds. */
  time?: { start: number; stop: number };
  /** ISC port for vllm_endpoint (default 8000) and the launcher port (8001). */
  vllmPort?: number;
  launcherPort?: number;
  /** Launcher pod IPs by name, for the endpoints (else the pod name stands in). */
  podIps?: ReadonlyMap<string, string>;
  /** TTFT per requester when measured (the nop harness's one streaming request), seconds. */
  ttft?: ReadonlyMap<string, number>;
  /** Per launcher: the vLLM log's sleep/wake events and start/load times (`nopRunContext`). */
  vllmMetrics?: readonly VllmMetrics[];
  /** Omit the `actlab` extension blocks. */
  strict?: boolean;
}

export interface LauncherInfo {
  namespace: string;
  pod_name: string;
  container_name: string;
  name: string;
  requester_info: { name: string; creation_timestamp: number; ready_timestamp: number; dual_label_timestamp: number; container_start_timestamp: number; gpu_uuids: string };
  vllm_instance_id: string | null;
  launcher_endpoint: string | null;
  vllm_endpoint: string | null;
  ttft: number;
  /** Upstream's three values, plus `T_cold` (direct mode) and `unknown`: never null. */
  actuation_condition: "T_hot" | "T_warm" | "T_cold_launcher" | "T_cold" | "unknown";
  launcher_creation_timestamp: number;
  launcher_node: string;
  t_wake: number | null;
  t_instance_create: number | null;
  t_cold_launcher: number | null;
  timing_source: "dpc" | "kube_container_start" | "kube_pod_create";
  dpc_timing_available: boolean;
  actlab?: Record<string, string | number | boolean | null>;
}

export interface NopIteration {
  iteration: number;
  launcher_infos: LauncherInfo[];
  hot_hit_rate: number;
  warm_hit_rate: number;
  cold_launcher_hit_rate: number;
  /** Ours: rates over classified actuations (unknowns left out), with the counts. */
  actlab?: Record<string, string | number | null>;
}

export interface NopResult {
  version: "0.1";
  scenario: NopScenario;
  vllm_metrics: VllmMetrics[];
  extra_metrics: { name: "fma"; iterations: NopIteration[] }[];
  time: { start: number; stop: number; duration: number };
}

/** Upstream's timing_source: `dpc` when the DPC log timed it, else the Kubernetes baseline upstream would name. */
function upstreamTimingSource(a: Actuation): LauncherInfo["timing_source"] {
  if (a.timing_source === "dpc") return "dpc";
  return a.upper_source === "kube_container_start" ? "kube_container_start" : "kube_pod_create";
}

function launcherInfo(a: Actuation, o: NopResultOptions): LauncherInfo {
  const ip = a.provider ? o.podIps?.get(a.provider) ?? a.provider : null;
  const tight = a.timing_source === "dpc";
  const info: LauncherInfo = {
    namespace: a.namespace,
    pod_name: a.provider ?? "unknown",
    container_name: "inference-server",
    name: a.provider ?? "unknown",
    requester_info: {
      name: a.requester,
      creation_timestamp: a.creation_timestamp ?? 0,
      ready_timestamp: a.ready_timestamp ?? 0,
      dual_label_timestamp: a.dual_label_timestamp ?? 0,
      container_start_timestamp: a.container_start_timestamp ?? 0,
      gpu_uuids: a.gpu_uuids ?? "",
    },
    vllm_instance_id: a.instance_id,
    launcher_endpoint: ip ? `http://${ip}:${o.launcherPort ?? 8001}` : null,
    vllm_endpoint: ip ? `http://${ip}:${o.vllmPort ?? 8000}` : null,
    ttft: o.ttft?.get(a.requester) ?? 0,
    actuation_condition: a.actuation_condition ?? "unknown",
    launcher_creation_timestamp: a.launcher_creation_timestamp ?? 0,
    launcher_node: a.launcher_node ?? "unknown",
    // Bounds never go into upstream-named fields: they are ours (actlab.t_*_upper).
    t_wake: tight ? a.t_wake : null,
    t_instance_create: tight && a.path === "warm" ? a.t_instance_create : null,
    t_cold_launcher: tight ? a.t_cold_launcher : null,
    timing_source: upstreamTimingSource(a),
    dpc_timing_available: tight,
  };
  if (!o.strict) {
    info.actlab = {
      path: a.path, mode: a.mode, classified_by: a.classified_by, confidence: a.confidence, reason: a.reason, tie: a.tie,
      outcome: a.outcome, instances_deleted: a.instances_deleted, timing_source: a.timing_source,
      t_wake_upper: a.t_wake_upper, t_instance_create_upper: a.t_instance_create_upper, t_cold_launcher_upper: a.t_cold_launcher_upper, upper_source: a.upper_source,
      t_instance_create_on_new_launcher: a.path === "cold_launcher" ? a.t_instance_create : null,
      T_actuation: a.T_actuation, TTRD: a.TTRD, vllm_wake_seconds: a.vllm_wake_seconds,
      // Upstream writes ttft 0 when it did not measure one; ours says whether it was measured.
      ttft_measured: o.ttft?.has(a.requester) ?? false,
    };
  }
  return info;
}

/**
 * The native nop `result.yaml` object.
 *
 * @example
 * ```ts
 * writeFileAtomic("result.yaml", toYamlText(toNopResult(actuations)));
 * ```
 */
export function toNopResult(acts: readonly Actuation[], o: NopResultOptions = {}): NopResult {
  return nopResultOf(acts, o, false);
}

/**
 * Writes the nop `result.yaml` of `acts` to `path` (temp file + rename, see `writeYamlFile`): the
 * bytes of `toYamlText(toNopResult(acts, o))`, streamed. No NopResult is built whole: each
 * iteration and each launcher_info is made when the writer reaches it and dropped once written, so a
 * 1e5-actuation result.yaml needs neither its ~150 MB of text nor 1e5 launcher_info objects in
 * memory at once. Returns the bytes written.
 *
 * @example
 * ```ts
 * writeNopResultYaml("out/result.yaml", actuations, nopOptionsFor(run));
 * ```
 */
export function writeNopResultYaml(path: string, acts: readonly Actuation[], o: NopResultOptions = {}, write: { fsync?: boolean; mode?: number } = {}): number {
  return writeYamlFile(path, nopResultOf(acts, o, true), write);
}

/**
 * An array of `n` items made by `make(i)` each time one is read (a Proxy: `Array.isArray` is true,
 * `length` and indexing work, nothing is kept), for the streaming writer to walk once.
 */
function lazyList<T>(n: number, make: (i: number) => T): T[] {
  return new Proxy([] as T[], {
    get(target, key, receiver) {
      if (key === "length") return n;
      if (typeof key === "string") {
        const i = Number(key);
        if (Number.isInteger(i) && i >= 0 && i < n && String(i) === key) return make(i);
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === "string") {
        const i = Number(key);
        if (Number.isInteger(i) && i >= 0 && i < n && String(i) === key) return true;
      }
      return Reflect.has(target, key);
    },
  });
}

/** The NopResult; with `lazy`, its iterations and their launcher_infos are lazyLists (made as read). */
function nopResultOf(acts: readonly Actuation[], o: NopResultOptions, lazy: boolean): NopResult {
  const { byIteration, its } = groupByIteration(acts);
  const iteration = (it: number): NopIteration => {
    const list = byIteration.get(it)!;
    const r = hitRates(list);
    // Upstream divides by every launcher_info of the iteration; ours (over classified) rides beside.
    const per = (k: number) => (r.total > 0 ? k / r.total : 0);
    const infos = lazy ? lazyList(list.length, (j) => launcherInfo(list[j]!, o)) : list.map((a) => launcherInfo(a, o));
    const row: NopIteration = { iteration: it, launcher_infos: infos, hot_hit_rate: per(r.hot), warm_hit_rate: per(r.warm), cold_launcher_hit_rate: per(r.cold_launcher) };
    if (!o.strict) row.actlab = { denominator: r.denominator, classified: r.classified, unknown: r.unknown, hot_hit_rate: r.hot_hit_rate, warm_hit_rate: r.warm_hit_rate, cold_launcher_hit_rate: r.cold_launcher_hit_rate, cold_hit_rate: r.cold_hit_rate };
    return row;
  };
  const iterations = lazy ? lazyList(its.length, (i) => iteration(its[i]!)) : its.map(iteration);
  // One pass, no arrays of 1e5 timestamps (and not Math.min(...xs): spreading 1e5+ arguments can overflow the stack).
  let firstCreated: number | null = null;
  let lastReady: number | null = null;
  for (const a of acts) {
    if (a.creation_timestamp !== null) firstCreated = firstCreated === null ? a.creation_timestamp : Math.min(firstCreated, a.creation_timestamp);
    if (a.ready_timestamp !== null) lastReady = lastReady === null ? a.ready_timestamp : Math.max(lastReady, a.ready_timestamp);
  }
  const start = o.time?.start ?? firstCreated ?? 0;
  const stop = o.time?.stop ?? lastReady ?? start;
  return {
    version: "0.1",
    scenario: { deploy_methods: "fma", load_format: "auto", sleep_mode: true, max_instances: 4, model: { name: "unknown" }, platform: { engines: [] }, gpus: [], ...o.scenario },
    vllm_metrics: [...(o.vllmMetrics ?? [])],
    extra_metrics: [{ name: "fma", iterations }],
    time: { start, stop, duration: Math.round((stop - start) * 1e6) / 1e6 },
  };
}

type Wrapped = { units: string; value: number } | string | boolean | null | Wrapped[] | { [k: string]: Wrapped };

const SECONDS = new Set(["creation_timestamp", "ready_timestamp", "dual_label_timestamp", "container_start_timestamp", "launcher_creation_timestamp", "ttft", "t_wake", "t_instance_create", "t_cold_launcher",
  "t_wake_upper", "t_instance_create_upper", "t_cold_launcher_upper", "t_instance_create_on_new_launcher", "T_actuation", "TTRD", "vllm_wake_seconds"]);

function wrap(key: string, v: unknown): Wrapped | undefined {
  if (v === null || v === undefined) return key.startsWith("t_") ? undefined : null;
  if (typeof v === "number") return { units: SECONDS.has(key) ? "s" : "count", value: v };
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => wrap("", x) ?? null);
  const out: Record<string, Wrapped> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const w = wrap(k, x);
    if (w !== undefined) out[k] = w;
  }
  return out;
}

function requestCounts(nop: NopResult): { total: number; failures: number; incomplete: number } {
  const infos = nop.extra_metrics.flatMap((m) => m.iterations.flatMap((it) => it.launcher_infos));
  const failures = infos.filter((i) => !(i.requester_info.ready_timestamp > 0)).length;
  return { total: infos.length, failures, incomplete: 0 };
}

/** Mean TTFT over the launcher_infos that measured one (0, upstream's value, when none did). */
function meanTtft(nop: NopResult): number {
  const xs = nop.extra_metrics.flatMap((m) => m.iterations.flatMap((it) => it.launcher_infos)).filter((i) => i.actlab?.ttft_measured ?? i.ttft > 0).map((i) => i.ttft);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/**
 * Benchmark Report v0.1 wrapping of a nop result (as `benchmark-report -w nop` writes it).
 *
 * @example
 * ```ts
 * const report = toBenchmarkReport(toNopResult(actuations)); // llm-d-benchmark Benchmark Report v0.1
 * ```
 */
export function toBenchmarkReport(nop: NopResult): Record<string, unknown> {
  const { deploy_methods, load_format, sleep_mode, max_instances, gpus, model, platform } = nop.scenario;
  return {
    version: "0.1",
    scenario: {
      description: "FMA actuation (nop harness)",
      model: { name: model?.name ?? "unknown" },
      platform: { engine: (platform?.engines ?? []).map((e) => ({ name: e.name, version: e.version ?? null, args: e.args ?? null })) },
      load: { name: "nop" },
      metadata: { deploy_methods, load_format, sleep_mode, max_instances, gpus },
    },
    metrics: {
      time: { duration: nop.time.duration, start: nop.time.start, stop: nop.time.stop },
      // Required by the v0.1 schema: one nop "request" per actuation; a failure is one never Ready.
      requests: requestCounts(nop),
      latency: { time_to_first_token: { units: "s", mean: meanTtft(nop) } },
      throughput: { total_tokens_per_sec: 0 },
      metadata: [{ name: "extra_metrics", value: nop.extra_metrics.map((m) => ({ name: m.name, iterations: wrap("iterations", m.iterations) })) }],
    },
  };
}

/**
 * YAML text, deterministic (key order as built; no line folding): the bytes of `yamlText` (and of
 * the `yaml` package's `stringify` with `lineWidth: 0`), made by the chunked writer of core/yaml-text.ts,
 * which reuses each key's line head across objects of the same shape (the 1e5 launcher_infos of a
 * large result.yaml). To a file without the whole text as one string: `writeYamlFile(path, value)`.
 *
 * @example
 * ```ts
 * writeFileAtomic("result.yaml", toYamlText(toNopResult(actuations)));
 * ```
 */
export function toYamlText(value: unknown): string {
  return yamlText(value);
}

/** The actuations.csv header when there is no actuation (an empty CSV still says its columns). */
export const ACTUATION_CSV_COLUMNS = ["iteration", "namespace", "requester", "requester_uid", "mode", "path", "actuation_condition", "classified_by", "confidence", "reason", "tie", "provider", "launcher_node", "instance_id", "instances_deleted", "gpu_uuids", "outcome", "creation_timestamp", "container_start_timestamp", "ready_timestamp", "dual_label_timestamp", "launcher_creation_timestamp", "t_wake", "t_instance_create", "t_cold_launcher", "timing_source", "t_wake_upper", "t_instance_create_upper", "t_cold_launcher_upper", "upper_source", "T_actuation", "TTRD", "vllm_wake_seconds"] as const satisfies readonly (keyof Actuation)[];

/**
 * One tidy row per actuation (for toArquero / toDanfo / CSV).
 *
 * @example
 * ```ts
 * toArquero(actuationRows(actuations)).groupby("path").count().print();
 * ```
 */
export function actuationRows(acts: readonly Actuation[]): Row[] {
  return acts.map((a) => ({ ...a }) as unknown as Row);
}
