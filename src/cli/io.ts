import { createInterface } from "node:readline";
import type { CliIo } from "./context.ts";

/** Reads one line from stdin; on a terminal the typed characters are not echoed. */
export function readSecretFromProcess(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return new Promise((resolve, reject) => {
      const rl = createInterface({ input });
      let done = false;
      rl.once("line", (line) => {
        done = true;
        rl.close();
        resolve(line);
      });
      rl.once("close", () => {
        if (!done) reject(new Error("expected the password on standard input"));
      });
    });
  }
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    const rl = createInterface({ input, output: process.stderr, terminal: true });
    // Mute the echo: readline writes typed characters through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readSecret: readSecretFromProcess,
  env: process.env,
};
