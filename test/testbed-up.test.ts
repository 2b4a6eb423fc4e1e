// `actlab testbed up` then SIGINT: every process it started is gone and no port it listened on remains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { testbedInstalled } from "../sdk/testbed/versions.js";

const installed = testbedInstalled();

/** Listening TCP ports on 127.0.0.0/8 from /proc/net/tcp (state 0A). */
function listening(): Set<number> {
  const out = new Set<number>();
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A" && f[1]) out.add(parseInt(f[1].split(":")[1]!, 16));
  }
  return out;
}

/** PIDs whose command line mentions `needle`. */
function pidsWith(needle: string): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
    try { return readFileSync(`/proc/${d}/cmdline`, "utf8").includes(needle); } catch { return false; }
  }).map(Number);
}

test("actlab testbed up prints kubeconfig and kubectl, and SIGINT leaves no process or port", { skip: !installed && "the test bed is not installed; run: actlab testbed install", timeout: 180_000 }, async () => {
  const child = spawn(process.execPath, ["bin/actlab.js", "testbed", "up", "--nodes", "2", "--time-scale", "50"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => { if (/^kubectl: .+$/m.test(out)) { clearInterval(t); resolve(); } }, 100);
    child.once("exit", (c) => { clearInterval(t); reject(new Error(`exited ${c} before ready: ${err.slice(-2000)}`)); });
  });
  const kubeconfig = /^kubeconfig: (.+)$/m.exec(out)![1]!;
  const kubectl = /^kubectl: (.+)$/m.exec(out)![1]!;
  assert.ok(existsSync(kubeconfig) && existsSync(kubectl));
  assert.equal(readFileSync(kubeconfig).length > 0 && (await import("node:fs")).statSync(kubeconfig).mode & 0o777, 0o600);
  const dir = kubeconfig.replace(/\/kubeconfig$/, "");
  const port = Number(/^server: https:\/\/127\.0\.0\.1:(\d+)$/m.exec(out)![1]);
  const during = pidsWith(dir);
  assert.ok(during.length >= 4, `etcd, apiserver, controller manager, scheduler running (${during.length})`);
  assert.ok(listening().has(port));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  assert.equal(code, 0, err.slice(-2000));
  assert.deepEqual(pidsWith(dir), []);
  assert.equal(listening().has(port), false);
  assert.equal(existsSync(dir), false, "temp folder removed");
});
