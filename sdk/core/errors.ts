/**
 * Errors for bad input that name where the problem is (file, line or YAML/JSON path) and what was
 * expected, so a user can fix the input without reading our code.
 */
export interface InputLocation {
  /** The file, URL or other source the input came from. */
  source: string;
  /** 1-based line number, when the input is line-oriented. */
  line?: number;
  /** A path inside a structured document, e.g. `setup.treatments[2]`. */
  path?: string;
}

export class InputError extends Error {
  readonly source: string;
  readonly line: number | undefined;
  readonly path: string | undefined;
  readonly expected: string;

  constructor(where: InputLocation, expected: string, options?: { cause?: unknown }) {
    const at = [where.source, where.line !== undefined ? String(where.line) : undefined].filter(Boolean).join(":");
    super(`${at}${where.path ? ` (${where.path})` : ""}: ${expected}`, options);
    this.name = "InputError";
    this.source = where.source;
    this.line = where.line;
    this.path = where.path;
    this.expected = expected;
  }
}
