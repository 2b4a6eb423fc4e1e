/**
 * The test bed's pinned versions and where its binaries live: a version-keyed cache outside the
 * work tree (`$ACTLAB_CACHE` or `~/.cache/actuation-lab`), so a second install is a no-op.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const KUBERNETES_VERSION = "v1.34.4";
export const ETCD_VERSION = "v3.6.17";

/** The control-plane programs and the Go package each is built from, per Go module folder. */
export const BUILDS = [
  { module: "testbed", packages: ["k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager", "k8s.io/kubernetes/cmd/kube-scheduler", "k8s.io/kubernetes/cmd/kubectl"] },
  { module: "testbed/etcd", packages: ["go.etcd.io/etcd/server/v3"], output: "etcd" },
] as const;

export const BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"] as const;
export type Binary = (typeof BINARIES)[number];

/** `$ACTLAB_CACHE`, else `~/.cache/actuation-lab`. */
export function cacheRoot(): string {
  return resolve(process.env.ACTLAB_CACHE || join(homedir(), ".cache", "actuation-lab"));
}

/** The folder of this version pair's binaries and stamp. */
export function testbedCacheDir(): string {
  return join(cacheRoot(), "testbed", `k8s-${KUBERNETES_VERSION}+etcd-${ETCD_VERSION}`);
}

/** Path of one built binary (it may not exist yet). */
export function binaryPath(name: Binary): string {
  return join(testbedCacheDir(), "bin", name);
}

/** True when every binary is present (installed). */
export function testbedInstalled(): boolean {
  return BINARIES.every((b) => existsSync(binaryPath(b)));
}

/**
 * The repository's `testbed/` Go module folder: `$ACTLAB_TESTBED_MODULE`, else the first
 * `testbed/go.mod` found in the working folder or one of its ancestors (the SDK does not use import.meta).
 */
export function testbedModuleDir(cwd = process.cwd()): string | undefined {
  const fromEnv = process.env.ACTLAB_TESTBED_MODULE;
  if (fromEnv) return existsSync(join(fromEnv, "go.mod")) ? resolve(fromEnv) : undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "testbed", "go.mod")) && existsSync(join(dir, "testbed", "etcd", "go.mod"))) return join(dir, "testbed");
    if (dirname(dir) === dir) return undefined;
  }
}
