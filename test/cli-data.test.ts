// actlab data list / fetch against a loopback HTTP server: resume after a dropped transfer, sha256 checks, --from, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";

function actlab(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["bin/actlab.js", ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at /, s);

// 200,000 bytes of a Mooncake-like trace, the "upstream" file.
const body = Buffer.from(Array.from({ length: 2500 }, (_, i) => JSON.stringify({ timestamp: i * 10, input_length: 10, output_length: 5, hash_ids: [i] })).join("\n").padEnd(199_999, " ") + "\n");
const sha = createHash("sha256").update(body).digest("hex");

test("data fetch: a dropped transfer resumes with a Range request, the sha256 is checked, NAME.sha256 written", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-data-"));
  const seen: IncomingHttpHeaders[] = [];
  let dropFirst = true;
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const from = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { "content-length": String(body.length - from), ...(range ? { "content-range": `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
    if (dropFirst) {
      dropFirst = false;
      res.write(body.subarray(0, 80_000), () => setTimeout(() => res.destroy(), 50)); // the connection dies mid-file
      return;
    }
    res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/toolagent_trace.jsonl`;
  const dest = join(dir, "mooncake", "toolagent_trace.jsonl");

  const first = await actlab("data", "fetch", "mooncake-toolagent", "--url", url, "--sha256", sha, "--dir", dir);
  assert.equal(first.status, 1, first.stdout + first.stderr);
  noStack(first.stderr);
  assert.match(first.stderr.trim().split("\n").pop()!, new RegExp(`^actlab data fetch: ${url}: the whole file \\(the transfer stopped after 80000 bytes: .*; run the same command again to resume from ${dest}\\.part\\)$`));
  assert.equal(statSync(`${dest}.part`).size, 80_000);
  assert.ok(!existsSync(dest), "nothing under the final name");

  const second = await actlab("data", "fetch", "mooncake-toolagent", "--url", url, "--sha256", sha, "--dir", dir);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(seen[1]!.range, "bytes=80000-");
  assert.match(second.stderr, /fetch .*toolagent_trace\.jsonl \(bytes\) 200000\/200000 \(100%\)/, "progress reached the whole size");
  assert.equal(second.stdout.split("\n")[0], `mooncake-toolagent: ${dest} (200000 bytes, resumed from byte 80000); sha256 ${sha} as expected`);
  assert.ok(readFileSync(dest).equals(body));
  assert.equal(readFileSync(`${dest}.sha256`, "utf8"), `${sha}  toolagent_trace.jsonl\n`);
  assert.ok(!existsSync(`${dest}.part`));
  // The fetched trace reads as a trace.
  const stats = await actlab("trace", "stats", dest);
  assert.equal(stats.status, 0, stats.stderr);
  assert.match(stats.stdout, /requests\s+2,500 /);
  // Again: already present, checked, no request made.
  const again = await actlab("data", "fetch", "mooncake-toolagent", "--url", url, "--sha256", sha, "--dir", dir);
  assert.equal(again.status, 0);
  assert.equal(again.stdout, `mooncake-toolagent: already present at ${dest} (sha256 ${sha}, as expected)\n`);
  assert.equal(seen.length, 2);
  const list = await actlab("data", "list", "--dir", dir);
  assert.match(list.stdout, /^mooncake-toolagent\s+present\s/m);
  assert.match(list.stdout, /^burstgpt-1\s+absent\s/m);
});

test("data fetch: a wrong sha256 deletes the download and exits 1; --from copies a local file; bad names and flags exit 2", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-data-"));
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.csv`;
  const wrong = "0".repeat(64);
  const bad = await actlab("data", "fetch", "burstgpt-1", "--url", url, "--sha256", wrong, "--dir", dir, "--quiet");
  assert.equal(bad.status, 1);
  noStack(bad.stderr);
  assert.equal(bad.stderr, `actlab data fetch: ${url}: sha256 ${wrong}, got ${sha} (200000 bytes; the download was deleted)\n`);
  assert.ok(!existsSync(join(dir, "burstgpt", "BurstGPT_1.csv")) && !existsSync(join(dir, "burstgpt", "BurstGPT_1.csv.part")));

  const local = join(dir, "mine.csv");
  writeFileSync(local, body);
  const from = await actlab("data", "fetch", "burstgpt-1", "--from", local, "--dir", dir);
  assert.equal(from.status, 0, from.stderr);
  assert.match(from.stdout, new RegExp(`sha256 ${sha} \\(not pinned: compare it with the publisher's, or pass --sha256 next time\\)`));
  assert.ok(readFileSync(join(dir, "burstgpt", "BurstGPT_1.csv")).equals(body));

  const name = await actlab("data", "fetch", "burstgpt", "--dir", dir);
  assert.equal(name.status, 2);
  assert.match(name.stderr.split("\n")[0]!, /^actlab data fetch: NAME expects one of mooncake-conversation, .*burstgpt-1.*, got 'burstgpt'$/);
  const hex = await actlab("data", "fetch", "burstgpt-1", "--sha256", "abc", "--dir", dir);
  assert.equal(hex.status, 2);
  assert.equal(hex.stderr.split("\n")[0], "actlab data fetch: --sha256 expects 64 hex digits, got 'abc'");
  const noUrl = await actlab("data", "fetch", "servegen-language", "--dir", dir);
  assert.equal(noUrl.status, 2);
  assert.match(noUrl.stderr.split("\n")[0]!, /has no single-file download .*; fetch it by hand and give it with --from FILE$/);
  const missing = await actlab("data", "fetch", "burstgpt-1", "--from", join(dir, "nope.csv"), "--dir", join(dir, "other"));
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `actlab data fetch: ${join(dir, "nope.csv")}: a readable file for --from\n`);
});

test("data list --verify checks the bundled traces against their pinned sha256 (of the uncompressed bytes)", async () => {
  const r = await actlab("data", "list", "--verify");
  assert.equal(r.status, 0, r.stderr);
  for (const name of ["mooncake-conversation", "mooncake-synthetic", "azure-2023-code", "azure-2023-conv"]) assert.match(r.stdout, new RegExp(`^${name}\\s+bundled, sha256 ok`, "m"));
  // The pins are the ones datasets/traces/public/README.md publishes.
  const readme = readFileSync("datasets/traces/public/README.md", "utf8");
  const { CATALOG } = await import("../sdk/cli/commands/data-catalog.js");
  for (const e of CATALOG.filter((x) => x.bundled)) assert.ok(readme.includes(`\`${e.sha256}\``), e.name);
});
