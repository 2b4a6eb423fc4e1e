/**
 * Kubernetes label and field selectors: parse once, match many. Bad syntax → RangeError with the
 * offending text (the server turns it into a 400 Status).
 */
type LabelRequirement =
  | { op: "eq" | "neq"; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "notexists"; key: string };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new RangeError(`invalid label selector '${whole}': bad key '${key}'`);
  return key;
}
function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value)) throw new RangeError(`invalid label selector '${whole}': bad value '${value}'`);
  return value;
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || text.trim() === "") return () => true;
  const reqs: LabelRequirement[] = splitTop(text).map((part) => {
    let m = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(",").map((v) => checkValue(v.trim(), text));
      return { op: m[2] as "in" | "notin", key: checkKey(m[1]!, text), values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) return { op: m[2] === "!=" ? "neq" : "eq", key: checkKey(m[1]!, text), value: checkValue(m[3]!, text) };
    if (part.startsWith("!")) return { op: "notexists", key: checkKey(part.slice(1).trim(), text) };
    return { op: "exists", key: checkKey(part, text) };
  });
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.op) {
        case "eq": if (v !== r.value) return false; break;
        case "neq": if (v === r.value) return false; break;
        case "in": if (!has || !r.values.includes(v!)) return false; break;
        case "notin": if (has && r.values.includes(v!)) return false; break;
        case "exists": if (!has) return false; break;
        case "notexists": if (has) return false; break;
      }
    }
    return true;
  };
}

/** Label selector from a `matchLabels` map (what a ReplicaSet/Deployment selector holds). */
export function matchLabelsSelector(matchLabels: Record<string, string> | undefined): LabelSelector {
  const entries = Object.entries(matchLabels ?? {});
  return (labels) => entries.every(([k, v]) => labels?.[k] === v);
}

export type FieldSelector = (obj: unknown) => boolean;

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? "" : String(cur);
}

const FIELDS = new Set(["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "spec.schedulerName", "status.podIP", "involvedObject.name", "involvedObject.kind", "involvedObject.namespace", "involvedObject.uid", "reason", "type"]);

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (!text || text.trim() === "") return () => true;
  const reqs = splitTop(text).map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new RangeError(`invalid field selector '${text}': expected field=value or field!=value`);
    if (!FIELDS.has(m[1]!)) throw new RangeError(`field label not supported: ${m[1]}`);
    return { field: m[1]!, neg: m[2] === "!=", value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.neg);
}
