/** `actlab`: dispatches to the subcommands in ./commands/, importing only the one that runs. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { lazyCommand, UsageError, type Command, type LazyCommand } from "./command.js";

const here = fileURLToPath(new URL(".", import.meta.url));

// Why a table: `actlab --help` must print without importing any command (each pulls in its slice of
// the SDK). A file in commands/ missing from this table still works: it is imported when the list
// is built, as every file was before (add a line here to make it lazy too).
const REGISTRY: Record<string, LazyCommand[]> = {
  "analyze.ts": [lazyCommand("analyze", "effects, ANOVA and Lenth's method for any CSV of runs (text, JSON, plots)", () => import("./commands/analyze.js"))],
  "bench.ts": [lazyCommand("bench", "actuation benchmarks: the nop FMA iteration and the dual-pods tool's scenarios (hit rates, per-path timings)", () => import("./commands/bench.js"))],
  "classify.ts": [lazyCommand("classify", "classify actuations from a recorded run or event log (offline, byte-identical re-runs)", () => import("./commands/classify.js"))],
  "cluster.ts": [
    lazyCommand("cluster serve", "serve the embedded FMA cluster as a Kubernetes API on loopback (kubectl works)", () => import("./commands/cluster.js")),
    lazyCommand("cluster profiles", "list the embedded cluster's latency profiles", () => import("./commands/cluster.js")),
  ],
  "data.ts": [
    lazyCommand("data list", "the public traces: bundled, fetched or absent, with licences and sources", () => import("./commands/data.js")),
    lazyCommand("data fetch", "fetch a public trace (resumable download or a local file), checked by sha256", () => import("./commands/data.js")),
  ],
  // Helpers of data.ts, not commands.
  "data-catalog.ts": [],
  "data-fetch.ts": [],
  "experiment.ts": [lazyCommand("experiment", "expand an experiment file into runs and sweep them (shards, merge, Kubernetes Job)", () => import("./commands/experiment.js"))],
  "peers.ts": [lazyCommand("peers", "install / show the peer projects run side by side (Dynamo planner+replay, inference-perf, BLIS)", () => import("./commands/peers.js"))],
  "planner.ts": [lazyCommand("planner step", "one planner step per JSON line (Dynamo's init/bootstrap/tick protocol), SDK or --peer Dynamo", () => import("./commands/planner.js"))],
  "replay.ts": [lazyCommand("replay", "replay a trace against a simulated engine fleet (TTFT/ITL, cache reuse, load)", () => import("./commands/replay.js"))],
  "start.ts": [lazyCommand("start", "run the main job on the embedded defaults and write a writeup to out/", () => import("./commands/start.js"))],
  "testbed.ts": [
    lazyCommand("testbed install", "build the real Kubernetes control plane and etcd from the Go module proxy (cached)", () => import("./commands/testbed.js")),
    lazyCommand("testbed up", "run the real control plane on 127.0.0.1 with simulated GPU nodes (kubectl works)", () => import("./commands/testbed.js")),
  ],
  "trace.ts": [lazyCommand("trace stats", "statistics of a trace (counts, rates, ISL/OSL, ideal prefix reuse)", () => import("./commands/trace.js"))],
  "trace-inference-perf.ts": [lazyCommand("trace inference-perf", "turn an inference-perf workload config into a Mooncake trace (same semantics)", () => import("./commands/trace-inference-perf.js"))],
  "watch.ts": [lazyCommand("watch", "watch pods through the real Kubernetes client; record a replayable event log", () => import("./commands/watch.js"))],
};

type Entry = Command | LazyCommand;

/** Every command: registry entries as they are, other files in commands/ imported (the old way). */
export async function loadCommands(): Promise<Entry[]> {
  const dir = join(here, "commands");
  const files = readdirSync(dir).filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")).sort();
  const commands: Entry[] = [];
  for (const f of files) {
    const lazy = REGISTRY[f];
    if (lazy) {
      commands.push(...lazy);
      continue;
    }
    let mod: { command?: Command; commands?: Command[] };
    try {
      mod = (await import(pathToFileURL(join(dir, f)).href)) as typeof mod;
    } catch (err) {
      // One command file that does not load (say, work in progress) must not take the others down.
      process.stderr.write(`actlab: commands/${f} did not load (${(err as Error).message.split("\n")[0]}); its command is unavailable\n`);
      continue;
    }
    if (mod.command) commands.push(mod.command);
    if (mod.commands) commands.push(...mod.commands);
  }
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}

const resolve = async (c: Entry): Promise<Command> => ("load" in c ? c.load() : c);

function listing(commands: Entry[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
}

function topHelp(commands: Entry[]): string {
  return [
    "actlab — actuation-lab: how LLM model servers on Kubernetes start, wake, scale and serve",
    "",
    "Usage: actlab <command> [options]      actlab <command> --help      actlab --version",
    "",
    "Commands:",
    ...listing(commands),
    "",
  ].join("\n");
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export async function run(argv: string[]): Promise<number> {
  // Installed as a package (npm i actuation-lab), the bundled traces sit in the package, not under
  // the user's folder: point the dataset lookup there (the same files, not a fallback).
  const packaged = join(here, "..", "..", "datasets", "traces", "public");
  if (!process.env.ACTLAB_SHARED_DATASETS && !existsSync(join("datasets", "traces", "public")) && existsSync(packaged)) process.env.ACTLAB_SHARED_DATASETS = packaged;
  if (argv[0] === "--version" || argv[0] === "-V") {
    process.stdout.write(`actlab ${version()}\n`);
    return 0;
  }
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(topHelp(commands));
    return argv.length === 0 ? 2 : 0;
  }
  // Longest match first, so `cluster serve` wins over a hypothetical `cluster`.
  const byLength = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  const entry = byLength.find((c) => c.name.split(" ").every((w, i) => argv[i] === w));
  if (!entry) {
    const group = commands.filter((c) => c.name.split(" ")[0] === argv[0]);
    if (group.length > 0 && (argv[1] === "--help" || argv[1] === "-h")) {
      process.stdout.write([`Usage: actlab ${argv[0]} <command> [options]`, "", "Commands:", ...listing(group), ""].join("\n"));
      return 0;
    }
    process.stderr.write(
      group.length > 0
        ? `actlab ${argv[0]}: expected one of: ${group.map((c) => c.name).join(", ")}\n`
        : `actlab: unknown command '${argv[0]}'. Run 'actlab --help' for the list.\n`,
    );
    return 2;
  }
  const cmd = await resolve(entry);
  const rest = argv.slice(cmd.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.usage.endsWith("\n") ? cmd.usage : cmd.usage + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`actlab ${cmd.name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`actlab ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`actlab ${cmd.name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
