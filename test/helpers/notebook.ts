/** Executes a notebook headless with one of the repository's kernels (jupyter/kernels: tslab, deno), fail-fast, and reads its outputs. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

export function jupyterAvailable(): boolean {
  return spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" }).status === 0;
}

export interface NotebookOutput {
  cell: number;
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** The kernelspecs committed under jupyter/kernels. */
export type NotebookKernel = "tslab" | "deno";

export function executeNotebook(path: string, kernel: NotebookKernel = "tslab", timeoutSeconds = 600): NotebookOutput[] {
  const outDir = mkdtempSync(join(tmpdir(), "actlab-nb-"));
  const outName = basename(path).replace(/\.ipynb$/, `.${kernel}.ipynb`);
  const repo = resolve(".");
  try {
    execFileSync("jupyter", [
      "nbconvert", "--to", "notebook", "--execute",
      `--ExecutePreprocessor.kernel_name=${kernel}`,
      `--ExecutePreprocessor.timeout=${timeoutSeconds}`,
      "--output-dir", outDir, "--output", outName, path,
    ], {
      env: { ...process.env, JUPYTER_PATH: join(repo, "jupyter"), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    // Lead with the cell and its error, not nbconvert's Python traceback: CI logs get cut short.
    const lines = (e.stderr ?? e.message).split("\n");
    const at = lines.findIndex((l) => /CellExecutionError|DeadKernelError|CellTimeoutError|NoSuchKernel/.test(l));
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`executing ${path} with the ${kernel} kernel failed:\n${(at >= 0 ? lines.slice(at, at + 40) : lines.slice(-40)).join("\n")}`);
  }
  const json = readFileSync(join(outDir, outName), "utf8");
  rmSync(outDir, { recursive: true, force: true });
  const nb = JSON.parse(json) as {
    cells: Array<{ cell_type: string; outputs?: Array<Record<string, unknown>> }>;
  };
  const outputs: NotebookOutput[] = [];
  nb.cells.forEach((c, i) => {
    for (const o of c.outputs ?? []) {
      const text = Array.isArray(o.text) ? (o.text as string[]).join("") : (o.text as string | undefined);
      outputs.push({ ...(o as object), cell: i, output_type: String(o.output_type), text } as NotebookOutput);
    }
  });
  return outputs;
}
