// actlab's lazy command registry: --version, group help, and the registry's summaries match the commands' own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadCommands } from "../sdk/cli/main.js";

const actlab = (...args: string[]) => spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8" });

test("actlab --version prints package.json's version", () => {
  const r = actlab("--version");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `actlab ${(JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version}\n`);
});

test("actlab cluster --help lists the group and exits 0", () => {
  const r = actlab("cluster", "--help");
  assert.equal(r.status, 0);
  assert.match(r.stdout, /cluster serve/);
  assert.match(r.stdout, /cluster profiles/);
  assert.equal(actlab("cluster").status, 2);
});

test("each registry entry loads a command of its name whose summary is the one --help prints", async () => {
  const entries = await loadCommands();
  assert.ok(entries.some((e) => "load" in e), "the registry holds lazy entries");
  for (const e of entries) {
    if (!("load" in e)) continue;
    const cmd = await e.load();
    assert.equal(cmd.name, e.name);
    assert.equal(cmd.summary, e.summary, `${e.name}: the registry's summary differs from the command's`);
    assert.match(cmd.usage, /Usage: actlab/);
  }
});
