/**
 * The installed inference-perf (unmodified) generating the requests of a workload config: its own
 * config models validate `data` and `load`, its data generator (shared_prefix, synthetic, random)
 * makes the prompts and its load timers the send times, stage after stage — what its load
 * generator would send, without a server. A word-level tokenizer built in-process stands in for a
 * model's (nothing is downloaded): one whitespace-separated word per token, so prompt lengths are
 * counted exactly. One JSON row per request. Nothing of inference-perf's is copied.
 */
import { spawnSync } from "node:child_process";
import { inferencePerfPython } from "./install.js";

/** One request as inference-perf would send it. */
export interface InferencePerfRequest {
  /** Send time, seconds from the first stage's start. */
  t: number;
  stage: number;
  /** Prompt tokens (counted with the word-level tokenizer) and max_tokens. */
  input: number;
  output: number;
  /** shared_prefix: the prompt's group (its system prompt) and its index in the shuffled prompt list; else -1. */
  group: number;
  prompt: number;
  /** shared_prefix: the system prompt's tokens; else 0. */
  prefix: number;
}

const HARNESS_PY = String.raw`
import json, sys, logging
logging.disable(logging.CRITICAL)
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast
from inference_perf.config import APIConfig, APIType, DataConfig
from inference_perf.config.loadgen.config import LoadConfig, LoadType
from inference_perf.loadgen.load_timer import ConstantLoadTimer, PoissonLoadTimer
spec = json.load(sys.stdin)
vocab = {"w%d" % i: i for i in range(4000)}
vocab["[UNK]"] = 4000
tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
hf = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]")
class Tok:
    def get_tokenizer(self): return hf
    def count_tokens(self, text, add_special_tokens=True): return 0 if text == "" else len(hf(text).input_ids)
data = DataConfig.model_validate(spec["data"])
load = LoadConfig.model_validate(spec["load"])
api = APIConfig(type=APIType.Completion)
if data.type.value == "shared_prefix":
    from inference_perf.datagen.synthetic.shared_prefix_datagen import SharedPrefixDataGenerator
    gen = SharedPrefixDataGenerator(api, data, Tok())
    def request(i):
        k = i % len(gen.prompts)
        return len(hf(gen.prompts[k]).input_ids), gen.flat_output_lens[k], gen.prompt_groups[k], k, len(hf(gen.prefix_texts[k]).input_ids)
else:
    if data.type.value == "synthetic":
        from inference_perf.datagen.synthetic.synthetic_datagen import SyntheticDataGenerator as G
    else:
        from inference_perf.datagen.synthetic.random_datagen import RandomDataGenerator as G
    gen = G(api, data, Tok(), seed=spec.get("seed"))
    def request(i):
        return int(gen.input_lengths[i]), int(gen.output_lengths[i]), -1, -1, 0
start, i = 0.0, 0
for s, stage in enumerate(load.stages):
    timer = (PoissonLoadTimer if load.type == LoadType.POISSON else ConstantLoadTimer)(stage.rate, stage.duration)
    times = timer.start_timer(start)
    for _ in range(int(stage.rate * stage.duration)):
        t = next(times)
        inp, out, group, prompt, prefix = request(i)
        sys.stdout.write(json.dumps({"t": t, "stage": s, "input": inp, "output": out, "group": group, "prompt": prompt, "prefix": prefix}) + "\n")
        i += 1
    start += stage.duration + load.interval
`;

/** The requests inference-perf generates for `config` ({data, load}, inference-perf's own keys); throws when it is not installed. */
export function inferencePerfRequests(config: { data: unknown; load: unknown; seed?: number }, python = inferencePerfPython()): InferencePerfRequest[] {
  if (!python) throw new Error("inference-perf is not installed; run: node bin/actlab.js peers install");
  const r = spawnSync(python, ["-c", HARNESS_PY], { input: JSON.stringify(config), encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TRANSFORMERS_VERBOSITY: "error", HF_HUB_OFFLINE: "1" } });
  if (r.status !== 0) throw new Error(`inference-perf harness exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-5).join("\n")}`);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as InferencePerfRequest);
}
