// Start-up cost: root import time, `actlab --help` wall time, and the modules each subcommand loads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const HEAVY = ["danfojs-node", "@tensorflow/tfjs", "@tensorflow/tfjs-node", "@kubernetes/client-node", "@observablehq/plot", "linkedom", "@resvg/resvg-js"];
const dir = mkdtempSync(join(tmpdir(), "actlab-startup-"));
// A resolve hook that appends every module URL resolved to a file: what a start-up loaded.
// (fs is imported statically: an import inside the hook would itself go through the hook.)
const hook = `import { appendFileSync } from "node:fs"; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.ACTLAB_LOADED, r.url + "\\n"); return r; }`;
const register = `import { register } from "node:module"; register(${JSON.stringify("data:text/javascript," + encodeURIComponent(hook))});`;
const registerFlag = ["--import", "data:text/javascript," + encodeURIComponent(register)];

interface Loaded { ms: number; status: number | null; sdk: number; heavy: string[] }

function measure(label: string, args: string[]): Loaded {
  const log = join(dir, `${label.replace(/\W+/g, "_")}.txt`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...registerFlag, ...args], { encoding: "utf8", env: { ...process.env, ACTLAB_LOADED: log } });
  const ms = performance.now() - t0;
  const urls = existsSync(log) ? [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))] : [];
  const root = pathToFileURL(process.cwd()).href;
  const sdk = urls.filter((u) => u.startsWith(`${root}/sdk/`)).length;
  const heavy = HEAVY.filter((p) => urls.some((u) => u.includes(`/node_modules/${p}/`)));
  return { ms, status: r.status, sdk, heavy };
}

const wall = (label: string, args: string[]) => {
  const t0 = performance.now();
  spawnSync(process.execPath, args, { encoding: "utf8" });
  return performance.now() - t0;
};

const line = (what: string, m: Loaded, goal: string) =>
  console.log(`${what.padEnd(34)} ${(m.ms / 1000).toFixed(2).padStart(6)} s  ${String(m.sdk).padStart(4)} sdk files  heavy: ${m.heavy.join(", ") || "none"}${m.status === 0 ? "" : `  (exit ${m.status})`}   goal: ${goal}`);

try {
  console.log(`bare node (floor)                  ${(wall("node", ["-e", "0"]) / 1000).toFixed(2)} s`);
  console.log(`node --import tsx (tsx's own cost) ${(wall("tsx", ["--import", "tsx", "-e", "0"]) / 1000).toFixed(2)} s`);
  line("import sdk/index.ts (root)", measure("root", ["--import", "tsx", "--input-type=module", "-e", "await import('./sdk/index.ts')"]), "≤ 1 s, no heavy package");
  line("import sdk/replay/index.ts", measure("replay", ["--import", "tsx", "--input-type=module", "-e", "await import('./sdk/replay/index.ts')"]), "≈ 0.1 s over tsx");
  line("actlab --help", measure("help", ["bin/actlab.js", "--help"]), "≤ 0.3 s, 0 command files");
  const commands = ["analyze", "bench", "classify", "cluster serve", "cluster profiles", "experiment", "replay", "start", "trace stats", "watch"];
  for (const c of commands) line(`actlab ${c} --help`, measure(c, ["bin/actlab.js", ...c.split(" "), "--help"]), "its own modules only");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
