// Temp folders for tests and benchmarks, removed when the process exits (node:test runs each test
// file in a process of its own), so a run leaves no actlab-* folder behind, pass or fail.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
process.on("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder under the system temp folder, named `actlab-<prefix>XXXXXX`, removed at exit. */
export function tempDir(prefix = "test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix.startsWith("actlab-") ? prefix : `actlab-${prefix}`));
  made.push(d);
  return d;
}
