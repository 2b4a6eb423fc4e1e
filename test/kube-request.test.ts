// kubeRequest sends a request body with every method, DELETE included (DeleteOptions such as
// gracePeriodSeconds): Node frames a DELETE body only when Content-Length is given.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";

test("kubeRequest: a DELETE body reaches the server whole, as do POST and PATCH bodies", async () => {
  const seen: { method: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c) => (body += c)).on("end", () => { seen.push({ method: req.method!, body }); res.end("{}"); });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
    const opts = JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 7 });
    for (const method of ["DELETE", "POST", "PATCH"]) {
      const r = await kubeRequest(kc, method, "/api/v1/namespaces/default/pods/p", {}, { contentType: "application/json", text: opts });
      assert.equal(r.status, 200, method);
    }
    assert.deepEqual(seen, ["DELETE", "POST", "PATCH"].map((method) => ({ method, body: opts })));
  } finally {
    server.close();
  }
});
