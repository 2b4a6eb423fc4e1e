/**
 * `actlab testbed install`: builds the unmodified control plane and etcd from the Go module proxy
 * into the version-keyed cache. A stamp (versions, Go version, sha256 per binary) makes a second
 * run a no-op; a binary that changed or went missing is rebuilt.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARIES, BUILDS, cacheRoot, ETCD_VERSION, KUBERNETES_VERSION, testbedCacheDir, testbedModuleDir, type Binary } from "./versions.js";

export interface InstallStamp {
  kubernetes: string;
  etcd: string;
  go: string;
  built_at: string;
  build_seconds: number;
  binaries: Record<string, { sha256: string; bytes: number }>;
}

export interface InstallResult {
  dir: string;
  /** False when the stamp matched and nothing was built. */
  built: boolean;
  stamp: InstallStamp;
}

export interface InstallOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Go build parallelism (default 2). */
  parallel?: number;
  moduleDir?: string;
}

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

function goVersion(): string {
  const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`'go' is not runnable (${r.error?.message ?? r.stderr.trim()}); the test bed is built with the Go toolchain`);
  return r.stdout.trim();
}

/** The env of every go command: caches under the cache root, never the work tree. */
export function goEnv(): NodeJS.ProcessEnv {
  const root = cacheRoot();
  return { ...process.env, GOMODCACHE: join(root, "go", "mod"), GOCACHE: join(root, "go", "build"), GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" };
}

/** The stamp when it matches the pinned versions and every binary's checksum, else undefined. */
export async function checkStamp(dir = testbedCacheDir()): Promise<InstallStamp | undefined> {
  const p = join(dir, "stamp.json");
  if (!existsSync(p)) return undefined;
  let stamp: InstallStamp;
  try { stamp = JSON.parse(readFileSync(p, "utf8")) as InstallStamp; } catch { return undefined; }
  if (stamp.kubernetes !== KUBERNETES_VERSION || stamp.etcd !== ETCD_VERSION) return undefined;
  for (const b of BINARIES) {
    const f = join(dir, "bin", b);
    if (!existsSync(f) || stamp.binaries[b]?.sha256 !== (await sha256(f))) return undefined;
  }
  return stamp;
}

function run(cmd: string, args: string[], cwd: string, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: goEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code} in ${cwd}:\n${tail}`)));
  });
}

/** Builds what is missing and writes the stamp; a no-op when the stamp matches. */
export async function installTestbed(options: InstallOptions = {}): Promise<InstallResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = testbedCacheDir();
  const existing = await checkStamp(dir);
  if (existing) return { dir, built: false, stamp: existing };
  const moduleDir = options.moduleDir ?? testbedModuleDir();
  if (!moduleDir) throw new Error("cannot find the repository's testbed/go.mod (run from the repository, or set ACTLAB_TESTBED_MODULE)");
  const go = goVersion();
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const t0 = Date.now();
  const p = String(options.parallel ?? 2);
  for (const b of BUILDS) {
    const cwd = join(moduleDir, "..", b.module);
    const out = "output" in b ? join(bin, b.output) : `${bin}/`;
    log(`building ${b.packages.map((x) => x.split("/").pop()).join(", ")} (${b.module}/go.mod) with ${go}, -p ${p} …`);
    // Without these -X flags a module build reports v0.0.0-master (kubectl version then fails to parse it).
    const v = KUBERNETES_VERSION.replace(/^v/, "").split(".");
    const ldflags = b.module === "testbed" ? ["-ldflags", ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) =>
      [`-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`, `-X ${pkg}.gitMajor=${v[0]}`, `-X ${pkg}.gitMinor=${v[1]}`, `-X ${pkg}.gitTreeState=clean`]).join(" ")] : [];
    await run("go", ["build", "-p", p, "-trimpath", ...ldflags, "-o", out, ...b.packages], cwd, log);
    log(`  done at ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  // go build prints "v3" for the etcd server package's directory name; keep the name we asked for.
  if (!existsSync(join(bin, "etcd")) && existsSync(join(bin, "v3"))) renameSync(join(bin, "v3"), join(bin, "etcd"));
  const binaries: InstallStamp["binaries"] = {};
  for (const b of BINARIES) {
    const f = join(bin, b);
    if (!existsSync(f)) throw new Error(`the build did not produce ${f}`);
    const bytes = statSync(f).size;
    binaries[b] = { sha256: await sha256(f), bytes };
  }
  const stamp: InstallStamp = { kubernetes: KUBERNETES_VERSION, etcd: ETCD_VERSION, go, built_at: new Date().toISOString(), build_seconds: Math.round((Date.now() - t0) / 1000), binaries };
  writeFileSync(join(dir, "stamp.json"), `${JSON.stringify(stamp, null, 2)}\n`);
  return { dir, built: true, stamp };
}

export type { Binary };
