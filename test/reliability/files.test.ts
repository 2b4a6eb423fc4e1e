// Files that never lie: atomic set commits that roll forward after a kill, one-line write errors, one sweep per folder.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitFiles, OutputError, recoverFiles, writeFileAtomic, JOURNAL } from "../../sdk/core/atomic-write.js";
import { lockSweepFolder, SweepLockedError, LOCK_NAME } from "../../sdk/doe/sweep-lock.js";
import { runSweep, fullFactorial } from "../../sdk/doe/index.js";

const dir = mkdtempSync(join(tmpdir(), "actlab-files-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a kill between the renames of a set rolls forward to the whole new set; no temp is left", () => {
  const d = join(dir, "set");
  commitFiles(d, [["a.txt", "old-a\n"], ["b.txt", "old-b\n"]]);
  assert.throws(() => commitFiles(d, [["a.txt", "new-a\n"], ["b.txt", "new-b\n"]], { afterRename: (i) => { if (i === 0) throw new Error("killed"); } }), /killed/);
  assert.equal(readFileSync(join(d, "b.txt"), "utf8"), "old-b\n", "mid-commit the set is mixed on disk");
  assert.ok(existsSync(join(d, JOURNAL)));
  assert.equal(recoverFiles(d), 2);
  assert.equal(readFileSync(join(d, "a.txt"), "utf8"), "new-a\n");
  assert.equal(readFileSync(join(d, "b.txt"), "utf8"), "new-b\n");
  assert.deepEqual(readdirSync(d).sort(), ["a.txt", "b.txt"]);
});

test("a write that cannot happen is one OutputError line naming the path; no temp stays", () => {
  const file = join(dir, "plain-file");
  writeFileSync(file, "x");
  assert.throws(() => writeFileAtomic(join(file, "child.txt"), "y"), (e: Error) => e instanceof OutputError && e.message.includes(file) && !e.message.includes("\n"));
  const d = join(dir, "isdir");
  writeFileAtomic(join(d, "target", "inner"), "z");
  assert.throws(() => writeFileAtomic(join(d, "target"), "y"), (e: Error) => e instanceof OutputError && /EISDIR|folder/.test(e.message));
  assert.deepEqual(readdirSync(d), ["target"]);
  const full = new OutputError("out/results.csv", Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
  assert.match(full.message, /^out\/results\.csv: .*no space left on the device \(ENOSPC\)$/);
});

test("a second sweep on a folder refuses naming the lock and holder pid; a dead holder's lock is taken over", async () => {
  const d = join(dir, "sweep");
  const lock = lockSweepFolder(d);
  const design = fullFactorial([{ name: "x", levels: [1, 2] }], "lock");
  await assert.rejects(runSweep(design, (i) => ({ y: Number(i.factors.x) }), { outDir: d, progress: false }), (e: Error) => e instanceof SweepLockedError && e.message.includes(join(d, LOCK_NAME)) && e.message.includes(`process ${process.pid}`));
  lock.release();
  writeFileSync(join(d, LOCK_NAME), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), started: "then", token: "t" }));
  const r = await runSweep(design, (i) => ({ y: Number(i.factors.x) }), { outDir: d, progress: false });
  assert.equal(r.executed, 2);
  assert.equal(existsSync(join(d, LOCK_NAME)), false, "released after the sweep");
});
