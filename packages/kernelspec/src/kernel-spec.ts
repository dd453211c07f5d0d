import { basename, dirname, join } from "node:path";
import { InvalidKernelSpecError } from "./errors.js";
import { nodeFs, type KernelSpecFs } from "./fs.js";

/** How a kernel wants to be interrupted: a SIGINT, or an `interrupt_request` on the control channel. */
export type InterruptMode = "signal" | "message";

/**
 * A kernelspec as JSON, snake_case, with the fields and defaults of Python's
 * `KernelSpec.to_dict()`: what `jupyter kernelspec list --json` prints.
 * `kernel_protocol_version` appears only when the kernel.json has one.
 */
export interface KernelSpecDict {
  argv: string[];
  env: Record<string, string>;
  display_name: string;
  language: string;
  interrupt_mode: InterruptMode;
  metadata: Record<string, unknown>;
  kernel_protocol_version?: string;
}

/** The fields of a {@link KernelSpec}; all but `argv` have defaults. */
export interface KernelSpecInit {
  /** The command that starts the kernel, with `{connection_file}` and friends to fill in. */
  argv: string[];
  displayName?: string;
  language?: string;
  interruptMode?: InterruptMode;
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
  kernelProtocolVersion?: string;
  resourceDir?: string;
  name?: string;
  extra?: Record<string, unknown>;
}

/** Options of {@link KernelSpec.fromResourceDir}. */
export interface FromResourceDirOptions {
  /** The kernel's name; default the directory's name, lowercased (as Python keys it). */
  name?: string;
  /** Where to read from; default Node's file system. */
  fs?: KernelSpecFs;
}

/** Options of {@link KernelSpec.fromDict}. */
export interface FromDictOptions {
  resourceDir?: string;
  name?: string;
  /** The file the dict came from, named in errors; default `<resourceDir>/kernel.json`. */
  file?: string;
}

const KNOWN = new Set(["argv", "env", "display_name", "language", "interrupt_mode", "metadata", "kernel_protocol_version"]);

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function bad(file: string, field: string, expected: string, value: unknown): InvalidKernelSpecError {
  return new InvalidKernelSpecError(
    file,
    field,
    `invalid kernelspec ${file}: "${field}" must be ${expected}, got ${show(value)}; fix the file or remove the kernelspec`,
  );
}

