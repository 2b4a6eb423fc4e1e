/**
 * The examples (examples/*.ts) and how the tests run them, under Node + tsx or under Deno, with
 * the same fast settings. Each run gets a fresh working folder (`datasets` and `node_modules`
 * linked in, `out/` its own): sweeps start uncached, so their worker threads really run, and a Node
 * run and a Deno run of the same example can go side by side without sharing output files.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sharedDatasetsDir } from "../../sdk/core/paths.js";
import { DENO_ENV, DENO_RUN_ARGS } from "./deno.js";

export const EXAMPLES = readdirSync("examples").filter((f) => f.endsWith(".ts")).sort();

export type Runtime = "node" | "deno";

export interface ExampleRun {
  example: string;
  runtime: Runtime;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment every example runs with: fast mode, and the shared traces found from the repository (not from the scratch folder). */
export function exampleEnv(): NodeJS.ProcessEnv {
  const shared = sharedDatasetsDir();
  return { ...process.env, ...DENO_ENV, ACTLAB_FAST: "1", ...(shared ? { ACTLAB_SHARED_DATASETS: shared } : {}) };
}

/** Runs examples/NAME.ts to completion (`node --import tsx`, or `deno run` with DENO_RUN_ARGS) in a scratch working folder. */
export function runExample(example: string, runtime: Runtime, deno?: string, timeoutMs = 300_000): Promise<ExampleRun> {
  const repo = resolve(".");
  const cwd = mkdtempSync(join(tmpdir(), `actlab-example-${runtime}-`));
  symlinkSync(join(repo, "datasets"), join(cwd, "datasets"));
  symlinkSync(join(repo, "node_modules"), join(cwd, "node_modules"));
  const file = join(repo, "examples", example);
  const [cmd, args] = runtime === "node" ? [process.execPath, ["--import", "tsx", file]] : [deno ?? "deno", [...DENO_RUN_ARGS, file]];
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: exampleEnv(), stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", (err) => {
      rmSync(cwd, { recursive: true, force: true });
      fail(err);
    });
    child.on("close", (status, signal) => {
      rmSync(cwd, { recursive: true, force: true });
      done({ example, runtime, status, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
}

/** Parts of an example's output that change from run to run whatever the runtime (wall-clock speed). */
export const VOLATILE: Record<string, RegExp[]> = {
  "planner-mooncake.ts": [/\(\d+× real time\)/g],
  "replay-trace.ts": [/\|\d+\|$/gm], // the wall_ms column of the markdown table
};

/** Lines Deno adds on stderr that Node 20 does not print: DEP0040 is a runtime warning in Deno for any require("punycode") (tr46 under @kubernetes/client-node and danfojs-node). */
export const DENO_ONLY_STDERR = [/^\(node:\d+\) \[DEP0040\] DeprecationWarning: The `punycode` module is deprecated\./];

/**
 * Output reduced to what both runtimes must agree on: volatile parts masked; console.table drawn
 * as cells (Node quotes strings with ', Deno with ", and they pad and head the index column
 * differently); floats with more than 12 significant digits rounded to 12 (V8 11.3 in Node 20 and
 * V8 15.0 in Deno 2.9.6 give Math.exp results that differ in the last bit for some inputs).
 */
export function comparableLines(example: string, text: string): string[] {
  let t = text.replace(/\x1b\[[0-9;]*m/g, "");
  for (const re of VOLATILE[example] ?? []) t = t.replace(re, "‹volatile›");
  const lines: string[] = [];
  for (const raw of t.split("\n")) {
    if (/^[┌├└]/.test(raw)) continue;
    let line = raw;
    if (line.startsWith("│")) {
      line = line.split("│").slice(1, -1).map((c) => c.trim().replace(/^'(.*)'$|^"(.*)"$/, "$1$2")).map((c) => (c === "(idx)" ? "(index)" : c)).join(" | ");
    }
    line = line.replace(/-?\d+\.\d+(?:e[+-]?\d+)?/gi, (n) => (significantDigits(n) > 12 ? String(Number(Number(n).toPrecision(12))) : n));
    lines.push(line.trimEnd());
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function significantDigits(n: string): number {
  return n.split(/e/i)[0]!.replace(/[-.]/g, "").replace(/^0+/, "").length;
}

/** stderr lines, without the ones only Deno prints. */
export function stderrLines(text: string, runtime: Runtime): string[] {
  return text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim() !== "" && !(runtime === "deno" && DENO_ONLY_STDERR.some((re) => re.test(l))));
}
