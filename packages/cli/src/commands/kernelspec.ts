import { parseArgs, type ParseArgsConfig } from "node:util";
import { KernelSpecManager, type KernelSpecManagerOptions } from "@jupyter-ts/kernelspec";
import { jupyterPath } from "@jupyter-ts/paths";
import { KernelProvisionerFactory } from "@jupyter-ts/provisioning";
import { UsageError, print, type CliIO } from "../io.js";
import { isExecutableAvailable } from "./choose-kernel.js";
import { installNodeCommand } from "./install-node.js";

const HELP = `Manage Jupyter kernel specifications.

Usage: jupyter-ts kernelspec <command> [options]

Commands:
  list [--json] [--missing]        list installed kernelspecs
  install SOURCE_DIR [--user] [--prefix P] [--sys-prefix] [--name N] [--replace]
                                   install a kernelspec directory
  install-node [--user] [--prefix P] [--name N]
                                   install the kernelspec of the JavaScript kernel
  remove NAME... [-f]              remove kernelspecs (alias: uninstall)
  provisioners [--search-from DIR] list the kernel provisioners that can be found
`;

/** `jupyter-ts kernelspec ...`; returns the exit code. */
export async function kernelspecCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "list":
      return list(rest, io);
    case "install":
      return install(rest, io);
    case "remove":
    case "uninstall":
      return remove(rest, io);
    case "provisioners":
      return provisioners(rest, io);
    case "install-node":
      return installNodeCommand(rest, io);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      print(sub === undefined ? io.stderr : io.stdout, HELP);
      return sub === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown kernelspec command '${sub}'; use one of: list, install, install-node, remove, provisioners\n\n${HELP}`);
  }
}

function manager(io: CliIO, options: KernelSpecManagerOptions = {}): KernelSpecManager {
  return new KernelSpecManager({
    env: io.env,
    logger: { warn: (message: string) => print(io.stderr, `[kernelspec] WARNING | ${message}`) },
    ...options,
  });
}

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;
const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

function parse<T extends OptionsConfig>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

// Python's json.dumps(indent=2) escapes everything outside ASCII.
const pythonJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

async function list(argv: string[], io: CliIO): Promise<number> {
  const usage = "jupyter-ts kernelspec list [--json] [--missing]";
  const { values } = parse(argv, { json: { type: "boolean" }, missing: { type: "boolean" } }, usage);
  if (values.help) {
    print(io.stdout, `List installed kernel specifications.\nusage: ${usage}\n  --json     print name, location and spec as JSON (as \`jupyter kernelspec list --json\`)\n  --missing  list only kernelspecs whose program (argv[0]) cannot be found`);
    return 0;
  }
  // As Python's, kernelspecs whose provisioner is not installed are not offered.
  const ksm = manager(io, { isAvailable: KernelProvisionerFactory.instance().kernelSpecFilter() });
  let specs = await ksm.getAllSpecs();
  if (values.missing) {
    const kept: typeof specs = {};
    for (const [name, entry] of Object.entries(specs)) {
      if (!(await isExecutableAvailable(entry.spec.argv[0], io.env))) kept[name] = entry;
    }
    specs = kept;
  }
  if (values.json) {
    print(io.stdout, pythonJson({ kernelspecs: specs }));
    return 0;
  }
  if (Object.keys(specs).length === 0) {
    print(io.stdout, values.missing ? "No kernels with missing programs" : "No kernels available");
    return 0;
  }
  // Like `jupyter kernelspec list`, the table shows every kernelspec directory
  // found (a broken one too: it is listed, and warned about above).
  const paths = await ksm.findKernelSpecs();
  const names = Object.keys(paths).filter((name) => !values.missing || name in specs);
  // Highest-priority Jupyter path first, as `jupyter kernelspec list` sorts.
  const roots = jupyterPath({ env: io.env });
  const rank = (path: string): number => roots.findIndex((root) => path.startsWith(root));
  const rows = names
    .map((name) => ({ name, path: paths[name]! }))
    .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const width = Math.max(...names.map((n) => n.length));
  print(io.stdout, "Available kernels:");
  for (const row of rows) print(io.stdout, `  ${row.name.padEnd(width)}    ${row.path}`);
  return 0;
}

