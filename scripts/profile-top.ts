// The top frames of a V8 CPU profile (`node --cpu-prof`), self and inclusive, as text for a note or an issue.
//   node --cpu-prof --cpu-prof-dir=prof --import tsx test/bench/actuation.bench.ts
//   node --import tsx scripts/profile-top.ts prof/CPU.*.cpuprofile [--top 30]
// Each file is summarised on its own (a worker thread or tsx's loader thread writes a profile of its
// own); frames are keyed by function and file, so a function's time is one row however it was reached.
import { readFileSync } from "node:fs";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function usage(message: string): never {
  process.stderr.write(`profile-top: ${message}\nusage: node --import tsx scripts/profile-top.ts FILE.cpuprofile… [--top N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
if (!Number.isInteger(top) || top <= 0) usage(`--top takes a positive whole number, got '${args[topAt + 1] ?? ""}'`);
const files = topAt < 0 ? args : args.filter((_, i) => i !== topAt && i !== topAt + 1);
if (files.length === 0) usage("no profile given");

/** A frame's row name: function and file (the repository's path when it is inside it). */
function frameKey(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${url}`.trim();
}

let failed = false;
function bad(message: string): string {
  failed = true;
  process.stderr.write(`${message}\n`);
  return "";
}

function summarise(file: string): string {
  let p: Profile;
  try { p = JSON.parse(readFileSync(file, "utf8")) as Profile; } catch (err) { return bad(`${file}: expected a .cpuprofile from node --cpu-prof (${(err as Error).message})`); }
  if (!Array.isArray(p?.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) return bad(`${file}: expected the keys nodes, samples and timeDeltas of a .cpuprofile`);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sampled node, then charged to its own row (self) and once to each distinct row above it (inclusive).
  const hits = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => { const d = p.timeDeltas[i] ?? 0; total += d; hits.set(id, (hits.get(id) ?? 0) + d); });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of hits) {
    const own = frameKey(byId.get(id)!);
    self.set(own, (self.get(own) ?? 0) + t);
    const rows = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) rows.add(frameKey(byId.get(cur)!));
    for (const k of rows) inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
  const table = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, t]) => `${(t / 1000).toFixed(0).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`).join("\n");
  return `${file}: ${(total / 1000).toFixed(0)} ms sampled\n-- self --\n${table(self)}\n-- inclusive --\n${table(inclusive)}`;
}

const out = files.map(summarise).filter((s) => s !== "");
if (out.length) console.log(out.join("\n\n"));
process.exitCode = failed ? 1 : 0;
