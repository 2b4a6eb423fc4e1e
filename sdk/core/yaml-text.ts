/**
 * Block-style YAML text for plain data (objects, arrays, strings, numbers, booleans, null), the
 * same bytes as the `yaml` package's `stringify(value, { lineWidth: 0, aliasDuplicateObjects:
 * false })` but an order of magnitude faster on large documents: a nop result.yaml of 1e5
 * actuations is tens of MB, where the general-purpose library's document model takes minutes.
 *
 * Each scalar is still written by the `yaml` package (memoised per distinct string), so quoting
 * decisions are the library's own; this module only lays out the block structure. A multi-line
 * string (block scalars depend on indentation) sends the whole value to the library instead.
 */
import { stringify } from "yaml";

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

type Plain = null | boolean | number | string | Plain[] | { [k: string]: Plain | undefined };

class Fallback extends Error {}

// Starts with a letter or underscore, then letters, digits and `_-./`, or a colon followed by one
// of those (":" then space or end of string would start a mapping).
const SAFE_PLAIN = /^[A-Za-z_](?:[A-Za-z0-9_\-./]|:(?=[A-Za-z0-9_\-./]))*$/;
// Words some YAML schema resolves to null, a boolean or a float: left to the library to quote.
const SPECIAL_WORD = /^(?:null|true|false|yes|no|on|off|y|n|nan|inf|infinity)$/i;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** YAML text of `value`, ending in a newline (as `stringify` does). */
export function yamlText(value: unknown): string {
  const scalars = new Map<string, string>();
  const scalar = (s: string, asKey: boolean): string => {
    // Names, paths and endpoints (most strings in our documents) are plain in any position;
    // asking the library once per distinct pod name would dominate the run.
    if (SAFE_PLAIN.test(s) && !SPECIAL_WORD.test(s)) return s;
    const memoKey = (asKey ? "k" : "v") + s;
    let out = scalars.get(memoKey);
    if (out === undefined) {
      // Document markers ("---", "...") are quoted only at the start of a line: context the
      // one-entry map cannot show.
      if (s.includes("\n") || s.includes("\r") || s.startsWith("---") || s.startsWith("...")) throw new Fallback();
      // As a one-entry map, so implicit-key and value rules apply exactly as in context.
      const text = stringify(asKey ? { [s]: 0 } : { k: s }, OPTIONS);
      out = asKey ? text.slice(0, text.length - ": 0\n".length) : text.slice("k: ".length, text.length - 1);
      if (out.includes("\n")) throw new Fallback();
      scalars.set(memoKey, out);
    }
    return out;
  };
  const leaf = (v: unknown): string | null => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isFinite(v) ? String(v) : Number.isNaN(v) ? ".nan" : v < 0 ? "-.inf" : ".inf";
    if (typeof v === "string") return scalar(v, false);
    if (Array.isArray(v)) return v.length === 0 ? "[]" : null;
    if (isPlainObject(v)) return Object.values(v).every((x) => x === undefined) ? "{}" : null;
    throw new Fallback();
  };
  // Lines go into a rope that is flattened every ~64 KB: ~1e7 tiny strings alive at once (an
  // array of parts, or one long rope) made the garbage collector the main cost.
  let doc = "";
  const chunks: string[] = [];
  const flush = () => {
    doc.charCodeAt(0); // flattens the rope in V8
    chunks.push(doc);
    doc = "";
  };
  // Writes a collection whose first line continues `lead` (a "- " or nothing) at `indent`.
  const block = (v: unknown, indent: string, firstIndent: string): void => {
    let first = true;
    const pre = () => {
      const p = first ? firstIndent : indent;
      first = false;
      return p;
    };
    if (Array.isArray(v)) {
      for (const item of v) {
        const l = leaf(item);
        if (l !== null) doc += `${pre()}- ${l}\n`;
        else block(item, indent + "  ", pre() + "- ");
        if (doc.length > 65_536) flush();
      }
      return;
    }
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      const key = scalar(k, true);
      const l = leaf(item);
      if (l !== null) doc += `${pre()}${key}: ${l}\n`;
      else {
        doc += `${pre()}${key}:\n`;
        // The library indents a sequence under a key (indentSeq), like a map.
        block(item, indent + "  ", indent + "  ");
      }
    }
  };
  try {
    const l = leaf(value);
    if (l !== null) return l + "\n";
    block(value as Plain, "", "");
    flush();
    return chunks.join("");
  } catch (err) {
    if (err instanceof Fallback) return stringify(value, OPTIONS);
    throw err;
  }
}
