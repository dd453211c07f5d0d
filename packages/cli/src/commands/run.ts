import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { KernelClient, type OutputHook, type StdinHook } from "@jupyter-ts/client";
import { findConnectionFile } from "@jupyter-ts/connection";
import { startNewKernel } from "@jupyter-ts/manager";
import { ensureRuntimeDir, jupyterRuntimeDir } from "@jupyter-ts/paths";
import { newId } from "@jupyter-ts/protocol";
import { UsageError, print, type CliIO } from "../io.js";
import { chooseKernel, kernelSpecManagerWithNode } from "./choose-kernel.js";

const USAGE = "jupyter-ts run [FILES...] [--kernel NAME | --existing FILE]";
const HELP = `Run files (or standard input) in a kernel and print their output; exit 1 at the first error.

usage: ${USAGE}
  --kernel NAME     start this kernelspec for the run, shut it down after
                    (default: python3 if it can start, else the JavaScript kernel)
  --existing FILE   run in a kernel that is already running (its connection file,
                    a path or a name such as kernel-1234.json); it keeps running
  --timeout MS      how long to wait for the kernel to be ready (default 60000)
`;

/** `jupyter-ts run`: Python's `jupyter run` (RunApp). */
export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        kernel: { type: "string" },
        existing: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(io.stdout, HELP);
    return 0;
  }
  if (values.kernel !== undefined && values.existing !== undefined) {
    throw new UsageError(`--kernel and --existing exclude each other: start a kernel, or use a running one\nusage: ${USAGE}`);
  }
  const timeout = values.timeout === undefined ? 60_000 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of ms, got '${values.timeout}'`);

  // Read every input first: a missing file fails before any kernel starts.
  const fromStdin = positionals.length === 0 || (positionals.length === 1 && positionals[0] === "-");
  const sources: Array<{ name: string; code: string }> = [];
  if (fromStdin) sources.push({ name: "<stdin>", code: await readAll(io.stdin) });
  else {
    for (const file of positionals) {
      try {
        sources.push({ name: file, code: await readFile(file, "utf8") });
      } catch (cause) {
        throw new UsageError(`cannot read '${file}': ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
      }
    }
  }

  let kc: KernelClient;
  let shutdown: () => Promise<void>;
  if (values.existing !== undefined) {
    const file = await findConnectionFile(values.existing, { path: [".", jupyterRuntimeDir({ env: io.env })] });
    kc = new KernelClient({ connectionFile: file });
    await kc.startChannels();
    shutdown = async () => kc.stopChannels();
    try {
      await kc.waitForReady({ timeout });
    } catch (error) {
      await shutdown();
      throw error;
    }
  } else {
    const kernelSpecManager = kernelSpecManagerWithNode({ env: io.env });
    const kernelName = values.kernel ?? (await chooseKernel(kernelSpecManager, io.env)).name;
    const runtimeDir = await ensureRuntimeDir({ env: io.env });
    const kernel = await startNewKernel({
      kernelName,
      kernelSpecManager,
      startupTimeout: timeout,
      env: io.env,
      connectionFile: join(runtimeDir, `kernel-${newId()}.json`),
    });
    kc = kernel.kc;
    shutdown = async () => {
      kernel.kc.stopChannels();
      await kernel.km.shutdownKernel();
    };
  }

  try {
    for (const { name, code } of sources) {
      const reply = await kc.executeInteractive(code, {
        outputHook: outputTo(io),
        // Code read from stdin leaves nothing to answer input() with.
        allowStdin: !fromStdin,
        stdinHook: inputFrom(io),
      });
      if (reply.content.status !== "ok") {
        print(io.stderr, `jupyter-ts run: error running '${name}'`);
        return 1;
      }
    }
    return 0;
  } finally {
    await shutdown();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/** Streams as they come, results and displays as text with a newline, errors' tracebacks to stderr. */
function outputTo(io: CliIO): OutputHook {
  return (msg) => {
    const content = msg.content as Record<string, unknown>;
    switch (msg.msg_type) {
      case "stream":
        (content["name"] === "stderr" ? io.stderr : io.stdout).write(String(content["text"] ?? ""));
        break;
      case "display_data":
      case "execute_result": {
        const text = (content["data"] as Record<string, unknown> | undefined)?.["text/plain"];
        if (typeof text === "string") print(io.stdout, text);
        break;
      }
      case "error":
        print(io.stderr, ((content["traceback"] as string[] | undefined) ?? [`${String(content["ename"])}: ${String(content["evalue"])}`]).join("\n"));
        break;
    }
  };
}

/** Answers input() with a line of the command's stdin. */
function inputFrom(io: CliIO): StdinHook {
  return (msg) =>
    new Promise<string>((resolve) => {
      io.stdout.write(msg.content.prompt);
      const rl = createInterface({ input: io.stdin, terminal: false });
      rl.once("line", (line) => {
        rl.close();
        resolve(line);
      });
      rl.once("close", () => resolve(""));
    });
}
