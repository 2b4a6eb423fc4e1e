/**
 * Rows are the contract between modules: plain records of numbers, strings, booleans and nulls.
 * Here: writing them as CSV and JSONL (deterministically: same rows, same bytes), reading CSV back
 * with numbers typed, and atomic file writes so an interrupted run never leaves half a file.
 */
import { readFileSync } from "node:fs";
import { InputError } from "./errors.js";

export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;
/** Any plain record: typed row interfaces (without an index signature) are accepted too. */
export type RowLike = object;

/** The value of `column` in `row`, with a missing key read as null. */
export function cellOf(row: RowLike, column: string): Cell {
  const v = (row as Record<string, unknown>)[column];
  return v === undefined ? null : (v as Cell);
}

/**
 * Column names in first-seen order across all rows.
 *
 * @example
 * ```ts
 * columnsOf([{ a: 1 }, { a: 2, b: 3 }]); // ["a", "b"]
 * ```
 */
export function columnsOf(rows: readonly RowLike[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

function csvCell(v: Cell | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
  const s = String(v);
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Rows as CSV text with a header line (the given columns, default every column seen); an empty table keeps its header.
 *
 * @example
 * ```ts
 * writeFileAtomic("out/rows.csv", toCsv([{ path: "hot", n: 3 }]));
 * ```
 */
export function toCsv(rows: readonly RowLike[], columns: readonly string[] = columnsOf(rows)): string {
  const lines = [columns.map((c) => csvCell(c)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell(cellOf(r, c))).join(","));
  return lines.join("\n") + "\n";
}

/**
 * Values as JSON Lines text, one per line.
 *
 * @example
 * ```ts
 * writeFileAtomic("out/rows.jsonl", toJsonl(rows));
 * ```
 */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
}

/** Split CSV text into records of raw strings (RFC 4180 quoting). */
export function parseCsvRecords(text: string, source = "<csv>"): { records: string[][]; lines: number[] } {
  const records: string[][] = [];
  const lines: number[] = [];
  let field = "";
  let record: string[] = [];
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === "") { inQuotes = true; fieldQuoted = true; continue; }
    if (ch === ",") { record.push(field); field = ""; fieldQuoted = false; continue; }
    if (ch === "\r") continue;
    if (ch === "\n") {
      record.push(field);
      if (!(record.length === 1 && record[0] === "" && !fieldQuoted)) { records.push(record); lines.push(recordLine); }
      record = []; field = ""; fieldQuoted = false;
      line++; recordLine = line;
      continue;
    }
    field += ch;
  }
  if (inQuotes) throw new InputError({ source, line: recordLine }, "a closing double quote for the quoted field that starts here");
  if (field !== "" || record.length > 0 || fieldQuoted) { record.push(field); records.push(record); lines.push(recordLine); }
  return { records, lines };
}

/**
 * Parse CSV with a header into typed rows: numeric text → number, empty/NA → null, true/false → boolean.
 *
 * @example
 * ```ts
 * const rows = parseCsv("x,y\n1,2\n", "inline.csv"); // [{ x: 1, y: 2 }]
 * ```
 */
export function parseCsv(text: string, source = "<csv>"): Row[] {
  const { records, lines } = parseCsvRecords(text, source);
  if (records.length === 0) throw new InputError({ source, line: 1 }, "a header line naming the columns");
  const header = records[0]!;
  const rows: Row[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.length !== header.length) {
      throw new InputError({ source, line: lines[i]! }, `${header.length} fields as in the header, found ${rec.length}`);
    }
    const row: Row = {};
    header.forEach((name, j) => { row[name] = typeCell(rec[j]!); });
    rows.push(row);
  }
  return rows;
}

function typeCell(s: string): Cell {
  if (s === "" || s === "NA" || s === "null") return null;
  if (s === "true") return true;
  if (s === "false") return false;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || s === "Infinity" || s === "-Infinity" || s === "NaN") return Number(s);
  return s;
}

/** Write a file atomically (temp file + fsync + rename), creating parent folders: see atomic-write.ts. */
export { writeFileAtomic } from "./atomic-write.js";

/**
 * Reads a CSV file into rows (numbers parsed); errors name the file and line.
 *
 * @example
 * ```ts
 * const rows = readCsvFile("out/experiments/router-study/results.csv");
 * ```
 */
export function readCsvFile(path: string): Row[] {
  return parseCsv(readFileSync(path, "utf8"), path);
}
