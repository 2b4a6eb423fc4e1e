/**
 * Plain names: a value from an input file that becomes one path segment under an output folder
 * must not climb out of it, so no `.`/`..`, no separator (either OS's) and no NUL.
 */

/** What a plain name is, for error messages. */
export const PLAIN_NAME = "a plain name (one path segment: not '.' or '..', no '/', '\\' or NUL)";

/** True when `name` can be joined under a folder and stays a single entry inside it. */
export function isPlainName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}
