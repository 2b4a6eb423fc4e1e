// The watch-retry knobs shared by `actlab watch` and `actlab bench`: how long watchPods keeps retrying.
import type { WatchPodsOptions, WatchState, WatchStatus } from "../kube/watch.js";
import { numberOption } from "./command.js";

export const WATCH_RETRY_FLAGS = {
  "watch-max-attempts": { type: "string" },
  "watch-backoff-max": { type: "string" },
} as const;

export const WATCH_RETRY_USAGE = `  --watch-max-attempts N  give up after N consecutive failed requests (default: retry forever, as client-go)
  --watch-backoff-max S   cap of the exponential retry delay, seconds (default 5)`;

/** The watchPods options the flags ask for; usage errors name the flag. */
export function watchRetryOptions(values: { "watch-max-attempts"?: string; "watch-backoff-max"?: string }): Pick<WatchPodsOptions, "backoff"> {
  return {
    backoff: {
      maxAttempts: numberOption(values["watch-max-attempts"], "watch-max-attempts", Infinity, 1, 1e9),
      maxMs: numberOption(values["watch-backoff-max"], "watch-backoff-max", 5, 0.01, 3600) * 1000,
    },
  };
}

/** One stderr line per state change and per failure, so a user sees an outage being ridden out. */
export function reportWatch(write: (line: string) => void): Pick<WatchPodsOptions, "onStatus" | "onState"> {
  let last: WatchState = "starting";
  return {
    // The normal start (listing → watching) stays quiet; trouble and recovery are said.
    onState: (s: WatchState) => {
      if (s === "backoff" || s === "failed" || (s === "watching" && last === "backoff")) write(`watch: ${s}`);
      last = s;
    },
    onStatus: (s: WatchStatus) => {
      if (s.kind === "retry" || s.kind === "gone" || s.kind === "regressed" || s.kind === "relisted") {
        write(`watch ${s.resource}: ${s.kind}${s.error ? ` (${s.error})` : ""}${s.delayMs !== undefined ? `, next try in ${s.delayMs} ms` : ""}`);
      }
    },
  };
}