async function install(argv: string[], io: CliIO): Promise<number> {
  const usage = "jupyter-ts kernelspec install SOURCE_DIR [--user] [--prefix P] [--sys-prefix] [--name N] [--replace]";
  const { values, positionals } = parse(
    argv,
    {
      user: { type: "boolean" },
      prefix: { type: "string" },
      "sys-prefix": { type: "boolean" },
      name: { type: "string" },
      replace: { type: "boolean" },
    },
    usage,
  );
  if (values.help) {
    print(io.stdout, `Install a kernel specification directory.\nusage: ${usage}`);
    return 0;
  }
  const [sourceDir, ...extra] = positionals;
  if (!sourceDir) throw new UsageError(`no source directory given\nusage: ${usage}`);
  if (extra.length > 0) throw new UsageError(`one source directory at a time; got also: ${extra.join(", ")}\nusage: ${usage}`);
  if (values.user && (values.prefix !== undefined || values["sys-prefix"])) {
    throw new UsageError("--user and --prefix/--sys-prefix exclude each other; choose one");
  }
  const ksm = manager(io);
  const prefix = values["sys-prefix"] ? ksm.envPrefix : values.prefix;
  const dest = await ksm.installKernelSpec(sourceDir, {
    ...(values.name === undefined ? {} : { kernelName: values.name }),
    ...(values.user ? { user: true } : {}),
    ...(prefix === undefined ? {} : { prefix }),
    ...(values.replace ? { replace: true } : {}),
  });
  print(io.stderr, `Installed kernelspec ${values.name ?? dest.split(/[\\/]/).pop()} in ${dest}`);
  return 0;
}

async function remove(argv: string[], io: CliIO): Promise<number> {
  const usage = "jupyter-ts kernelspec remove NAME... [-f]";
  const { values, positionals } = parse(argv, { force: { type: "boolean", short: "f" }, y: { type: "boolean", short: "y" } }, usage);
  if (values.help) {
    print(io.stdout, `Remove one or more kernelspecs by name.\nusage: ${usage}\n  -f  remove without asking`);
    return 0;
  }
  const names = [...new Set(positionals.map((n) => n.toLowerCase()))].sort();
  if (names.length === 0) throw new UsageError(`no kernelspec named\nusage: ${usage}`);
  const ksm = manager(io);
  const paths = await ksm.findKernelSpecs();
  const missing = names.filter((n) => !(n in paths));
  if (missing.length > 0) {
    const known = Object.keys(paths).sort();
    throw new UsageError(
      `couldn't find kernelspec(s): ${missing.join(", ")}; installed: ${known.length ? known.join(", ") : "none"} (run \`jupyter-ts kernelspec list\`)`,
    );
  }
  if (!values.force && !values.y) {
    print(io.stdout, "Kernel specs to remove:");
    for (const name of names) print(io.stdout, `  ${name.padEnd(20)}\t${paths[name]}`);
    const answer = await ask(io, `Remove ${names.length} kernel specs [y/N]: `);
    if (!answer.toLowerCase().startsWith("y")) return 0;
  }
  for (const name of names) {
    const path = await ksm.removeKernelSpec(name);
    print(io.stderr, `Removed ${path}`);
  }
  return 0;
}

async function ask(io: CliIO, question: string): Promise<string> {
  if (!io.stdin.isTTY) {
    throw new UsageError("refusing to remove without confirmation: no terminal to ask on; pass -f to remove without asking");
  }
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

async function provisioners(argv: string[], io: CliIO): Promise<number> {
  const usage = "jupyter-ts kernelspec provisioners [--search-from DIR]";
  const { values, positionals } = parse(argv, { "search-from": { type: "string" } }, usage);
  if (values.help) {
    print(
      io.stdout,
      "List the kernel provisioners that kernelspecs can name: the built-in local-provisioner and those declared\n" +
        'by installed npm packages ("jupyter-ts": { "provisioners": { ... } } in their package.json).\n' +
        `usage: ${usage}\n  --search-from DIR   look for packages in the node_modules of DIR and its parents (default: the current directory)`,
    );
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\nusage: ${usage}`);
  const from = values["search-from"];
  const factory =
    from === undefined
      ? KernelProvisionerFactory.instance()
      : new KernelProvisionerFactory({
          searchFrom: from,
          logger: { warn: (message: string) => print(io.stderr, `[kernelspec] WARNING | ${message}`) },
        });
  const entries = await factory.getProvisionerEntries();
  const names = Object.keys(entries).sort();
  const width = Math.max(0, ...names.map((n) => n.length));
  print(io.stdout, "Available kernel provisioners:");
  for (const name of names) print(io.stdout, `  ${name.padEnd(width)}    ${entries[name]}`);
  return 0;
}

