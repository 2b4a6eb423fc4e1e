// A new user's first hour against `actlab cluster serve` (issue 16 item 7): the server prints the bench command with a shipped requester template, and that command classifies every actuation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const BIN = join(process.cwd(), "bin/actlab.js");

/** Starts `actlab cluster serve` and resolves with its stdout lines once the bench line is printed. */
function serve(args: string[]): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [BIN, "cluster", "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no bench line within 60 s: ${out}`)), 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (/^bench: .*\n/m.test(out)) { clearTimeout(timer); resolve({ child, lines: out.split("\n") }); }
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`cluster serve exited ${code}: ${out}`)); });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
}

test("the shipped requester template is the embedded cluster's own requester Deployment, minus name and namespace", async () => {
  const { requesterDeployment } = await import("../sdk/cluster/setup.js");
  const { getProfile } = await import("../sdk/actuation/profiles.js");
  const text = readFileSync("examples/requester.yaml", "utf8").replaceAll("${REPLICASET_NAME}", "req");
  const own = requesterDeployment(getProfile("8b-h100"), "default", "req") as { metadata: Record<string, unknown> };
  delete own.metadata.namespace;
  assert.deepEqual(parse(text), own);
});

test("cluster serve prints the bench command with the template; run as printed it classifies every actuation (no unknown)", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-served-"));
  const kubeconfig = join(dir, "kubeconfig.yaml");
  const { child, lines } = await serve(["--time-scale", "100", "--lifetime", "150", "--kubeconfig", kubeconfig]);
  t.after(async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); });
  const bench = lines.find((l) => l.startsWith("bench: "))!;
  const template = join(process.cwd(), "examples", "requester.yaml");
  assert.equal(bench, `bench: actlab bench --kubeconfig ${kubeconfig} --yaml ${template}`);
  const args = bench.slice("bench: actlab ".length).split(" ");
  const r = spawnSync(process.execPath, [BIN, ...args, "--iterations", "2", "--out", join(dir, "bench")], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2 actuations \(0 unknown\): hot 1 \(50\.0%\), warm 0 \(0\.0%\), cold_launcher 1 \(50\.0%\), cold 0/m);
  const summary = JSON.parse(readFileSync(join(dir, "bench", "summary.json"), "utf8")) as { unknown: number; classified: number };
  assert.deepEqual([summary.classified, summary.unknown], [2, 0]);
});

test("watch --record DIR on a served cluster, then classify DIR: every actuation classified (the event log alone leaves one unknown)", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-served-watch-"));
  const kubeconfig = join(dir, "kubeconfig.yaml");
  const { child, lines } = await serve(["--time-scale", "100", "--lifetime", "150", "--kubeconfig", kubeconfig]);
  t.after(async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); });
  const record = join(dir, "recorded");
  const watch = spawn(process.execPath, [BIN, "watch", "--kubeconfig", kubeconfig, "--record", record, "--duration", "12", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  let watchErr = "";
  watch.stderr!.on("data", (b: Buffer) => { watchErr += b.toString(); });
  const watched = new Promise<number | null>((r) => watch.once("exit", r));
  t.after(async () => { if (watch.exitCode === null) { watch.kill("SIGINT"); await watched; } });
  await new Promise((r) => setTimeout(r, 1500)); // the watch lists before bench creates its requester
  const args = lines.find((l) => l.startsWith("bench: "))!.slice("bench: actlab ".length).split(" ");
  const b = spawnSync(process.execPath, [BIN, ...args, "--iterations", "2", "--out", join(dir, "bench")], { encoding: "utf8", timeout: 120_000 });
  assert.equal(b.status, 0, b.stderr);
  assert.equal(await watched, 0, watchErr);
  assert.match(watchErr, /^evidence: dpc:default\/[\w-]+, pod:default\/launcher-[\w-]+, metrics → .*evidence\.jsonl$/m);
  const full = spawnSync(process.execPath, [BIN, "classify", record, "--out", join(dir, "classified")], { encoding: "utf8", timeout: 120_000 });
  assert.equal(full.status, 0, full.stderr);
  assert.match(full.stdout, /^2 actuations: hot 1, warm 0, cold_launcher 1, cold 0, unknown 0 \(rates over 2 classified/);
  const bare = spawnSync(process.execPath, [BIN, "classify", "--events", join(record, "events.jsonl"), "--out", join(dir, "bare")], { encoding: "utf8", timeout: 120_000 });
  assert.equal(bare.status, 0, bare.stderr);
  assert.match(bare.stdout, /unknown [1-9]/);
  assert.match(bare.stdout, /^hint: .*dual-pods controller \(DPC\) log/m);
});

test("watch refuses --out and --record together (exit 2, one line)", () => {
  const r = spawnSync(process.execPath, [BIN, "watch", "--out", "x.jsonl", "--record", "y"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.split("\n")[0], "actlab watch: --out FILE and --record DIR both record the events; give one");
});
