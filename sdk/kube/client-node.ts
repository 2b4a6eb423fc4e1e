/**
 * @kubernetes/client-node loaded on first use (about 1.5 s to import): importing `kube/` (or the
 * front door) must not pay for it. Files take its types with `import type` and its values
 * (`KubeConfig`, `Watch`) from `await loadClientNode()`. A dynamic `import()`, not `createRequire`:
 * the SDK does not use `import.meta` (the tslab kernel compiles it to CommonJS, where this becomes `require`).
 */
import type * as ClientNode from "@kubernetes/client-node";

export type ClientNodeModule = typeof ClientNode;

let loading: Promise<ClientNodeModule> | undefined;

/** The client module, imported once per process. */
export function loadClientNode(): Promise<ClientNodeModule> {
  return (loading ??= import("@kubernetes/client-node"));
}