function optionalString(file: string, dict: Record<string, unknown>, field: string): string | undefined {
  const value = dict[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw bad(file, field, "a string", value);
  return value;
}

/**
 * A kernel specification: how to start a kernel and what to call it, read
 * from a `kernel.json` in the kernel's resource directory (Python's
 * `jupyter_client.kernelspec.KernelSpec`).
 *
 * @example
 * const spec = await KernelSpec.fromResourceDir("/usr/share/jupyter/kernels/python3");
 * spec.argv; // ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
 * JSON.stringify(spec); // the kernel.json fields, snake_case, as Python's to_dict()
 */
export class KernelSpec {
  argv: string[];
  displayName: string;
  language: string;
  interruptMode: InterruptMode;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
  kernelProtocolVersion: string | undefined;
  /** The directory holding kernel.json and the kernel's logos and other files. */
  resourceDir: string;
  /** The kernel's name: its directory's name, lowercased. */
  name: string;
  /** Fields of kernel.json this class does not know, kept as read (not part of {@link toDict}). */
  extra: Record<string, unknown>;

  constructor(init: KernelSpecInit) {
    this.argv = [...init.argv];
    this.displayName = init.displayName ?? "";
    this.language = init.language ?? "";
    this.interruptMode = init.interruptMode ?? "signal";
    this.env = { ...init.env };
    this.metadata = { ...init.metadata };
    this.kernelProtocolVersion = init.kernelProtocolVersion;
    this.resourceDir = init.resourceDir ?? "";
    this.name = init.name ?? "";
    this.extra = { ...init.extra };
  }

  /**
   * Checks a parsed kernel.json and makes a spec of it. Accepts what
   * jupyter_client accepts (missing `display_name` and `language` default to
   * `""`, `interrupt_mode` in any case, unknown fields kept in `extra`),
   * except that `argv` must be a non-empty array of strings and `env` values
   * strings, without which the kernel cannot start. Throws
   * {@link InvalidKernelSpecError} naming the file and the field.
   */
  static fromDict(dict: unknown, options: FromDictOptions = {}): KernelSpec {
    const resourceDir = options.resourceDir ?? "";
    const file = options.file ?? join(resourceDir, "kernel.json");
    if (!isObject(dict)) {
      throw new InvalidKernelSpecError(file, undefined, `invalid kernelspec ${file}: must hold a JSON object, got ${show(dict)}`);
    }
    const argv = dict["argv"];
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
      throw bad(file, "argv", "a non-empty array of strings (the command that starts the kernel)", argv);
    }
    const interrupt = optionalString(file, dict, "interrupt_mode")?.toLowerCase();
    if (interrupt !== undefined && interrupt !== "signal" && interrupt !== "message") {
      throw bad(file, "interrupt_mode", `"signal" or "message"`, dict["interrupt_mode"]);
    }
    const env = dict["env"];
    if (env !== undefined) {
      if (!isObject(env)) throw bad(file, "env", "an object of strings", env);
      for (const [key, value] of Object.entries(env)) {
        if (typeof value !== "string") throw bad(file, `env.${key}`, "a string", value);
      }
    }
    const metadata = dict["metadata"];
    if (metadata !== undefined && !isObject(metadata)) throw bad(file, "metadata", "an object", metadata);
    // traits Python types as strings even though to_dict() leaves them out
    for (const field of ["mimetype", "name"]) optionalString(file, dict, field);
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(dict)) if (!KNOWN.has(key)) extra[key] = value;
    const init: KernelSpecInit = { argv: argv as string[], resourceDir, extra };
    const displayName = optionalString(file, dict, "display_name");
    const language = optionalString(file, dict, "language");
    const version = optionalString(file, dict, "kernel_protocol_version");
    if (displayName !== undefined) init.displayName = displayName;
    if (language !== undefined) init.language = language;
    if (interrupt !== undefined) init.interruptMode = interrupt;
    if (env !== undefined) init.env = env as Record<string, string>;
    if (metadata !== undefined) init.metadata = structuredClone(metadata);
    if (version !== undefined) init.kernelProtocolVersion = version;
    if (options.name !== undefined) init.name = options.name;
    return new KernelSpec(init);
  }

  /**
   * Reads `<dir>/kernel.json` (Python's `from_resource_dir`). Throws
   * {@link InvalidKernelSpecError} when it is missing, not JSON, or invalid.
   *
   * @example
   * const spec = await KernelSpec.fromResourceDir("/home/ann/.local/share/jupyter/kernels/ir");
   */
  static async fromResourceDir(dir: string, options: FromResourceDirOptions = {}): Promise<KernelSpec> {
    const file = join(dir, "kernel.json");
    const text = await readKernelJson(options.fs ?? nodeFs, file);
    return KernelSpec.fromDict(parseKernelJson(file, text), { resourceDir: dir, file, name: options.name ?? basename(dir).toLowerCase() });
  }

  /** The spec as Python's `to_dict()` gives it: snake_case keys in Python's order. */
  toDict(): KernelSpecDict {
    const dict: KernelSpecDict = {
      argv: [...this.argv],
      env: { ...this.env },
      display_name: this.displayName,
      language: this.language,
      interrupt_mode: this.interruptMode,
      metadata: structuredClone(this.metadata),
    };
    if (this.kernelProtocolVersion !== undefined) dict.kernel_protocol_version = this.kernelProtocolVersion;
    return dict;
  }

  /**
   * The same object as {@link toDict}, so `JSON.stringify(spec)` writes a
   * kernel.json. (Python's `to_json()` returns the string instead.)
   */
  toJSON(): KernelSpecDict {
    return this.toDict();
  }
}

/** Reads a kernel.json, turning a missing file into an {@link InvalidKernelSpecError}. */
export async function readKernelJson(fs: KernelSpecFs, file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const why = code === "ENOENT" || code === "ENOTDIR" ? "has no kernel.json" : `cannot be read (${(error as Error).message})`;
    throw new InvalidKernelSpecError(file, undefined, `kernelspec directory ${dirname(file)} ${why}`, { cause: error });
  }
}

/** Parses kernel.json text, naming the file when it is not JSON. */
export function parseKernelJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidKernelSpecError(
      file,
      undefined,
      `invalid kernelspec ${file}: not valid JSON (${(error as Error).message}); fix the file or remove the kernelspec`,
      { cause: error },
    );
  }
}
