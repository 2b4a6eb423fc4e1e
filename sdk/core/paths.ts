/**
 * Where the public datasets live: the copies bundled in this repository, or `$ACTLAB_SHARED_DATASETS`.
 * The SDK does not use `import.meta` (the notebooks' tslab kernel compiles it to CommonJS), so the
 * bundled folder is found from the working folder: the repository root, where every command runs.
 * No parent folder is searched, so results never depend on where a clone lives.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "./errors.js";

/** The bundled public traces, relative to the repository root. */
export const BUNDLED_DATASETS = "datasets/traces/public";

/**
 * The folder of real third-party traces: `$ACTLAB_SHARED_DATASETS` when set (it must be an existing
 * folder, else an InputError — never a silent fallback), else the bundled `datasets/traces/public`
 * under `cwd` (undefined only when run outside the repository).
 *
 * @example
 * ```ts
 * const dir = sharedDatasetsDir(); // $ACTLAB_SHARED_DATASETS, else the bundled datasets/traces/public
 * ```
 */
export function sharedDatasetsDir(cwd = process.cwd()): string | undefined {
  const fromEnv = process.env.ACTLAB_SHARED_DATASETS;
  if (fromEnv !== undefined && fromEnv !== "") {
    const dir = resolve(cwd, fromEnv);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new InputError({ source: "$ACTLAB_SHARED_DATASETS" }, `an existing folder of datasets (got ${JSON.stringify(fromEnv)}, which is not a folder; unset it to use the bundled ${BUNDLED_DATASETS})`);
    }
    return dir;
  }
  const bundled = resolve(cwd, BUNDLED_DATASETS);
  return existsSync(bundled) ? bundled : undefined;
}

/**
 * Path of a file in the datasets folder, trying `relativePath` then `relativePath.gz`
 * (the bundled copies are gzip-compressed); undefined when absent.
 *
 * @example
 * ```ts
 * const path = sharedDataset("mooncake/conversation_trace.jsonl"); // the bundled .gz, or $ACTLAB_SHARED_DATASETS
 * ```
 */
export function sharedDataset(relativePath: string): string | undefined {
  const dir = sharedDatasetsDir();
  if (!dir) return undefined;
  for (const p of [join(dir, relativePath), join(dir, `${relativePath}.gz`)]) if (existsSync(p)) return p;
  return undefined;
}
