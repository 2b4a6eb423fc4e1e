/** Rows → an arquero table, with every column present (first-seen order) and nulls kept as null. */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { cellOf, columnsOf, type Row, type RowLike } from "../core/rows.js";

export type { ColumnTable };

/**
 * Rows as an arquero table (columns in the given order).
 *
 * @example
 * ```ts
 * const t = toArquero([{ path: "hot", n: 3 }, { path: "warm", n: 1 }]);
 * t.orderby("n").print();
 * ```
 */
export function toArquero(rows: readonly RowLike[], columns: readonly string[] = columnsOf(rows)): ColumnTable {
  // Build column arrays ourselves: aq.from() takes names from the first object only, which would
  // drop a column that the first row lacks.
  const data: Record<string, unknown[]> = {};
  for (const c of columns) data[c] = rows.map((r) => cellOf(r, c));
  return aq.table(data);
}

/**
 * An arquero table back to plain rows.
 *
 * @example
 * ```ts
 * const rows = fromArquero(toArquero(data).filter((d) => d.n > 1));
 * ```
 */
export function fromArquero(table: ColumnTable): Row[] {
  return table.objects() as Row[];
}
