import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { ConnectionFileError, validateConnectionInfo, type ConnectionInfo } from "@jupyter-ts/connection";
import { NoRunningKernelError, QtconsoleNotFoundError } from "./errors.js";
import { Kernel } from "./kernel.js";

/**
 * The connection file of the kernel running in this process (Python's
 * `ipykernel.get_connection_file()`).
 *
 * @throws NoRunningKernelError when no kernel has been started here.
 *
 * @example
 * getConnectionFile(); // "/home/me/.local/share/jupyter/runtime/kernel-4242.json"
 */
export function getConnectionFile(): string {
  const kernel = Kernel.current();
  if (kernel === undefined) {
    throw new NoRunningKernelError(
      "no kernel is running in this process: getConnectionFile() works inside a kernel started with serveKernel() or kernel.start(); elsewhere pass the connection file explicitly",
    );
  }
  return kernel.connectionFile;
}

/** Options of {@link getConnectionInfo}. */
export interface GetConnectionInfoOptions {
  /** Default: the running kernel's ({@link getConnectionFile}). */
  connectionFile?: string;
  /** Return the parsed object instead of the file's JSON text. */
  unpack?: boolean;
}

/**
 * The connection info of the running kernel (or of `connectionFile`): the
 * file's JSON text, or with `unpack: true` the checked object (Python's
 * `ipykernel.get_connection_info()`).
 *
 * @throws NoRunningKernelError without a running kernel or `connectionFile`;
 *   ConnectionFileError / InvalidConnectionInfoError for a bad file.
 *
 * @example
 * const info = await getConnectionInfo({ unpack: true });
 * info.shell_port; // 41233
 */
export function getConnectionInfo(options?: GetConnectionInfoOptions & { unpack?: false }): Promise<string>;
export function getConnectionInfo(options: GetConnectionInfoOptions & { unpack: true }): Promise<ConnectionInfo>;
export function getConnectionInfo(options?: GetConnectionInfoOptions): Promise<string | ConnectionInfo>;
export async function getConnectionInfo(options: GetConnectionInfoOptions = {}): Promise<string | ConnectionInfo> {
  const file = options.connectionFile ?? getConnectionFile();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ConnectionFileError(file, `connection file ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
  if (options.unpack !== true) return text;
  return validateConnectionInfo(JSON.parse(text), { source: `connection file ${file}` });
}

/** Options of {@link connectQtconsole}. */
export interface ConnectQtconsoleOptions {
  /** Default: the running kernel's. */
  connectionFile?: string;
  /** More arguments for `jupyter-qtconsole`. */
  argv?: string[];
  /** The environment of the console (and the PATH searched for it); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === "win32" ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Opens a Qt console on the running kernel (or on `connectionFile`):
 * spawns `jupyter-qtconsole --existing <file>` detached, and returns the
 * child process (Python's `ipykernel.connect_qtconsole()`).
 *
 * @throws QtconsoleNotFoundError when `jupyter-qtconsole` is not on PATH;
 *   NoRunningKernelError without a running kernel or `connectionFile`.
 *
 * @example
 * const child = connectQtconsole();
 */
export function connectQtconsole(options: ConnectQtconsoleOptions = {}): ChildProcess {
  const file = options.connectionFile ?? getConnectionFile();
  const env = options.env ?? process.env;
  const command = findOnPath("jupyter-qtconsole", env);
  if (command === undefined) {
    throw new QtconsoleNotFoundError(
      "jupyter-qtconsole is not installed (not found on PATH); install it with `pip install qtconsole` or `apt-get install python3-qtconsole`, then call connectQtconsole() again",
    );
  }
  const child = spawn(command, ["--existing", file, ...(options.argv ?? [])], { env, detached: true, stdio: "ignore" });
  child.unref();
  return child;
}
