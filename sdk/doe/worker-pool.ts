/**
 * Worker threads that each import the user's treatment module once and run tasks sent to them.
 * The module is named by an absolute path or file URL (a function cannot cross threads). The
 * bootstrap is evaluated source, so no `import.meta` is needed to locate a worker file. It
 * registers tsx's loader in the worker before importing the module, so TypeScript modules work:
 * on Node 20, `execArgv: ["--import", "tsx"]` does not reach an eval'd worker's imports
 * ("Unknown file extension .ts"), so tsx's ESM API is located here and registered there.
 */
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";

const BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
const loaded = (workerData.tsxApi ? import(workerData.tsxApi).then((api) => api.register(), () => {}) : Promise.resolve())
  .then(() => import(workerData.moduleUrl)).then((m) => {
  const names = workerData.exportName === "default" ? ["default", "treatment"] : [workerData.exportName];
  let fn;
  for (const n of names) for (const o of [m, m && m.default]) if (!fn && o && typeof o[n] === "function") fn = o[n];
  if (typeof fn !== "function") throw new Error("module " + workerData.moduleUrl + " exports no function '" + workerData.exportName + "'");
  return fn;
});
loaded.catch(() => {});
parentPort.on("message", async (task) => {
  const t0 = performance.now();
  try {
    const fn = await loaded;
    const value = await fn(task.input);
    parentPort.postMessage({ id: task.id, ok: true, value, ms: performance.now() - t0 });
  } catch (err) {
    parentPort.postMessage({ id: task.id, ok: false, error: (err && err.message) || String(err), ms: performance.now() - t0 });
  }
});
`;

export interface PoolReply {
  ok: boolean;
  value?: unknown;
  error?: string;
  ms: number;
}

/** tsx's ESM API (`tsx/esm/api`) as a file URL, found from the module, the working folder or the main script. */
export function tsxApiUrl(moduleUrl: string): string | undefined {
  const bases = [moduleUrl, pathToFileURL(join(process.cwd(), "noop.js")).href, process.argv[1] ? pathToFileURL(process.argv[1]).href : undefined];
  for (const base of bases) {
    if (!base) continue;
    try {
      const pkgPath = createRequire(base).resolve("tsx/package.json");
      const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports?: Record<string, unknown> };
      const entry = pkg.exports?.["./esm/api"] as { import?: string | { default?: string } } | undefined;
      const rel = typeof entry?.import === "string" ? entry.import : entry?.import?.default;
      if (rel) return pathToFileURL(join(dirname(pkgPath), rel)).href;
    } catch {
      // not resolvable from this base; try the next
    }
  }
  return undefined;
}

/** An absolute path or a file URL → a file URL string. */
export function moduleUrlOf(specifier: string): string {
  if (specifier.startsWith("file:")) return specifier;
  if (!isAbsolute(specifier)) throw new RangeError(`treatment module must be an absolute path or file URL, got '${specifier}'`);
  return pathToFileURL(specifier).href;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending?: { id: number; resolve: (r: PoolReply) => void };
}

/**
 * Young generation per worker, MB (V8's default is ~48 at this heap size). Replay treatments allocate
 * a run's state in bursts that outlive a small nursery, so it was promoted and marked again: with 192
 * MB a 64-run replay sweep scavenged 120 times instead of 394 and used 5–12 % less CPU. Committed only
 * as used; CPU-bound treatments that allocate little are unaffected.
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  private readonly moduleUrl: string;
  private readonly tsxApi: string | undefined;

  constructor(moduleSpecifier: string, size: number, private readonly exportName = "default", private readonly youngGenerationMb = WORKER_YOUNG_GENERATION_MB) {
    this.moduleUrl = moduleUrlOf(moduleSpecifier);
    this.tsxApi = /\.[cm]?tsx?$/.test(this.moduleUrl) ? tsxApiUrl(this.moduleUrl) : undefined;
    for (let i = 0; i < size; i++) {
      const slot = { busy: false } as Slot;
      this.start(slot);
      this.slots.push(slot);
    }
  }

  /** (Re)start the worker of a slot; a worker that dies unexpectedly is replaced. */
  private start(slot: Slot): void {
    const worker = new Worker(BOOTSTRAP, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb }, workerData: { moduleUrl: this.moduleUrl, exportName: this.exportName, tsxApi: this.tsxApi } });
    slot.worker = worker;
    slot.busy = false;
    worker.on("message", (msg: PoolReply & { id: number }) => {
      const p = slot.pending;
      if (!p || p.id !== msg.id) return;
      slot.pending = undefined;
      slot.busy = false;
      p.resolve(msg);
      this.waiting.shift()?.();
    });
    let why = "";
    worker.on("error", (err) => { why = `worker error: ${err.message}`; });
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      const p = slot.pending;
      slot.pending = undefined;
      if (p) p.resolve({ ok: false, error: this.closed ? "cancelled" : why || `worker exited with code ${code}`, ms: 0 });
      if (!this.closed) this.start(slot);
      this.waiting.shift()?.();
    });
    worker.unref();
  }

  /** Run one task on a free worker (waits for one). */
  async run(input: unknown): Promise<PoolReply> {
    for (;;) {
      if (this.closed) return { ok: false, error: "cancelled", ms: 0 };
      const slot = this.slots.find((s) => !s.busy);
      if (slot) {
        slot.busy = true;
        const id = this.nextId++;
        return new Promise<PoolReply>((resolve) => {
          slot.pending = { id, resolve };
          slot.worker.ref();
          slot.worker.postMessage({ id, input });
        }).finally(() => slot.worker.unref());
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  /** Stop every worker (in-flight tasks resolve as cancelled). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
