import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";

test("actlab cluster serve: prints a kubeconfig path, serves the API, stops on SIGINT", { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ["bin/actlab.js", "cluster", "serve", "--time-scale", "100", "--lifetime", "50", "--seed", "2"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (b: Buffer) => { out += b.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const end = Date.now() + 30_000;
    while (!/^server: /m.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const path = /^kubeconfig: (.+)$/m.exec(out)?.[1];
    assert.ok(path && existsSync(path), out);
    const cfg = parse(readFileSync(path, "utf8")) as { clusters: { cluster: { server: string } }[]; users: { user: { token?: string } }[] };
    const url = cfg.clusters[0]!.cluster.server;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    // The token is only in the (0600) kubeconfig.
    assert.equal((await fetch(`${url}/api/v1/namespaces/default/pods`)).status, 401);
    const pods = await (await fetch(`${url}/api/v1/namespaces/default/pods`, { headers: { Authorization: `Bearer ${cfg.users[0]!.user.token}` } })).json() as { items: { metadata: { labels: Record<string, string> } }[] };
    assert.ok(pods.items.some((p) => p.metadata.labels["app.kubernetes.io/component"] === "dual-pods-controller"));
    child.kill("SIGINT");
    assert.equal(await exit, 0);
    assert.match(out, /stopped after 0 actuation\(s\)/);
    assert.equal(existsSync(path), false); // its temporary kubeconfig is cleaned up
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("actlab cluster serve: --lifetime stops it; bad options are usage errors (exit 2)", { timeout: 60_000 }, () => {
  const ok = spawnSync(process.execPath, ["bin/actlab.js", "cluster", "serve", "--lifetime", "0.5"], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^kubeconfig: /m);
  for (const args of [["--time-scale", "0"], ["--profile", "nope"], ["--placement", "diagonal"], ["--bogus"]]) {
    const r = spawnSync(process.execPath, ["bin/actlab.js", "cluster", "serve", ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
  }
  const p = spawnSync(process.execPath, ["bin/actlab.js", "cluster", "profiles"], { encoding: "utf8" });
  assert.equal(p.status, 0);
  assert.match(p.stdout, /^8b-h100: .*\n {2}model .* wake floor 0\.29 s/m);
  assert.match(p.stdout, /^32b-h100: /m);
});
