#!/usr/bin/env node
// The `assent` command. TypeScript sources run through tsx's loader, so there is no build step.
import { register } from "tsx/esm/api";
import { SEMI_SPACE_FLAG } from "./node-flags.js";

// `assent start` and `assent serve` run the servers with V8's young generation capped at 16 MB
// per semi-space. Left alone, V8 grows it to 64 MB per semi-space under load: 75-100 MB more
// resident memory per node for 1-3% less CPU (measured: docs/benchmarks.md). The size can only
// be set when Node starts, so the process re-executes itself with the flag (same PID, same stdio
// and environment), unless a size was chosen already in NODE_OPTIONS or on node's command line,
// which wins.
const command = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
const sizeChosen = /semi-space-size/.test(
  `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`,
);
const serving = command === "start" || command === "serve";
if (serving && !sizeChosen && typeof process.execve === "function") {
  try {
    process.execve(
      process.execPath,
      [process.execPath, SEMI_SPACE_FLAG, ...process.execArgv, ...process.argv.slice(1)],
      process.env,
    );
  } catch {
    // Not replaced (the system refused the exec): run as is, with V8's default sizing.
  }
}

register();
const { main } = await import("../src/cli/index.ts");
process.exitCode = await main(process.argv);
