/**
 * A vLLM server's HTTP face on the test bed (dev mode, `--enable-sleep-mode`; fma.md §1.3, §1.6):
 * `GET /health`, `GET /v1/models`, `POST /sleep?level=N`, `POST /wake_up`, `GET /is_sleeping`,
 * `GET /metrics` (`vllm:engine_sleep_state`), answered by the embedded cluster's `VllmApi` for one
 * instance. A sleep or wake call takes the profile's seeded draw (divided by the time scale) before
 * it answers; calls on one server are served one at a time, as vLLM's engine does.
 */
import { sampleStep } from "../actuation/profiles.js";
import type { Rng } from "../core/rng.js";
import type { VllmApi } from "../cluster/hardware.js";
import { methodNotAllowed, notFound, sendJson, sendText, type FmaShared, type Handler } from "./fma-http.js";

export interface VllmServerIdentity {
  namespace: string;
  pod: string;
  /** The instance id (launcher mode) or the nominal hash (direct provider). */
  instanceId: string;
}

/** The HTTP handler of one vLLM server; `api()` is looked up per call (undefined once the process is gone). */
export function vllmHandler(shared: FmaShared, who: VllmServerIdentity, api: () => VllmApi | undefined, r: Rng): Handler {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => { const next = queue.then(f, f); queue = next.catch(() => {}); return next; };
  const model = shared.profile.model.name;
  return async (req, res, url) => {
    const v = api();
    if (!v) { sendJson(res, 503, { detail: "engine is not running" }); return; }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /health":
        // vLLM answers an empty 200 while the engine lives, asleep or not.
        if (v.health()) sendText(res, 200, ""); else sendJson(res, 503, { detail: "engine not ready" });
        return;
      case "GET /v1/models":
        sendJson(res, 200, { object: "list", data: [{ id: model, object: "model", created: Math.floor(shared.clock.toEpochMs(shared.clock.now) / 1000), owned_by: "vllm", root: model, parent: null, max_model_len: 8192 }] });
        return;
      case "GET /is_sleeping":
        sendJson(res, 200, { is_sleeping: v.isSleeping() });
        return;
      case "POST /sleep": {
        const level = Number(url.searchParams.get("level") ?? "1");
        if (!Number.isInteger(level) || level < 0) { sendJson(res, 400, { detail: `level must be a non-negative integer, got '${url.searchParams.get("level")}'` }); return; }
        await serial(async () => {
          if (v.isSleeping()) return;
          const start = shared.clock.now;
          await shared.clock.sleep(sampleStep(shared.profile, "sleep", r));
          api()?.sleep(start);
        });
        sendText(res, 200, "");
        return;
      }
      case "POST /wake_up":
        await serial(async () => {
          if (!v.isSleeping()) return;
          const start = shared.clock.now;
          await shared.clock.sleep(sampleStep(shared.profile, "wake", r));
          api()?.wakeUp(start);
        });
        sendText(res, 200, "");
        return;
      case "GET /metrics": {
        const all = shared.sim.sleepStateMetric();
        const mine = all.filter((l) => l.startsWith("#") || (l.includes(`pod="${who.pod}"`) && l.includes(`namespace="${who.namespace}"`) && l.includes(`instance_id="${who.instanceId}"`)));
        sendText(res, 200, `${mine.join("\n")}\n`, "text/plain; version=0.0.4; charset=utf-8");
        return;
      }
      default:
        if (["/health", "/v1/models", "/is_sleeping", "/sleep", "/wake_up", "/metrics"].includes(url.pathname)) methodNotAllowed(res);
        else notFound(res);
    }
  };
}
