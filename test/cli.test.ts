import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

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

test("stdout closed early (actlab … | head): a quiet exit 141 like SIGPIPE, not an EPIPE stack trace", async () => {
  const { spawn } = await import("node:child_process");
  // A trace's stats as JSON are well over one line; the reader closes before the first write.
  const child = spawn(process.execPath, ["bin/actlab.js", "trace", "stats", "datasets/traces/bursty-gamma.jsonl", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(stderr, "");
  assert.equal(code, 141);
});
