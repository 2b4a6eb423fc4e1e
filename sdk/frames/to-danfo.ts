/**
 * Rows → a danfo DataFrame, with danfo (and TensorFlow.js under it, about 2 s to import) loaded on
 * the first `toDanfo` or `loadDanfo()`, never by importing this file: the front door and the CLI stay
 * cheap. A dynamic `import()`, not `createRequire`: the SDK does not use `import.meta` (the notebooks'
 * tslab kernel compiles it to CommonJS, where the `import()` becomes a `require`).
 *
 * Missing values stay null (danfo's `isNa()` sees them). Beware: danfo counts a null as 0 in a
 * group's mean; use `dropMissing(df, column)` (or `df.dropNa`) before aggregating a column with
 * nulls. arquero's `op.mean` skips nulls by itself.
 */
import type * as Danfo from "danfojs-node";
import type { DataFrame } from "danfojs-node";
import { cellOf, columnsOf, type Row, type RowLike } from "../core/rows.js";

export type { DataFrame };
type DanfoModule = typeof Danfo;

let loading: Promise<DanfoModule> | undefined;

/**
 * The danfojs-node module itself, for its functions (readCSV, concat, …), imported once per process.
 *
 * @example
 * ```ts
 * const dfd = await loadDanfo(); // danfo.js, loaded on first use
 * ```
 */
export function loadDanfo(): Promise<DanfoModule> {
  return (loading ??= import("danfojs-node"));
}

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

/**
 * Rows as a danfo.js DataFrame (loads danfo/TensorFlow on first use).
 *
 * @example
 * ```ts
 * const df = await toDanfo([{ x: 1, y: 2 }, { x: 2, y: 4 }]);
 * df.print();
 * ```
 */
export async function toDanfo(rows: readonly RowLike[], columns: readonly string[] = columnsOf(rows)): Promise<DataFrame> {
  const dfd = await loadDanfo();
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

/**
 * The rows of `df` whose `column` is not missing (danfo's means count nulls as 0).
 *
 * @example
 * ```ts
 * const clean = dropMissing(await toDanfo(rows), "ttftP50Ms");
 * ```
 */
export function dropMissing(df: DataFrame, column: string): DataFrame {
  const values = df.column(column).values as unknown[];
  const keep = values.map((v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v)));
  return df.loc({ rows: keep }) as DataFrame;
}

/**
 * A danfo DataFrame back to plain rows (what danfo's own `toJSON(df)` gives: each row's values by column name).
 *
 * @example
 * ```ts
 * const rows = fromDanfo((await toDanfo(data)).head(10));
 * ```
 */
export function fromDanfo(df: DataFrame): Row[] {
  const columns = df.columns;
  return (df.values as unknown[][]).map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]])) as Row);
}
