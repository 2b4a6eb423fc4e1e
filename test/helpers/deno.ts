/** The optional Deno binary (npm optionalDependency @deno/linux-x64-glibc) and the flags the examples run with. */
import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";

/** Where `npm ci` puts the binary; $DENO overrides it (another platform's binary, a system install). */
export const DENO_PACKAGE_BINARY = "node_modules/@deno/linux-x64-glibc/deno";

/** Absolute path of an executable Deno binary, or undefined (the tests that need it skip). */
export function denoBinary(): string | undefined {
  const candidate = resolve(process.env.DENO || DENO_PACKAGE_BINARY);
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

export const DENO_MISSING = `no Deno binary at ${DENO_PACKAGE_BINARY} (the optional dependency @deno/linux-x64-glibc; set DENO=/path/to/deno on other platforms)`;

/**
 * `deno run` for a file written for NodeNext: all permissions (files, env, the loopback API server,
 * worker threads, resvg's native addon); npm packages from the existing node_modules, never
 * installed or fetched; `--sloppy-imports` so "./x.js" resolves to x.ts (Deno 2.9.6 accepts it
 * without the older `--unstable-` prefix).
 */
export const DENO_RUN_ARGS = ["run", "-A", "--node-modules-dir=manual", "--sloppy-imports"];

/** Environment for every Deno child: no update check (a network request on start), no colours. */
export const DENO_ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
