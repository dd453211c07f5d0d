import { KernelError } from "./errors.js";
import type { Kernel } from "./kernel.js";
import type { KernelOptions } from "./types.js";

/** What {@link parseKernelArgs} understands of a kernel's command line. */
export interface KernelArgs {
  connectionFile?: string;
  ip?: string;
  transport?: "tcp" | "ipc";
  /** Everything else, in order, for the kernel's own flags. */
  rest: string[];
}

/**
 * Parses ipykernel's command line: `-f FILE` (also `-f=FILE`, `--f=FILE`,
 * `--connection-file[=]FILE`), `--ip[=]IP`, `--transport[=]tcp|ipc`.
 *
 * @throws KernelError (`ERR_KERNEL_ARGS`) for a flag without its value or an unknown transport.
 */
export function parseKernelArgs(argv: readonly string[]): KernelArgs {
  const out: KernelArgs = { rest: [] };
  const names: Record<string, "connectionFile" | "ip" | "transport"> = {
    "-f": "connectionFile",
    "--f": "connectionFile",
    "--connection-file": "connectionFile",
    "--ip": "ip",
    "--transport": "transport",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const field = names[flag];
    if (field === undefined) {
      out.rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new KernelError(`${flag} needs a value, e.g. ${flag} ${field === "connectionFile" ? "kernel.json" : field === "ip" ? "127.0.0.1" : "tcp"}`, { code: "ERR_KERNEL_ARGS" });
    if (field === "transport") {
      if (value !== "tcp" && value !== "ipc") throw new KernelError(`--transport must be tcp or ipc, got ${JSON.stringify(value)}`, { code: "ERR_KERNEL_ARGS" });
      out.transport = value;
    } else out[field] = value;
  }
  return out;
}

/**
 * The entry point of a kernel program: parses `-f FILE` (and `--ip`,
 * `--transport`) from `argv` (default `process.argv.slice(2)`), makes the
 * kernel with `factory`, starts it, and resolves when it has stopped
 * (shutdown_request, SIGTERM, parent gone). Writes nothing to stdout; when it
 * wrote the connection file itself it says so on stderr, as ipykernel does.
 * Once stopped, the process exits with code 0 even if user code left timers
 * or sockets open.
 *
 * @example
 * // my-kernel.mjs, started by Jupyter as `node my-kernel.mjs -f {connection_file}`
 * await serveKernel((options) => new EchoKernel(options));
 */
export async function serveKernel(factory: (options: KernelOptions) => Kernel, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseKernelArgs(argv);
  const options: KernelOptions = {};
  if (args.connectionFile !== undefined) options.connectionFile = args.connectionFile;
  if (args.ip !== undefined) options.ip = args.ip;
  if (args.transport !== undefined) options.transport = args.transport;
  const kernel = factory(options);
  await kernel.start();
  if (kernel.ownsConnectionFile) {
    process.stderr.write(`To connect another client to this kernel, use:\n    --existing ${kernel.connectionFile}\n`);
  }
  await kernel.stopped;
  // Node exits by itself once nothing is left; this covers what user code left behind.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
}
