// actlab peers install: the cache key, the status read from the stamp, the installed venv.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PEER_VERSIONS, peersDir, peersInstall, peersStatus } from "../sdk/peers/install.js";

test("peersDir is under $ACTLAB_CACHE/peers and keyed by every pinned version", () => {
  const d = peersDir({ ACTLAB_CACHE: "/x/cache" });
  assert.ok(d.startsWith("/x/cache/peers/"), d);
  for (const v of [PEER_VERSIONS.aiDynamo, PEER_VERSIONS.inferencePerf, PEER_VERSIONS.blis, PEER_VERSIONS.dynamoPython]) assert.ok(d.includes(v), `${d} lacks ${v}`);
});

test("peersStatus is undefined on an empty cache (no network, no install)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-peers-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(peersStatus({ ACTLAB_CACHE: dir }), undefined);
  assert.equal(existsSync(join(dir, "peers")), false);
});

test("the installed ai-dynamo venv imports dynamo.replay at the pinned version", (t) => {
  const s = peersStatus();
  if (!s?.dynamo.installed) return t.skip("peers not installed; run: node bin/actlab.js peers install");
  const r = spawnSync(s.dynamo.path!, ["-c", "import dynamo.replay, importlib.metadata as m; print(m.version('ai-dynamo'))"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), PEER_VERSIONS.aiDynamo);
});

test("the planner venv imports Dynamo's PlannerStateMachine at the pinned planner version", (t) => {
  const s = peersStatus();
  if (!s?.plannerCore?.installed) return t.skip("Dynamo planner core not installed; run: node bin/actlab.js peers install");
  const r = spawnSync(s.plannerCore.path!, ["-c", "import dynamo.planner.core.state_machine, importlib.metadata as m; print(m.version('ai-dynamo'))"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), PEER_VERSIONS.aiDynamoPlanner);
  assert.ok(peersDir().includes(`planner${PEER_VERSIONS.aiDynamoPlanner}`));
});

test("a second install is a no-op: the existing stamp comes back unchanged", (t) => {
  const s = peersStatus();
  if (!s) return t.skip("peers not installed; run: node bin/actlab.js peers install");
  const lines: string[] = [];
  const again = peersInstall({ log: (l) => lines.push(l) });
  assert.deepEqual(again, s);
  assert.match(lines.join("\n"), /nothing to do/);
});
