/** bench: the nop actuation benchmark above kube/ and actuation/ — drive a cluster (runNopIterations), fetch its FMA evidence, write and read run folders. */
export { runNopIterations, type NopRunOptions, type NopRunResult, type RunRecord } from "./nop-runner.js";
export { RunWriter, readRunDir, writeAnalysis } from "./run-files.js";
export { fetchFmaEvidence, type FetchEvidenceOptions } from "./fetch-evidence.js";
