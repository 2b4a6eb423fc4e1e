/** Files of a planner replay: summary JSON, per-tick decisions, scaling events, actuations, the report (and chart PNGs). */
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { isPlainName, PLAIN_NAME } from "../core/plain-name.js";
import { columnsOf, toCsv, toJsonl, writeFileAtomic, type Row } from "../core/rows.js";
import { diagnosticsCharts, renderDiagnosticsReport } from "./diagnostics-report.js";
import { toPng } from "../report/to-png.js";
import type { PlannerReplayResult } from "./run.js";
import type { ActuationRecord, ScalingEvent } from "./controller.js";

// Headers of the CSVs that may have no rows (a planner that never scaled): an empty CSV still says its columns.
const EVENT_COLUMNS = ["t", "component", "from", "to", "direction", "reason", "applied", "paths", "delaysS"] as const satisfies readonly (keyof ScalingEvent)[];
const ACTUATION_COLUMNS = ["t", "pool", "workerId", "path", "delayMs", "readyAt", "cancelled", "launcher"] as const satisfies readonly (keyof ActuationRecord)[];
const csv = (rows: readonly Row[], empty: readonly string[]) => toCsv(rows, rows.length ? columnsOf(rows) : empty);

export interface PlannerOutputOptions {
  /** Report file name (default: the config's report_filename, else planner_report.html). */
  reportFilename?: string;
  /** Also write each chart as SVG and PNG under charts/. */
  charts?: boolean;
}

/**
 * Writes the outputs into `dir`; returns the paths written. Deterministic bytes for a deterministic run.
 *
 * @example
 * ```ts
 * const files = writePlannerReplayOutputs("out/planner", runPlannerReplay(requests, config));
 * ```
 */
export function writePlannerReplayOutputs(dir: string, result: PlannerReplayResult, options: PlannerOutputOptions = {}): string[] {
  // The report name may come from code that skipped the config validator; it must stay inside `dir`.
  const report = options.reportFilename ?? result.config.report_filename ?? "planner_report.html";
  if (!isPlainName(report)) {
    const where = options.reportFilename !== undefined ? { source: "planner outputs", path: "reportFilename" } : { source: "planner config", path: "report_filename" };
    throw new InputError(where, `expected ${PLAIN_NAME}, got ${JSON.stringify(report)}`);
  }
  const files: string[] = [];
  const w = (name: string, data: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileAtomic(p, data);
    files.push(p);
  };
  w("summary.json", JSON.stringify(result.summary, null, 2) + "\n");
  const ticks = result.controller.snapshots.map(({ prefillEngineLoad, decodeEngineLoad, ...rest }) => ({ ...rest, prefillEngines: prefillEngineLoad.length, decodeEngines: decodeEngineLoad.length }));
  w("decisions.jsonl", toJsonl(ticks as unknown as Row[]));
  w("scaling-events.csv", csv(result.controller.events as unknown as Row[], EVENT_COLUMNS));
  w("actuations.csv", csv(result.controller.actuations as unknown as Row[], ACTUATION_COLUMNS));
  w("requests.csv", toCsv(result.replay.requests as unknown as Row[]));
  w(report, renderDiagnosticsReport(result.report));
  if (options.charts) {
    for (const c of diagnosticsCharts(result.report)) {
      w(join("charts", `${c.id}.svg`), c.svg);
      w(join("charts", `${c.id}.png`), toPng(c.svg));
    }
  }
  return files;
}
