/**
 * Where shared, read-only datasets live. The SDK does not use `import.meta` (the notebooks' tslab
 * kernel compiles it to CommonJS), so locations come from the environment or the working folder.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The folder of real third-party traces (Mooncake, Azure, ServeGen): `$ACTLAB_SHARED_DATASETS`,
 * else the first `shared/datasets` found beside the working folder or one of its ancestors
 * (the layout `…/main` + `…/shared/datasets`), else undefined.
 */
export function sharedDatasetsDir(cwd = process.cwd()): string | undefined {
  const fromEnv = process.env.ACTLAB_SHARED_DATASETS;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const candidate of [join(dir, "shared", "datasets"), join(dir, "..", "shared", "datasets")]) {
      if (existsSync(candidate)) return resolve(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Path of a file in the shared datasets, or undefined when the folder or file is absent. */
export function sharedDataset(relativePath: string): string | undefined {
  const dir = sharedDatasetsDir();
  if (!dir) return undefined;
  const p = join(dir, relativePath);
  return existsSync(p) ? p : undefined;
}
