import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { KernelSpec } from "@jupyter-ts/kernelspec";
import { pythonPrefix } from "@jupyter-ts/paths";

/** Options of {@link formatKernelCmd}. */
export interface FormatKernelCmdOptions {
  /** Fills `{connection_file}`, as its real path (symlinks resolved), as Python does. */
  connectionFile: string;
  /** Appended to the kernelspec's argv before formatting (Python's `extra_arguments`). */
  extraArguments?: readonly string[];
  /**
   * More `{name}` placeholders: the other options the caller gave to start
   * the kernel (Python's `_launch_args`). They win over the built-in names.
   * Strings, numbers and booleans are used; other values leave the
   * placeholder as it is.
   */
  launchArgs?: Record<string, unknown>;
  /**
   * Fills `{prefix}` (Python's `sys.prefix`); default the Python environment
   * prefix of `@jupyter-ts/paths` (`pythonPrefix()`), or `""` when none.
   */
  prefix?: string;
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

function realpath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // not written yet: resolve what exists, as os.path.realpath does
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * The command line that starts a kernel: the kernelspec's argv plus
 * `extraArguments`, with `{connection_file}`, `{resource_dir}`, `{prefix}`
 * and every `launchArgs` key substituted; unknown `{names}` stay as they are
 * (Python's `KernelManager.format_kernel_cmd`).
 *
 * Where Python replaces an argv[0] of `python`/`python3` with its own
 * `sys.executable`, this replaces an argv[0] of `node` with this process's
 * Node (`process.execPath`), and leaves `python` to the PATH.
 *
 * @example
 * formatKernelCmd(spec, { connectionFile: "/run/user/1000/jupyter/kernel-1.json" });
 * // ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "/run/user/1000/jupyter/kernel-1.json"]
 */
export function formatKernelCmd(spec: KernelSpec, options: FormatKernelCmdOptions): string[] {
  const cmd = [...spec.argv, ...(options.extraArguments ?? [])];
  if (cmd[0] === "node") cmd[0] = process.execPath;
  const ns = new Map<string, string>([
    ["connection_file", realpath(options.connectionFile)],
    ["prefix", options.prefix ?? pythonPrefix() ?? ""],
    ["resource_dir", spec.resourceDir],
  ]);
  for (const [key, value] of Object.entries(options.launchArgs ?? {})) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") ns.set(key, String(value));
  }
  return cmd.map((arg) => arg.replace(PLACEHOLDER, (whole, name: string) => ns.get(name) ?? whole));
}

const TEMPLATE = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g;

/**
 * Substitutes `$VAR` and `${VAR}` in each value of a kernelspec's `env`
 * from `values` (Python's `string.Template.safe_substitute`): `$$` is a
 * literal `$`, and a name missing from `values` stays as written.
 *
 * @example
 * substituteEnv({ PATH: "/opt/k/bin:${PATH}" }, { PATH: "/usr/bin" }); // { PATH: "/opt/k/bin:/usr/bin" }
 */
export function substituteEnv(
  templates: Record<string, string>,
  values: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(templates)) {
    out[key] = template.replace(TEMPLATE, (whole, dollar: string | undefined, name: string | undefined, braced: string | undefined) => {
      if (dollar !== undefined) return "$";
      const key = (name ?? braced)!;
      const value = Object.hasOwn(values, key) ? values[key] : undefined;
      return typeof value === "string" ? value : whole;
    });
  }
  return out;
}
