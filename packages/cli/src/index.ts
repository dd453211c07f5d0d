/**
 * `@jupyter-ts/cli`: the `jupyter-ts` command. `main(argv)` runs it in-process
 * and resolves to the exit code, so other tools can embed it.
 *
 * @packageDocumentation
 */
import { JupyterTsError } from "@jupyter-ts/protocol";
import { kernelCommand } from "./commands/kernel.js";
import { kernelspecCommand } from "./commands/kernelspec.js";
import { runCommand } from "./commands/run.js";
import { UsageError, print, processIO, type CliIO } from "./io.js";

export { UsageError, processIO, type CliIO } from "./io.js";
export {
  chooseKernel,
  isExecutableAvailable,
  kernelSpecManagerWithNode,
  type KernelChoice,
} from "./commands/choose-kernel.js";

const HELP = `jupyter-ts: the Jupyter client stack in TypeScript

Usage: jupyter-ts <command> [options]

Commands:
  kernel        start a kernel and keep it running (jupyter-ts kernel --help)
  run           run files or stdin in a kernel and print the output (jupyter-ts run --help)
  kernelspec    list, install and remove kernelspecs (jupyter-ts kernelspec --help)
`;

/**
 * Runs `jupyter-ts` with these arguments (without the program name).
 *
 * @example
 * const code = await main(["kernelspec", "list", "--json"]);
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "kernelspec":
        return await kernelspecCommand(rest, io);
      case "kernel":
        return await kernelCommand(rest, io);
      case "run":
        return await runCommand(rest, io);
      case undefined:
        print(io.stderr, HELP);
        return 1;
      case "-h":
      case "--help":
      case "help":
        print(io.stdout, HELP);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      print(io.stderr, `jupyter-ts: ${error.message}`);
      return error.exitCode;
    }
    // Our own errors already say what happened and what to do.
    if (error instanceof JupyterTsError) {
      print(io.stderr, `jupyter-ts: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
