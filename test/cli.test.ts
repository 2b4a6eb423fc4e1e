import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8" });
}

test("actlab --help lists the commands; no command is a usage error", () => {
  const help = actlab("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Commands:\n[\s\S]*start/);
  assert.equal(actlab().status, 2);
  const unknown = actlab("nope");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'nope'/);
});

test("a bad option value is a usage error naming the flag", () => {
  const r = actlab("start", "--minutes", "abc");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--minutes expects a number/);
  assert.match(r.stderr, /Usage: actlab start/);
  assert.equal(actlab("start", "--bogus").status, 2);
});

test("actlab start writes its outputs, byte-identical for the same seed", () => {
  const a = mkdtempSync(join(tmpdir(), "actlab-start-"));
  const b = mkdtempSync(join(tmpdir(), "actlab-start-"));
  for (const dir of [a, b]) {
    const r = actlab("start", "--out", dir, "--seed", "7", "--minutes", "2");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\|minute\|requests\|/);
  }
  const files = readdirSync(a).sort();
  assert.deepEqual(files, ["per-minute.csv", "per-minute.png", "per-minute.svg", "requests.jsonl"]);
  for (const f of files) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between runs`);
  const csv = readFileSync(join(a, "per-minute.csv"), "utf8").trim().split("\n");
  assert.equal(csv[0], "minute,requests,mean_isl,p90_isl,mean_osl");
  assert.equal(csv.length, 3);
});
