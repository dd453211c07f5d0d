import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { mkdir, open, stat, unlink } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { InsecureFileError, NotADirectoryError } from "./errors.js";
import { jupyterRuntimeDir } from "./jupyter-paths.js";
import type { PathOptions } from "./options.js";

const run = promisify(execFile);

/** Options of {@link ensureDirExists}. */
export interface EnsureDirOptions {
  /**
   * Permission bits of the directory if it is created (before the umask);
   * default `0o777`. Missing parents get the default mode, as in Python.
   */
  mode?: number;
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/**
 * Creates a directory unless it exists (jupyter_core's `ensure_dir_exists`),
 * safe against another process creating it at the same time. An existing
 * directory keeps its mode. Throws {@link NotADirectoryError} when the path
 * is something else.
 *
 * @example
 * await ensureDirExists("/home/ann/.local/share/jupyter/runtime", { mode: 0o700 });
 */
export async function ensureDirExists(path: string, options: EnsureDirOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o777;
  try {
    await mkdir(path, { mode });
  } catch (error) {
    if (errnoOf(error) === "ENOENT") {
      await mkdir(dirname(path), { recursive: true });
      try {
        await mkdir(path, { mode });
      } catch (again) {
        if (errnoOf(again) !== "EEXIST") throw again;
      }
    } else if (errnoOf(error) !== "EEXIST") {
      throw error;
    }
  }
  if (!(await stat(path)).isDirectory()) throw new NotADirectoryError(path);
}

/**
 * Creates the runtime directory owner-only (`0o700`) if missing and returns
 * it, as jupyter_core's applications do before writing connection files.
 *
 * @example
 * const dir = await ensureRuntimeDir(); // "/home/ann/.local/share/jupyter/runtime"
 */
export async function ensureRuntimeDir(options?: PathOptions): Promise<string> {
  const dir = jupyterRuntimeDir(options);
  await ensureDirExists(dir, { mode: 0o700 });
  return dir;
}

/** Options of {@link secureWrite}. */
export interface SecureWriteOptions {
  /**
   * Write even where owner-only permissions cannot be set, with a warning.
   * Default: $JUPYTER_ALLOW_INSECURE_WRITES is `true` or `1`, as in Python.
   */
  allowInsecureWrites?: boolean;
  /** Where the insecure-write warning goes; default `console.warn`. */
  logger?: { warn(message: string): void };
  /** Environment for the default of `allowInsecureWrites`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const INSECURE_WARNING =
  "WARNING: Insecure writes have been enabled via environment variable 'JUPYTER_ALLOW_INSECURE_WRITES'! " +
  "If this is not intended, remove the variable or set its value to 'False'.";

// Python grants the user read, write and delete and the Administrators group
// everything, and drops inherited entries; icacls says the same.
async function restrictToUser(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const user = env["USERDOMAIN"] && env["USERNAME"] ? `${env["USERDOMAIN"]}\\${env["USERNAME"]}` : userInfo().username;
  await run("icacls", [file, "/inheritance:r", "/grant:r", `${user}:(R,W,D)`, "*S-1-5-32-544:(F)"], { windowsHide: true });
}

/**
 * Writes a file that only its owner can read and write (mode `0o600`; on
 * Windows an access list of the user and Administrators), for secrets such
 * as connection files (jupyter_core's `secure_write`). An existing file is
 * replaced, never written through, so its old permissions do not carry over.
 * Throws {@link InsecureFileError} when the permissions do not hold (a file
 * system without modes), unless insecure writes are allowed.
 *
 * @example
 * await secureWrite(join(await ensureRuntimeDir(), "kernel-1.json"), JSON.stringify(info, null, 1));
 */
export async function secureWrite(path: string, data: string | Uint8Array, options: SecureWriteOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const allowInsecure =
    options.allowInsecureWrites ?? ["true", "1"].includes((env["JUPYTER_ALLOW_INSECURE_WRITES"] ?? "false").toLowerCase());
  const logger = options.logger ?? console;
  try {
    await unlink(path);
  } catch {
    // nothing to replace, or it cannot be removed: the open below says which
  }
  let flags = constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC;
  if (process.platform === "win32") {
    if (allowInsecure) logger.warn(INSECURE_WARNING);
    else {
      // restrict the empty file before any secret is in it
      await (await open(path, flags, 0o600)).close();
      flags = constants.O_WRONLY | constants.O_TRUNC;
      try {
        await restrictToUser(path, env);
      } catch (error) {
        await unlink(path).catch(() => undefined);
        throw new InsecureFileError(
          path,
          `could not restrict '${path}' to the current user (icacls failed); ` +
            "write it on a local NTFS drive, or set JUPYTER_ALLOW_INSECURE_WRITES=1 to accept an unprotected file",
          { cause: error },
        );
      }
    }
  }
  const handle = await open(path, flags, 0o600);
  try {
    if (process.platform !== "win32") {
      // some file systems set the owner execute or the sticky bit on their own
      const mode = (await handle.stat()).mode & 0o6677;
      if (mode !== 0o600) {
        if (allowInsecure) logger.warn(INSECURE_WARNING);
        else {
          await handle.close();
          await unlink(path).catch(() => undefined);
          throw new InsecureFileError(
            path,
            `permissions of '${path}' are 0o${mode.toString(8)}, not 0o600: the file system ignores modes; ` +
              "write it elsewhere (e.g. set JUPYTER_RUNTIME_DIR to a local directory) or set JUPYTER_ALLOW_INSECURE_WRITES=1",
            { mode },
          );
        }
      }
    }
    await handle.writeFile(data);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
