// Torn tails: a run killed mid-write leaves a partial last line; classify uses the whole lines and
// says where the file was cut, while a bad line anywhere else is still an error naming its line.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../sdk/core/errors.js";
import { parseEventLog, tornTail } from "../../sdk/kube/event-log.js";
import { readRunDir } from "../../sdk/bench/run-files.js";

const root = mkdtempSync(join(tmpdir(), "actlab-torn-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
const actlab = (...args: string[]) => spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });

const header = JSON.stringify({ format: "actlab-event-log", version: 1 });
const event = (seq: number) => JSON.stringify({ seq, type: "ADDED", resource: "pods", origin: "watch", receivedWallMs: 1, receivedMonoMs: 1, object: { metadata: { name: `p${seq}` } } });

test("tornTail finds a partial last line and where it starts; whole files and complete last lines are not torn", () => {
  const whole = [header, event(0), event(1)].join("\n") + "\n";
  assert.equal(tornTail(whole, "f"), null);
  assert.equal(tornTail(whole.slice(0, -1), "f"), null, "a last line without newline that is whole JSON is kept");
  const cut = whole + event(2).slice(0, 40);
  assert.deepEqual(tornTail(cut, "f"), { source: "f", line: 4, byteOffset: Buffer.byteLength(whole), bytes: 40 });
  const p = parseEventLog(cut, "f");
  assert.deepEqual(p.events.map((e) => e.seq), [0, 1]);
  assert.equal(p.torn?.line, 4);
  // Not the last line, or a newline after it: corruption, not a torn tail.
  const mid = [header, event(0).slice(0, 30), event(1)].join("\n") + "\n";
  assert.throws(() => parseEventLog(mid, "f"), (e: Error) => e instanceof InputError && /f:2/.test(e.message));
  assert.throws(() => parseEventLog(cut + "\n", "f"), (e: Error) => e instanceof InputError && /f:4/.test(e.message));
});

test("actlab classify on a run cut mid-line: classifies the whole lines (same as the file cut at that line), warns with file, line and byte", { timeout: 180_000 }, () => {
  const run = join(root, "run");
  const bench = actlab("bench", "--iterations", "2", "--out", run);
  assert.equal(bench.status, 0, bench.stderr);
  const text = readFileSync(join(run, "events.jsonl"), "utf8");
  const lines = text.split("\n").filter(Boolean);
  // Cut inside the fifth-from-last line (the end line and a few events are lost, as a kill does).
  const keep = lines.length - 5;
  const prefix = lines.slice(0, keep).join("\n") + "\n";
  const partial = lines[keep]!.slice(0, Math.floor(lines[keep]!.length / 2));

  const torn = join(root, "torn");
  cpSync(run, torn, { recursive: true });
  writeFileSync(join(torn, "events.jsonl"), prefix + partial);
  const atLine = join(root, "at-line");
  cpSync(run, atLine, { recursive: true });
  writeFileSync(join(atLine, "events.jsonl"), prefix);

  const a = actlab("classify", torn, "--out", join(root, "out-torn"));
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stderr, new RegExp(`warning: .*torn/events\\.jsonl:${keep + 1}: the file is cut at byte ${Buffer.byteLength(prefix)} \\(a partial last line of ${Buffer.byteLength(partial)} bytes`));
  const b = actlab("classify", atLine, "--out", join(root, "out-line"));
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stderr, "", "a file cut at a line boundary is not torn");
  assert.equal(readFileSync(join(root, "out-torn", "actuations.json"), "utf8"), readFileSync(join(root, "out-line", "actuations.json"), "utf8"));
  assert.ok(JSON.parse(readFileSync(join(root, "out-torn", "actuations.json"), "utf8")).length >= 1, "something whole was classified");

  // The evidence file torn the same way: reported, its whole chunks used.
  const ev = readFileSync(join(torn, "evidence.jsonl"), "utf8");
  writeFileSync(join(torn, "evidence.jsonl"), ev + '{"source":"dpc","text":"I11');
  const r = readRunDir(torn);
  assert.deepEqual(r.torn.map((t) => t.source.split("/").pop()), ["events.jsonl", "evidence.jsonl"]);
  assert.equal(r.evidence?.length, ev.split("\n").filter(Boolean).length);
});
