import { parseArgs } from "node:util";
import { KernelSpecManager } from "@jupyter-ts/kernelspec";
import { NODE_KERNEL_NAME, installNodeKernelSpec } from "@jupyter-ts/node-kernel";
import { UsageError, print, type CliIO } from "../io.js";

const USAGE = "jupyter-ts kernelspec install-node [--user] [--prefix P] [--sys-prefix] [--name N]";
const HELP = `Install the kernelspec of the JavaScript kernel (@jupyter-ts/node-kernel), started with this Node.js.

usage: ${USAGE}
  --user         install for the current user only
  --prefix P     install into P/share/jupyter/kernels (a virtualenv or conda env)
  --sys-prefix   install into the active Python environment (VIRTUAL_ENV or CONDA_PREFIX)
  --name N       the kernelspec's name (default ${NODE_KERNEL_NAME})
`;

/** `jupyter-ts kernelspec install-node`. */
export async function installNodeCommand(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        user: { type: "boolean" },
        prefix: { type: "string" },
        "sys-prefix": { type: "boolean" },
        name: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${USAGE}`);
  }
  if (values.help) {
    print(io.stdout, HELP);
    return 0;
  }
  if (values.user && (values.prefix !== undefined || values["sys-prefix"])) {
    throw new UsageError("--user and --prefix/--sys-prefix exclude each other; choose one");
  }
  const kernelSpecManager = new KernelSpecManager({
    env: io.env,
    logger: { warn: (message: string) => print(io.stderr, `[kernelspec] WARNING | ${message}`) },
  });
  let prefix = values.prefix;
  if (values["sys-prefix"]) {
    prefix = kernelSpecManager.envPrefix;
    if (prefix === undefined) throw new UsageError("--sys-prefix: no active environment (VIRTUAL_ENV or CONDA_PREFIX is not set); use --user or --prefix");
  }
  const dest = await installNodeKernelSpec({
    kernelSpecManager,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.user ? { user: true } : {}),
    ...(prefix === undefined ? {} : { prefix }),
  });
  print(io.stderr, `Installed kernelspec ${values.name ?? NODE_KERNEL_NAME} in ${dest}`);
  return 0;
}
