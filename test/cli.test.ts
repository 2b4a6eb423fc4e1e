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
