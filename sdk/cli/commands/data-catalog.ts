/**
 * The public traces `actlab data` knows, as plain data: the four small ones bundled in
 * datasets/traces/public/ (sha256 of the uncompressed file pinned), and the larger ones a user
 * fetches. The larger ones' checksums are not pinned here (this project never downloaded them):
 * `data fetch` prints and records the sha256 it got, and checks one given with --sha256.
 */

export interface DatasetEntry {
  name: string;
  title: string;
  license: string;
  /** Who released it, and the paper to cite. */
  attribution: string;
  /** File name under the datasets folder (bundled: the path under datasets/traces/public/). */
  file: string;
  /** Reader the SDK has for it (null: none yet; the file is still fetched and checked). */
  format: "mooncake" | "azure" | null;
  /** Where `data fetch` downloads it from by default (null: no single-file URL; use --from FILE). */
  url: string | null;
  /** sha256 of the (uncompressed) file, when pinned. */
  sha256: string | null;
  bundled: boolean;
}

const MOONCAKE = "Moonshot AI / kvcache-ai; Qin et al., Mooncake, USENIX FAST 2025";
const MOONCAKE_RAW = "https://raw.githubusercontent.com/kvcache-ai/Mooncake/main";
const AZURE_2023 = "Microsoft Azure; Patel et al., Splitwise, ISCA 2024";
const AZURE_2024 = "Microsoft Azure; Stojkovic et al., DynamoLLM, HPCA 2025";
const AZURE_RAW = "https://raw.githubusercontent.com/Azure/AzurePublicDataset/master/data";
const BURSTGPT = "HPMLL; Wang et al., Towards Efficient and Reliable LLM Serving: A Real-World Workload Study, 2024";

export const CATALOG: readonly DatasetEntry[] = [
  { name: "mooncake-conversation", title: "Mooncake FAST'25 conversation trace (12,031 requests)", license: "Apache-2.0", attribution: MOONCAKE, file: "mooncake/conversation_trace.jsonl.gz", format: "mooncake", url: null, sha256: "b8cbb061a85206d729d91cdc2981f43c9e0d99209dce588d3af5f7934408b9df", bundled: true },
  { name: "mooncake-synthetic", title: "Mooncake FAST'25 synthetic trace (3,993 requests)", license: "Apache-2.0", attribution: MOONCAKE, file: "mooncake/synthetic_trace.jsonl.gz", format: "mooncake", url: null, sha256: "bd070915a98fc0ed264d7cfef2ce746002eb3076a695ec31ba2674c0111ec131", bundled: true },
  { name: "azure-2023-code", title: "Azure LLM inference trace 2023, code (8,819 requests)", license: "CC-BY-4.0", attribution: AZURE_2023, file: "azure_llm_2023/AzureLLMInferenceTrace_code.csv.gz", format: "azure", url: null, sha256: "54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6", bundled: true },
  { name: "azure-2023-conv", title: "Azure LLM inference trace 2023, conversation (19,366 requests)", license: "CC-BY-4.0", attribution: AZURE_2023, file: "azure_llm_2023/AzureLLMInferenceTrace_conv.csv.gz", format: "azure", url: null, sha256: "2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8", bundled: true },
  { name: "mooncake-toolagent", title: "Mooncake FAST'25 tool & agent trace", license: "Apache-2.0", attribution: MOONCAKE, file: "mooncake/toolagent_trace.jsonl", format: "mooncake", url: `${MOONCAKE_RAW}/FAST25-release/traces/toolagent_trace.jsonl`, sha256: null, bundled: false },
  { name: "mooncake-arxiv", title: "Mooncake arXiv-release trace (mooncake_trace.jsonl)", license: "Apache-2.0", attribution: MOONCAKE, file: "mooncake/mooncake_trace.jsonl", format: "mooncake", url: `${MOONCAKE_RAW}/mooncake_trace.jsonl`, sha256: null, bundled: false },
  { name: "burstgpt-1", title: "BurstGPT v1.1, first two months (1,429.7k lines; no reader yet)", license: "CC-BY-4.0", attribution: BURSTGPT, file: "burstgpt/BurstGPT_1.csv", format: null, url: "https://github.com/HPMLL/BurstGPT/releases/download/v1.1/BurstGPT_1.csv", sha256: null, bundled: false },
  { name: "azure-2024-code", title: "Azure LLM inference trace 2024, code, one week", license: "CC-BY-4.0", attribution: AZURE_2024, file: "azure_llm_2024/AzureLLMInferenceTrace_code_1week.csv", format: "azure", url: `${AZURE_RAW}/AzureLLMInferenceTrace_code_1week.csv`, sha256: null, bundled: false },
  { name: "azure-2024-conv", title: "Azure LLM inference trace 2024, conversation, one week", license: "CC-BY-4.0", attribution: AZURE_2024, file: "azure_llm_2024/AzureLLMInferenceTrace_conv_1week.csv", format: "azure", url: `${AZURE_RAW}/AzureLLMInferenceTrace_conv_1week.csv`, sha256: null, bundled: false },
  { name: "servegen-language", title: "ServeGen language workload (Alibaba; per-model distributions, no reader yet)", license: "upstream's", attribution: "Alibaba; Xiang et al., ServeGen, 2025", file: "servegen/language.tar", format: null, url: null, sha256: null, bundled: false },
];

/** The entry called `name`, or undefined. */
export function datasetEntry(name: string): DatasetEntry | undefined {
  return CATALOG.find((e) => e.name === name);
}
