import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { KernelManager } from "@jupyter-ts/manager";
import { ensureRuntimeDir } from "@jupyter-ts/paths";
import { newId } from "@jupyter-ts/protocol";
import { UsageError, print, type CliIO } from "../io.js";
import { chooseKernel, kernelSpecManagerWithNode } from "./choose-kernel.js";

const USAGE = "jupyter-ts kernel [--kernel NAME] [--ip IP]";
const HELP = `Start a kernel and keep it running until Ctrl-C (SIGINT) or SIGTERM; clients connect with its connection file.

usage: ${USAGE}
  --kernel NAME   the kernelspec to start (default: python3 if it can start, else the JavaScript kernel)
  --ip IP         the address the kernel listens on (default 127.0.0.1)
`;

/** `jupyter-ts kernel`: Python's `jupyter kernel` (KernelApp). */
export async function kernelCommand(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { kernel: { type: "string" }, ip: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${USAGE}`);
  }
  if (values.help) {
    print(io.stdout, HELP);
    return 0;
  }
  const log = (text: string): void => print(io.stderr, `[jupyter-ts kernel] ${text}`);
  const kernelSpecManager = kernelSpecManagerWithNode({ env: io.env });
  const kernelName = values.kernel ?? (await chooseKernel(kernelSpecManager, io.env)).name;
  // As `jupyter kernel`: kernel-<id>.json in the runtime dir, so `--existing` finds it by name.
  const kernelId = newId();
  const km = new KernelManager({
    kernelName,
    kernelSpecManager,
    connectionFile: join(await ensureRuntimeDir({ env: io.env }), `kernel-${kernelId}.json`),
    ...(values.ip === undefined ? {} : { ip: values.ip }),
  });
  const stop = stopSignal(io);
  try {
    log(`Starting kernel '${kernelName}'`);
    await km.startKernel({ env: io.env, kernelId });
    log(`Connection file: ${km.connectionFile}`);
    log(`To connect a client: --existing ${basename(km.connectionFile)}`);
    const died = new Promise<"dead">((resolve) => km.on("dead", () => resolve("dead")));
    const why = await Promise.race([stop.promise, died]);
    if (why === "dead") {
      log(`Kernel '${kernelName}' died and could not be restarted`);
      return 1;
    }
    log(`Shutting down kernel '${kernelName}' (${why})`);
    await km.shutdownKernel();
    return 0;
  } finally {
    stop.dispose();
    if (km.hasKernel) await km.shutdownKernel({ now: true }).catch(() => undefined);
  }
}

/** Resolves with the signal's name on SIGINT/SIGTERM (or when `io.signal` aborts, for embedders and tests). */
function stopSignal(io: CliIO): { promise: Promise<string>; dispose(): void } {
  let resolveStop!: (why: string) => void;
  const promise = new Promise<string>((resolve) => (resolveStop = resolve));
  const onSigint = (): void => resolveStop("SIGINT");
  const onSigterm = (): void => resolveStop("SIGTERM");
  const onAbort = (): void => resolveStop("stopped");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  io.signal?.addEventListener("abort", onAbort, { once: true });
  if (io.signal?.aborted) onAbort();
  return {
    promise,
    dispose() {
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      io.signal?.removeEventListener("abort", onAbort);
    },
  };
}
