import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { isLocalIp, localIps, type ConnectionInfo } from "@jupyter-ts/connection";
import { KernelLaunchError } from "./errors.js";
import { formatKernelCmd } from "./format-kernel-cmd.js";
import { expandUser, launchKernel } from "./launcher.js";
import { disownProcessGroup, killProcessGroup, signalProcessGroup } from "./process-group.js";
import {
  KernelProvisionerBase,
  type LaunchOptions,
  type PreLaunchOptions,
  type PreLaunchResult,
  type RestartOptions,
} from "./provisioner-base.js";

/** Popen's returncode from Node's exit event: the code, or minus the signal's number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? -1 : -number;
}

/**
 * The default provisioner (`local-provisioner`): starts the kernel as a
 * child process of this one, in its own process group (Python's
 * `LocalProvisioner`).
 *
 * - {@link preLaunch} reserves the ports (through `LocalPortCache`, by the
 *   parent's `writeConnectionFile()`), writes the connection file and
 *   formats the argv ({@link formatKernelCmd}).
 * - Signals, {@link terminate} and {@link kill} go to the process group, so
 *   processes the kernel started get them too.
 * - {@link cleanup} ends whatever is left in the group (SIGTERM, then
 *   SIGKILL), returns the ports and removes the connection file (both kept
 *   on restart) and the ipc files.
 *
 * @example
 * const parent = new ConnectionFileMixin();
 * const provisioner = new LocalProvisioner({ kernelId: "k1", kernelSpec: spec, parent });
 * const { cmd, ...launch } = await provisioner.preLaunch({ cwd: "/tmp" });
 * await provisioner.launchKernel(cmd, launch);
 * // ... talk to the kernel through parent.connectShell() ...
 * await provisioner.terminate();
 * await provisioner.wait(); // 0, or -15 when SIGTERM ended it
 * await provisioner.cleanup();
 */
export class LocalProvisioner extends KernelProvisionerBase {
  /** The kernel's ip as launched (for {@link getProvisionerInfo}). */
  ip: string | undefined;
  /** The kernel's working directory as launched; relative paths resolve against it. */
  cwd: string | undefined;

  #child: ChildProcess | undefined;
  #exit: Promise<number> | undefined;
  #status: number | undefined;
  #pid: number | undefined;
  #pgid: number | undefined;
  /** The group this instance launched and has not cleaned up yet. */
  #liveGroup: number | undefined;

  /** The kernel's process id once launched (or loaded by {@link loadProvisionerInfo}). */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** The kernel's process group id (its pid on POSIX; undefined on Windows). */
  get pgid(): number | undefined {
    return this.#pgid;
  }

  /** The kernel's `ChildProcess` while managed (its streams when stdio was `"pipe"`). */
  get process(): ChildProcess | undefined {
    return this.#child;
  }

  get hasProcess(): boolean {
    return this.#child !== undefined;
  }

  async poll(): Promise<number | null> {
    const child = this.#child;
    if (!child) return this.#status ?? 0;
    if (child.exitCode === null && child.signalCode === null) return null;
    return exitStatus(child.exitCode, child.signalCode);
  }

  async wait(): Promise<number | null> {
    const exit = this.#exit;
    if (!this.#child || !exit) return this.#status ?? 0;
    const status = await exit;
    this.#status = status;
    this.#child = undefined;
    return status;
  }

  async sendSignal(signal: NodeJS.Signals | number): Promise<void> {
    const child = this.#child;
    if (!child) return;
    // the group first: it holds the kernel and what it started
    if (this.#pgid !== undefined && signalProcessGroup(this.#pgid, signal)) return;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    }
  }

  async kill(_options?: RestartOptions): Promise<void> {
    await this.sendSignal("SIGKILL");
  }

  async terminate(_options?: RestartOptions): Promise<void> {
    await this.sendSignal("SIGTERM");
  }

  override async preLaunch(options: PreLaunchOptions = {}): Promise<PreLaunchResult> {
    const parent = this.parent;
    if (parent.transport === "tcp" && !isLocalIp(parent.ip)) {
      throw new KernelLaunchError(
        [],
        `cannot launch a local kernel on ${parent.ip}: it is not an address of this machine; ` +
          `use one of ${localIps().join(", ")} (the manager's ip option)`,
      );
    }
    const base = await super.preLaunch(options);
    const jupyterSession = options.env?.["JPY_SESSION_NAME"];
    await parent.writeConnectionFile(jupyterSession ? { extra: { jupyter_session: jupyterSession } } : {});
    this.connectionInfo = parent.getConnectionInfo();
    const cmd = formatKernelCmd(this.kernelSpec, {
      connectionFile: parent.connectionFile,
      ...(options.extraArguments ? { extraArguments: options.extraArguments } : {}),
      ...(options.launchArgs ? { launchArgs: options.launchArgs } : {}),
    });
    return { ...base, cmd };
  }

  async launchKernel(cmd: string[], options: LaunchOptions): Promise<ConnectionInfo> {
    const child = launchKernel(cmd, options);
    this.#child = child;
    this.#status = undefined;
    this.#pid = child.pid;
    this.#pgid = process.platform === "win32" ? undefined : child.pid;
    this.#liveGroup = this.#pgid;
    this.#exit = new Promise((resolveExit) => {
      child.once("exit", (code, signal) => resolveExit(exitStatus(code, signal)));
    });
    child.on("error", (error) => this.logger.warn(`kernel ${this.kernelId} (pid ${child.pid}): ${error.message}`));
    this.cwd = options.cwd === undefined ? process.cwd() : resolve(expandUser(options.cwd));
    this.ip = this.parent.ip;
    this.connectionInfo ??= this.parent.getConnectionInfo();
    return this.connectionInfo;
  }

  async cleanup(options: RestartOptions = {}): Promise<void> {
    const pgid = this.#liveGroup;
    this.#liveGroup = undefined;
    if (pgid !== undefined) {
      if (!(await killProcessGroup(pgid))) {
        this.logger.debug?.(`kernel ${this.kernelId}: process group ${pgid} still has members (zombies without a reaper?)`);
      }
      disownProcessGroup(pgid);
    } else if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill("SIGKILL");
    }
    const child = this.#child;
    if (child) {
      // the leader was in the group: its exit event follows at once
      if (child.exitCode === null && child.signalCode === null) await this.wait();
      else this.#status = exitStatus(child.exitCode, child.signalCode);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      this.#child = undefined;
    }
    await this.parent.cleanupIpcFiles();
    if (!options.restart) {
      await this.parent.cleanupRandomPorts();
      await this.parent.cleanupConnectionFile();
    }
  }

  override async getProvisionerInfo(): Promise<Record<string, unknown>> {
    return { ...(await super.getProvisionerInfo()), pid: this.#pid ?? null, pgid: this.#pgid ?? null, ip: this.ip ?? null };
  }

  override async loadProvisionerInfo(info: Record<string, unknown>): Promise<void> {
    await super.loadProvisionerInfo(info);
    this.#pid = typeof info["pid"] === "number" ? info["pid"] : undefined;
    this.#pgid = typeof info["pgid"] === "number" ? info["pgid"] : undefined;
    this.ip = typeof info["ip"] === "string" ? info["ip"] : undefined;
  }

  /** `path` (with `~` expanded) against the kernel's working directory, if it exists. */
  override async resolvePath(path: string): Promise<string | undefined> {
    let full = expandUser(path);
    if (!isAbsolute(full) && this.cwd !== undefined) full = resolve(this.cwd, full);
    return existsSync(full) ? resolve(full) : undefined;
  }
}
