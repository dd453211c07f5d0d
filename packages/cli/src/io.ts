import type { Readable, Writable } from "node:stream";

/** Where a command reads and writes; tests pass their own. */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Stops long-running commands (`jupyter-ts kernel`) as SIGINT would; for embedders and tests. */
  signal?: AbortSignal;
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** A failure the user caused: printed without a stack trace, with this exit code. */
export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "UsageError";
    this.exitCode = exitCode;
  }
}

export const print = (stream: Writable, text = ""): void => {
  stream.write(`${text}\n`);
};
