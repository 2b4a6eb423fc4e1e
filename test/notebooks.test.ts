import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { executeNotebook, jupyterAvailable } from "./helpers/notebook.js";

const notebooks = readdirSync("notebooks").filter((f) => f.endsWith(".ipynb")).sort();
const haveJupyter = jupyterAvailable();
if (!haveJupyter) console.log("SKIP notebook execution: `jupyter nbconvert` is not on PATH (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)");

test("there are notebooks to execute", () => {
  assert.ok(notebooks.length > 0);
});

for (const nb of notebooks) {
  test(`notebook ${nb} executes with no error output`, { skip: haveJupyter ? false : "jupyter not on PATH" }, () => {
    const outputs = executeNotebook(`notebooks/${nb}`);
    const errors = outputs.filter((o) => o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr"));
    assert.deepEqual(errors.map((e) => `cell ${e.cell}: ${e.text ?? `${e.ename}: ${e.evalue}`}`), []);
    assert.ok(outputs.some((o) => o.output_type === "display_data" || o.output_type === "execute_result" || o.name === "stdout"), "the notebook shows something");
  });
}
