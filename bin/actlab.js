#!/usr/bin/env node
// The `actlab` command. The SDK is TypeScript run through tsx, so a clone works with no build step.
import { register } from "tsx/esm/api";

// `actlab … | head`: once the reader is gone, stop quietly the way a Unix tool killed by SIGPIPE
// does (status 128+13), instead of an EPIPE stack trace. Files are written atomically, so what a
// command had finished writing stays whole.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(141);
  throw err;
});

register();
const { run } = await import("../sdk/cli/main.ts");
process.exitCode = await run(process.argv.slice(2));
