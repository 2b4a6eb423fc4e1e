/**
 * Rows → a danfo DataFrame. (danfo pulls in TensorFlow.js, about 0.8 s to import; CLI commands
 * import their modules directly rather than the whole surface, so only danfo users pay it. It is
 * a static import because the notebooks' tslab kernel compiles the SDK to CommonJS, where
 * `import.meta` — and so a lazy `createRequire` — breaks.)
 *
 * Missing values stay null (danfo's `isNa()` sees them). Beware: danfo counts a null as 0 in a
 * group's mean; use `dropMissing(df, column)` (or `df.dropNa`) before aggregating a column with
 * nulls. arquero's `op.mean` skips nulls by itself.
 */
import * as danfo from "danfojs-node";
import type { DataFrame } from "danfojs-node";
import { cellOf, columnsOf, type Row, type RowLike } from "../core/rows.js";

export type { DataFrame };
/** The danfojs-node module itself, for its functions (readCSV, concat, …). */
export const dfd = danfo;

function dtypeOf(values: readonly unknown[]): "float32" | "int32" | "string" | "boolean" {
  let kind: "float32" | "int32" | "string" | "boolean" | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = typeof v === "number" ? (Number.isInteger(v) ? "int32" : "float32") : typeof v === "boolean" ? "boolean" : "string";
    if (kind === undefined) kind = k;
    else if (kind !== k) {
      if ((kind === "int32" && k === "float32") || (kind === "float32" && k === "int32")) kind = "float32";
      else return "string";
    }
  }
  return kind ?? "float32";
}

export function toDanfo(rows: readonly RowLike[], columns: readonly string[] = columnsOf(rows)): DataFrame {
    const data: Record<string, unknown[]> = {};
  const dtypes: string[] = [];
  for (const c of columns) {
    const col = rows.map((r) => cellOf(r, c));
    data[c] = col;
    // danfo labels numbers float32/int32 but keeps JS doubles; the label only drives its printing
    // and casting. A column of ints with nulls is labelled float32 as pandas would.
    const t = dtypeOf(col);
    dtypes.push(t === "int32" && col.includes(null) ? "float32" : t);
  }
  return new dfd.DataFrame(data, { columns: [...columns], dtypes });
}

/** The rows of `df` whose `column` is not missing (danfo's means count nulls as 0). */
export function dropMissing(df: DataFrame, column: string): DataFrame {
  const values = df.column(column).values as unknown[];
  const keep = values.map((v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v)));
  return df.loc({ rows: keep }) as DataFrame;
}

/** A danfo DataFrame back to plain rows. */
export function fromDanfo(df: DataFrame): Row[] {
  return dfd.toJSON(df) as Row[];
}
