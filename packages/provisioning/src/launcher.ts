import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { KernelLaunchError } from "./errors.js";
import { disownProcessGroup, ownProcessGroup, processGroupAlive } from "./process-group.js";

/**
 * One standard stream of the kernel: as `child_process` stdio, `"inherit"`
 * (share this process's stream), `"ignore"` (`/dev/null`), `"pipe"` (a
 * stream on the returned child), or a file descriptor.
 */
export type KernelStdio = "ignore" | "inherit" | "pipe" | number;

/** Options of {@link launchKernel}. */
export interface LaunchKernelOptions {
  /** The kernel's environment; default `process.env`. Undefined values are dropped. */
  env?: Record<string, string | undefined>;
  /** The kernel's working directory (`~` expanded); default this process's. */
  cwd?: string;
  /**
   * A kernel that may outlive this process: no `JPY_PARENT_PID`, and not
   * killed when this process exits. Default false.
   */
  independent?: boolean;
  /** Default `"ignore"`: a kernel has no use for our stdin (Python gives it a closed pipe). */
  stdin?: KernelStdio;
  /** Default `"inherit"`, as Python: kernel output and tracebacks show in this process's terminal. */
  stdout?: KernelStdio;
  /** Default `"inherit"`, as Python. */
  stderr?: KernelStdio;
}

const isWindows = process.platform === "win32";

/** `~` and `~/...` become the home directory (Python's `os.path.expanduser`, without `~user`). */
export function expandUser(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/") || (isWindows && path.startsWith("~\\"))) return join(homedir(), path.slice(2));
  return path;
}

function quote(cmd: readonly string[]): string {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

type Check = { ok: true } | { ok: false; why: string };

function checkExecutable(file: string): Check {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return { ok: false, why: "does not exist" };
  }
  if (stats.isDirectory()) return { ok: false, why: "is a directory" };
  if (isWindows) return { ok: true };
  try {
    accessSync(file, constants.X_OK);
    return { ok: true };
  } catch {
    return { ok: false, why: "is not executable (chmod +x it)" };
  }
}

/**
 * The executable `spawn` will run, looked up as Node does: a name with a
 * path separator relative to `cwd`, a bare name on the child's PATH.
 * Returns the reason when there is none.
 */
function findExecutable(name: string, env: Record<string, string>, cwd: string): { file: string } | { why: string } {
  if (name === "") return { why: "argv[0] is empty" };
  if (isAbsolute(name) || name.includes("/") || (isWindows && name.includes("\\"))) {
    const file = resolve(cwd, name);
    const check = checkExecutable(file);
    return check.ok ? { file } : { why: `${file} ${check.why}` };
  }
  const pathKey = isWindows ? (Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH") : "PATH";
  const pathValue = env[pathKey] ?? (isWindows ? "" : "/usr/bin:/bin");
  const exts = isWindows ? ["", ...(env["PATHEXT"] ?? ".COM;.EXE;.BAT;.CMD").split(";")] : [""];
  for (const dir of pathValue.split(delimiter)) {
    for (const ext of exts) {
      const file = resolve(cwd, dir, name + ext);
      if (checkExecutable(file).ok) return { file };
    }
  }
  return { why: `'${name}' was not found on the kernel's PATH (${pathValue})` };
}

/**
 * Starts a kernel process, as Python's `jupyter_client.launcher.launch_kernel`:
 *
 * - in its own process group (a new session, `detached` on POSIX), so a
 *   signal sent to the group (`process.kill(-child.pid, "SIGINT")`) reaches
 *   the kernel and every process it started;
 * - with `JPY_PARENT_PID` set to this process's pid unless `independent`
 *   (ipykernel exits when that process goes; POSIX only, since on Windows
 *   ipykernel reads a process handle there);
 * - with `~` expanded in every argument and in `cwd`;
 * - unless `independent`, the kernel's process group is SIGKILLed when this
 *   process exits, so a forgotten kernel does not outlive it.
 *
 * The returned child is referenced: Node's event loop stays alive until the
 * kernel exits, as for any child process; call `child.unref()` for an
 * independent kernel you do not wait for.
 *
 * @throws KernelLaunchError (synchronously) naming the command and what to
 *   fix when the executable is missing or not executable, the working
 *   directory does not exist, or the spawn fails.
 *
 * @example
 * const child = launchKernel(["python3", "-m", "ipykernel_launcher", "-f", "/tmp/kernel-1.json"], { cwd: "~/work" });
 * child.once("exit", (code, signal) => console.log("kernel exited", code ?? signal));
 */
export function launchKernel(cmd: readonly string[], options: LaunchKernelOptions = {}): ChildProcess {
  const argv = cmd.map(expandUser);
  const shown = quote(argv);
  if (argv.length === 0) {
    throw new KernelLaunchError(argv, "cannot start a kernel from an empty command; the kernelspec's argv must name an executable");
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[key] = value;
  const independent = options.independent ?? false;
  if (!independent && !isWindows) env["JPY_PARENT_PID"] = String(process.pid);

  const cwd = options.cwd === undefined ? undefined : resolve(expandUser(options.cwd));
  if (cwd !== undefined) {
    let isDir = false;
    try {
      isDir = statSync(cwd).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) {
      throw new KernelLaunchError(argv, `cannot start kernel \`${shown}\`: its working directory ${cwd} does not exist or is not a directory; pass an existing cwd`);
    }
  }
  const found = findExecutable(argv[0]!, env, cwd ?? process.cwd());
  if ("why" in found) {
    throw new KernelLaunchError(
      argv,
      `cannot start kernel \`${shown}\`: ${found.why}. Install the program, or fix the command ` +
        "(the kernelspec's argv[0]) to name an executable that exists",
    );
  }

  const stdio: StdioOptions = [options.stdin ?? "ignore", options.stdout ?? "inherit", options.stderr ?? "inherit"];
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      env,
      ...(cwd === undefined ? {} : { cwd }),
      stdio,
      // POSIX: setsid(), Python's start_new_session. Windows: a new console only for independent kernels.
      detached: !isWindows || independent,
      windowsHide: true,
    });
  } catch (cause) {
    throw new KernelLaunchError(argv, `cannot start kernel \`${shown}\`: ${(cause as Error).message}`, { cause });
  }
  if (child.pid === undefined) {
    // Node reports ENOENT/EACCES/EAGAIN/... on the next tick; the checks above
    // passed, so exec itself failed: a script's #! interpreter is missing, the
    // file vanished, or the system is out of processes.
    child.once("error", () => undefined);
    throw new KernelLaunchError(
      argv,
      `cannot start kernel \`${shown}\`: the operating system refused to run ${found.file} ` +
        "(if it is a script, check that its #! interpreter exists; else it may have been removed, " +
        "or the system is out of processes or file descriptors)",
    );
  }
  if (!independent && !isWindows) {
    const pgid = child.pid;
    ownProcessGroup(pgid);
    child.once("exit", () => {
      // keep the group tracked while children of the kernel live on in it
      if (!processGroupAlive(pgid)) disownProcessGroup(pgid);
    });
  }
  return child;
}
