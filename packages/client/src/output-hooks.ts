import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import type { Message } from "@jupyter-ts/session";

/** Called with each iopub message of an `executeInteractive` request. */
export type OutputHook = (msg: Message) => void | Promise<void>;

/** Called with each `input_request` of an `executeInteractive` request; returns what the user typed. */
export type StdinHook = (msg: Message<"input_request">) => string | Promise<string>;

/**
 * Python's `_output_hook_default`: stream text to process.stdout/stderr,
 * `text/plain` of execute_result and display_data to stdout, an error's
 * traceback to stderr. Other messages are ignored.
 */
export const defaultOutputHook: OutputHook = (msg) => {
  const content = msg.content as Record<string, unknown>;
  switch (msg.msg_type) {
    case "stream":
      (content["name"] === "stderr" ? process.stderr : process.stdout).write(String(content["text"] ?? ""));
      break;
    case "display_data":
    case "execute_result": {
      const data = (content["data"] ?? {}) as Record<string, unknown>;
      const text = data["text/plain"];
      if (typeof text === "string") process.stdout.write(text);
      break;
    }
    case "error":
      process.stderr.write(`${((content["traceback"] as string[] | undefined) ?? []).join("\n")}\n`);
      break;
  }
};

/**
 * Python's `_stdin_hook_default`: asks on the terminal (process.stdin), not
 * echoing what is typed when the kernel asks for a password.
 */
export const defaultStdinHook: StdinHook = (msg) => {
  const { prompt, password } = msg.content;
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: Boolean(process.stdin.isTTY) });
  return new Promise<string>((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      if (password) process.stdout.write("\n");
      resolve(answer);
    });
    muted = password;
  });
};
