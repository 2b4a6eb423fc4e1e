/**
 * Big traces (issue 17): `actlab trace stats --lenient` on 1e6 and 2e6-line Mooncake traces with 1 %
 * bad lines, built from copies of the bundled conversation trace (half of the copies with fresh hash
 * ids, so the prefix trie keeps growing; and, at 1e6, all copies with the same ids). Each run is its
 * own process, so its peak RSS is its own.
 * Goals: 1e6 lines ≤ 15 s and ≤ 500 MB; 2e6 lines work. Figures only; temp files removed.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedDataset } from "../../sdk/core/paths.js";
import { readTextFile } from "../../sdk/trace/lines.js";
import { figureGoal } from "./measure.js";

async function writeTrace(path: string, lines: number, source: string, freshIds: boolean): Promise<void> {
  const src = readTextFile(source).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { timestamp: number; input_length: number; output_length: number; hash_ids: number[] });
  const span = src.at(-1)!.timestamp + 1000;
  const out = createWriteStream(path);
  let buf = "";
  for (let i = 0; i < lines; i++) {
    const copy = Math.floor(i / src.length);
    const r = src[i % src.length]!;
    if (i % 100 === 57) buf += `{"timestamp": ${copy * span + r.timestamp}, "input_length": "oops"}\n`;
    else buf += JSON.stringify({ timestamp: copy * span + r.timestamp, input_length: r.input_length, output_length: r.output_length, hash_ids: freshIds && copy % 2 ? r.hash_ids.map((h) => h + copy * 1_000_000) : r.hash_ids }) + "\n";
    if (buf.length > 1 << 20) { if (!out.write(buf)) await new Promise<void>((res) => out.once("drain", () => res())); buf = ""; }
  }
  await new Promise<void>((res, rej) => out.end(buf, () => res()).on("error", rej));
}

// The CLI in a child that reports its own peak RSS (ru_maxrss) when done.
const child = `const { run } = await import(${JSON.stringify(new URL("../../sdk/cli/main.ts", import.meta.url).href)});
const code = await run(process.argv.slice(1));
process.stderr.write("MAXRSS " + process.resourceUsage().maxRSS + "\\n");
process.exitCode = code;`;

console.log("big traces: actlab trace stats --lenient, streamed");
const conv = sharedDataset("mooncake/conversation_trace.jsonl");
if (!conv) console.log("  the bundled Mooncake conversation trace is absent; skipped");
else {
  const dir = mkdtempSync(join(tmpdir(), "actlab-big-trace-"));
  try {
    for (const [lines, freshIds] of [[1_000_000, true], [1_000_000, false], [2_000_000, true]] as const) {
      const path = join(dir, `mooncake-${lines}.jsonl`);
      await writeTrace(path, lines, conv, freshIds);
      console.log(`  copies of the conversation trace, ${freshIds ? "half with fresh hash ids (the prefix trie keeps growing: the hard case)" : "all with its own hash ids (prefixes repeat, as in a real long trace)"}`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child, "trace", "stats", path, "--lenient"], { encoding: "utf8", maxBuffer: 1 << 24 });
      const s = (performance.now() - t0) / 1000;
      const rssMb = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
      const requests = /requests\s+([\d,]+)/.exec(r.stdout)?.[1] ?? "?";
      const listed = r.stdout.split("\n").filter((l) => /\.jsonl:\d+: /.test(l)).length;
      console.log(`  ${lines.toLocaleString("en-US")} lines (${(statSync(path).size / 2 ** 20).toFixed(0)} MB): exit ${r.status}, ${requests} requests, ${listed} bad lines listed + "${/… and \d+ more/.exec(r.stdout)?.[0] ?? "no count"}"`);
      figureGoal(`  wall, ${lines / 1e6}e6 lines`, s, "s", lines === 1_000_000 ? "≤ 15 s" : "works");
      figureGoal(`  peak RSS, ${lines / 1e6}e6 lines`, rssMb, "MB", lines === 1_000_000 ? "≤ 500 MB" : "works", 0);
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
