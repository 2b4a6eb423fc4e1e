/** `actlab planner step`: the planner step protocol (Dynamo's snake_case init/bootstrap/tick) as JSON lines on stdin → stdout. */
import { createInterface } from "node:readline";
import { PlannerStepSession, type StepRequest } from "../../planner/step.js";
import { parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab planner step [--peer]

Reads one JSON request a line on stdin and writes one JSON reply a line on stdout:
  {"op":"init","config":{…planner config…},"capabilities":{"prefill":{num_gpu,max_num_batched_tokens,max_num_seqs,max_kv_tokens},"decode":{…}},"start_s":0}
  {"op":"bootstrap","prefill_fpms":[FPM],"decode_fpms":[FPM],"agg_fpms":[FPM],"traffic":[{num_req,isl,osl}]}
  {"op":"tick","tick":{at_s,run_load_scaling,run_throughput_scaling,…},"input":{now_s,traffic,worker_counts,fpm_observations}}
Field names are Dynamo's (ScheduledTick, TickInput, ForwardPassMetrics, TickDiagnostics); NaN is the
string "NaN". Replies: {"op":"init","next_tick"}, {"op":"bootstrap","ok":true},
{"op":"tick","scale_to","next_tick","diagnostics"}; a bad request gets {"op","error"} and the stream goes on.
  --peer   run the same lines through the installed Dynamo planner core instead (actlab peers install)`;

export const command: Command = {
  name: "planner step",
  summary: "one planner step per JSON line (Dynamo's init/bootstrap/tick protocol), SDK or --peer Dynamo",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { peer: { type: "boolean" } });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.peer) {
      const { spawnPlannerPeer } = await import("../../peers/planner-peer.js");
      return spawnPlannerPeer();
    }
    const session = new PlannerStepSession();
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      let req: StepRequest;
      try {
        req = JSON.parse(line) as StepRequest;
      } catch (e) {
        process.stdout.write(JSON.stringify({ op: null, error: `stdin:${n}: expected a JSON object, got ${(e as Error).message}` }) + "\n");
        continue;
      }
      process.stdout.write(JSON.stringify(session.handle(req)) + "\n");
    }
    return 0;
  },
};
