/**
 * The three patch formats kubectl and client libraries send: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902), and a strategic merge patch reduced to what the served kinds need (lists of
 * named objects merge by `name`; `$setElementOrder`, `$retainKeys` directives are accepted).
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === "delete") return null;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$setElementOrder/") || k === "$retainKeys" || k.startsWith("$deleteFromPrimitiveList/") || k === "$patch") continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v) && Array.isArray(cur) && v.every((e) => isObj(e) && typeof e.name === "string") && cur.every((e) => isObj(e) && typeof e.name === "string")) {
      const merged = cur.slice() as Record<string, Json>[];
      for (const e of v as Record<string, Json>[]) {
        const i = merged.findIndex((m) => m.name === e.name);
        if (e.$patch === "delete") {
          if (i >= 0) merged.splice(i, 1);
        } else if (i >= 0) merged[i] = strategicMergePatch(merged[i]!, e) as Record<string, Json>;
        else merged.push(strategicMergePatch(null, e) as Record<string, Json>);
      }
      out[k] = merged;
    } else out[k] = strategicMergePatch(cur ?? null, v);
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). Throws RangeError on a bad op. */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new RangeError("a JSON patch must be an array of operations");
  // Names a bad value in an error without String(), which throws on objects without a prototype.
  const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? typeof v);
  let root: Json = JSON.parse(JSON.stringify(doc)) as Json;
  const locate = (path: string): { parent: Json; key: string } => {
    if (typeof path !== "string" || (path !== "" && !path.startsWith("/"))) throw new RangeError(`bad JSON pointer '${show(path)}'`);
    const parts = path.split("/").slice(1).map(unescape);
    let cur: Json = root;
    for (const p of parts.slice(0, -1)) {
      if (Array.isArray(cur)) cur = cur[Number(p)] ?? null;
      else if (isObj(cur)) cur = cur[p] ?? null;
      else throw new RangeError(`path '${path}' does not exist`);
      if (cur === null) throw new RangeError(`path '${path}' does not exist`);
    }
    return { parent: cur, key: parts[parts.length - 1] ?? "" };
  };
  const get = (path: string): Json => {
    if (path === "") return root;
    const { parent, key } = locate(path);
    const v = Array.isArray(parent) ? parent[Number(key)] : isObj(parent) ? parent[key] : undefined;
    if (v === undefined) throw new RangeError(`path '${path}' does not exist`);
    return v;
  };
  const set = (path: string, value: Json, insert: boolean) => {
    if (path === "") { root = value; return; }
    const { parent, key } = locate(path);
    if (Array.isArray(parent)) {
      const i = key === "-" ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new RangeError(`bad array index in '${path}'`);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else if (isObj(parent)) parent[key] = value;
    else throw new RangeError(`path '${path}' does not exist`);
  };
  const remove = (path: string) => {
    const { parent, key } = locate(path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (isObj(parent) && key in parent) delete parent[key];
    else throw new RangeError(`path '${path}' does not exist`);
  };
  for (const op of ops as { op?: string; path?: string; value?: Json; from?: string }[]) {
    switch (op?.op) {
      case "add": set(op.path!, op.value ?? null, true); break;
      case "replace": get(op.path!); set(op.path!, op.value ?? null, false); break;
      case "remove": remove(op.path!); break;
      case "test": if (JSON.stringify(get(op.path!)) !== JSON.stringify(op.value)) throw new RangeError(`test failed at '${op.path}'`); break;
      case "copy": set(op.path!, JSON.parse(JSON.stringify(get(op.from!))) as Json, true); break;
      case "move": { const v = get(op.from!); remove(op.from!); set(op.path!, v, true); break; }
      default: throw new RangeError(`unknown JSON patch op '${show(op?.op)}'`);
    }
  }
  return root;
}
