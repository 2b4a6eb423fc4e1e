// Hostile API requests for fuzzing the embedded API server (fast-check): random bodies under every
// content type the server decodes, as create, replace and patches of one existing pod, and a
// fingerprint of the stored pods to prove a rejected request stored nothing.
import fc from "fast-check";
import type { RunningCluster } from "../../sdk/cluster/start.js";

export interface HostileRequest { method: string; path: string; contentType: string | undefined; body: string | Uint8Array }

const PODS = "/api/v1/namespaces/default/pods";
/** The pod replaced and patched by the fuzzer; create it first (`fuzzTargetPod`). */
export const FUZZ_POD = "fz";
export const fuzzTargetPod = () => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: FUZZ_POD }, spec: { containers: [{ name: "c", image: "i" }] } });

const scalar = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 10 }), fc.constant(null), fc.boolean(), fc.constantFrom("", "Pod", "v1", FUZZ_POD, "default", "../x", "a".repeat(300)));
const anything = fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 }));
/** A pod whose every field may have the wrong type. */
const podish = fc.record({
  apiVersion: fc.oneof(fc.constant("v1"), anything), kind: fc.oneof(fc.constant("Pod"), anything),
  metadata: fc.oneof(fc.record({ name: fc.oneof(fc.constant(FUZZ_POD), fc.string({ maxLength: 8 }), anything), generateName: anything, namespace: fc.oneof(fc.constant("default"), anything), labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })), anything), resourceVersion: anything, uid: anything }, { requiredKeys: [] }), anything),
  spec: fc.oneof(fc.record({ containers: fc.oneof(fc.array(fc.record({ name: anything, image: anything, resources: anything }, { requiredKeys: [] }), { maxLength: 3 }), anything), nodeName: anything }, { requiredKeys: [] }), anything),
  status: anything,
}, { requiredKeys: [] });
const jsonPatchOps = fc.array(fc.record({ op: fc.oneof(fc.constantFrom("add", "remove", "replace", "test", "copy", "move"), anything), path: fc.oneof(fc.constantFrom("/metadata/labels/x", "/spec/containers/0/image", "/metadata/name", "/", "", "/spec/containers/-"), fc.string({ maxLength: 8 })), value: anything, from: fc.string({ maxLength: 8 }) }, { requiredKeys: ["op"] }), { maxLength: 4 });
const deep = fc.tuple(fc.integer({ min: 10, max: 200_000 }), fc.constantFrom("[", "{\"a\":")).map(([n, open]) => open.repeat(n) + "1" + (open === "[" ? "]" : "}").repeat(n));

const body = fc.oneof(
  { weight: 4, arbitrary: podish.map((p) => JSON.stringify(p)) },
  { weight: 2, arbitrary: jsonPatchOps.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: podish.map((p) => JSON.stringify(p).replace(/[{}[\],]/g, (ch) => (ch === "," ? ",\n" : ch))) },
);

export function hostileRequest(): fc.Arbitrary<HostileRequest> {
  return fc.record({
    target: fc.constantFrom({ method: "POST", path: PODS }, { method: "PUT", path: `${PODS}/${FUZZ_POD}` }, { method: "PATCH", path: `${PODS}/${FUZZ_POD}` }, { method: "PATCH", path: `${PODS}/${FUZZ_POD}/status` }, { method: "POST", path: `${PODS}/${FUZZ_POD}/eviction` }),
    contentType: fc.constantFrom(undefined, "application/json", "application/yaml", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml", "text/plain", "application/json; charset=latin1"),
    body,
  }).map(({ target, contentType, body }) => ({ ...target, contentType, body }));
}

/** Names and resourceVersions of every stored pod, sorted: equal before and after ⇔ nothing stored. */
export async function podsFingerprint(c: RunningCluster): Promise<string> {
  const r = await fetch(c.url + PODS, { headers: { Authorization: `Bearer ${c.token}` } });
  if (r.status !== 200) throw new Error(`LIST pods answered ${r.status}`);
  const list = (await r.json()) as { items: { metadata: { name: string; resourceVersion: string } }[] };
  return list.items.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort().join(" ");
}
