#!/usr/bin/env node
// The `actlab` command. The SDK is TypeScript run through tsx, so a clone works with no build step.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../sdk/cli/main.ts");
process.exitCode = await run(process.argv.slice(2));
