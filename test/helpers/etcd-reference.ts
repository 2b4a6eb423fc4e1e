// A reference that outlives the API server: etcd's own watch (the v3 JSON gateway, POST /v3/watch)
// on the pods' keys from a revision. kube-apiserver's resourceVersion is etcd's mod_revision, and a
// deletion's event carries the deleting revision, so each etcd event is one API watch event:
// PUT → ADDED/MODIFIED at mod_revision, DELETE → DELETED. The uid is read from the stored object
// (the previous value for a DELETE): the first UUID in it is metadata.uid.
import type { RefEvent } from "./testbed-pods.js";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Watches etcd keys `/registry/pods/<ns>/<prefix>…` from revision `fromRev + 1`; stop() ends it. */
export function etcdReferenceWatch(etcdUrl: string, ns: string, prefix: string, fromRev: string) {
  const events: RefEvent[] = [];
  const state = { ended: false, error: "" };
  const ac = new AbortController();
  const key = `/registry/pods/${ns}/${prefix}`;
  const rangeEnd = key.slice(0, -1) + String.fromCharCode(key.charCodeAt(key.length - 1) + 1);
  let created!: () => void;
  const ready = new Promise<void>((r) => { created = r; });
  const run = (async () => {
    const res = await fetch(`${etcdUrl}/v3/watch`, {
      method: "POST", signal: ac.signal,
      body: JSON.stringify({ create_request: { key: b64(key), range_end: b64(rangeEnd), start_revision: String(Number(fromRev) + 1), prev_kv: true } }),
    });
    if (!res.ok || !res.body) throw new Error(`etcd watch: HTTP ${res.status}`);
    let buf = "";
    const dec = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).trim(); buf = buf.slice(i + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { result?: { created?: boolean; canceled?: boolean; cancel_reason?: string; events?: Array<{ type?: string; kv: { key: string; mod_revision: string; value?: string }; prev_kv?: { value?: string } }> }; error?: { message?: string } };
        if (msg.error) throw new Error(`etcd watch: ${msg.error.message}`);
        if (msg.result?.created) created();
        if (msg.result?.canceled) throw new Error(`etcd watch canceled: ${msg.result.cancel_reason ?? ""}`);
        for (const e of msg.result?.events ?? []) {
          const name = Buffer.from(e.kv.key, "base64").toString().slice(`/registry/pods/${ns}/`.length);
          const del = e.type === "DELETE";
          const stored = Buffer.from((del ? e.prev_kv?.value : e.kv.value) ?? "", "base64").toString("latin1");
          const uid = UUID.exec(stored)?.[0] ?? "";
          const prevUid = UUID.exec(Buffer.from(e.prev_kv?.value ?? "", "base64").toString("latin1"))?.[0];
          events.push({ type: del ? "DELETED" : prevUid === uid ? "MODIFIED" : "ADDED", uid, rv: e.kv.mod_revision, name });
        }
      }
    }
    state.ended = true;
  })().catch((e: Error) => { if (!ac.signal.aborted) { state.ended = true; state.error = e.message; } created(); });
  return { events, state, ready, stop: async () => { ac.abort(); await run; } };
}
