import type { ConnectionFileMixin, ConnectionInfo } from "@jupyter-ts/connection";
import type { KernelSpec } from "@jupyter-ts/kernelspec";
import { substituteEnv } from "./format-kernel-cmd.js";
import type { KernelStdio } from "./launcher.js";

/** Where a provisioner reports; `warn` is required, the rest optional (a `console` fits). */
export interface ProvisionerLogger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}

/** What every provisioner class's constructor receives, third-party ones too. */
export interface ProvisionerOptions {
  kernelId: string;
  kernelSpec: KernelSpec;
  /**
   * The owning kernel manager (a {@link ConnectionFileMixin}): transport, ip,
   * ports, session key, connection file. Python's `parent`.
   */
  parent: ConnectionFileMixin;
  /** The kernelspec's `metadata.kernel_provisioner.config` (Python sets these as traits). */
  config?: Record<string, unknown>;
  /** Default `console`. */
  logger?: ProvisionerLogger;
}

/** Options of {@link KernelProvisionerBase.preLaunch}: what the caller gave to start the kernel. */
export interface PreLaunchOptions {
  /** Appended to the kernelspec's argv (Python's `extra_arguments`). */
  extraArguments?: string[];
  /** The kernel's environment before the kernelspec's `env` is merged in; default `process.env`. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** A kernel that may outlive this process: no `JPY_PARENT_PID`, not killed with us. */
  independent?: boolean;
  /** Other options the caller passed to start the kernel; usable as `{name}` placeholders in argv (Python's `_launch_args`). */
  launchArgs?: Record<string, unknown>;
}

/** What {@link KernelProvisionerBase.launchKernel} takes besides the command. */
export interface LaunchOptions {
  env: Record<string, string>;
  cwd?: string;
  independent?: boolean;
  /** Default `"ignore"`. */
  stdin?: KernelStdio;
  /** Default `"inherit"` (as Python). */
  stdout?: KernelStdio;
  /** Default `"inherit"` (as Python). */
  stderr?: KernelStdio;
}

/** What {@link KernelProvisionerBase.preLaunch} returns: the command and the options for {@link KernelProvisionerBase.launchKernel}. */
export interface PreLaunchResult extends LaunchOptions {
  cmd: string[];
}

/** Options of the stop and cleanup hooks: `restart` when a new launch follows. */
export interface RestartOptions {
  restart?: boolean;
}

const defaultLogger: ProvisionerLogger = {
  warn: (message) => console.warn(message),
};

/**
 * The base of every kernel provisioner: the object that starts a kernel,
 * watches it, signals it and frees what it took (Python's
 * `jupyter_client.provisioning.KernelProvisionerBase`). Most hooks model
 * Node's `ChildProcess` (and Python's `Popen`).
 *
 * A kernel manager calls, in order: {@link preLaunch}, {@link launchKernel},
 * {@link postLaunch}; later {@link poll}, {@link sendSignal},
 * {@link shutdownRequested}, {@link terminate}/{@link kill}, {@link wait}, and
 * last {@link cleanup}. Subclasses that override {@link preLaunch},
 * {@link getProvisionerInfo} or {@link loadProvisionerInfo} call `super`.
 *
 * Third parties publish subclasses as npm packages (see
 * {@link KernelProvisionerFactory}).
 *
 * @example
 * import { LocalProvisioner } from "@jupyter-ts/provisioning";
 *
 * export default class TimedProvisioner extends LocalProvisioner {
 *   override getShutdownWaitTime(recommended = 5000): number {
 *     return Number(this.config["shutdownWaitTime"] ?? recommended);
 *   }
 * }
 */
export abstract class KernelProvisionerBase {
  /** The kernel's id. Set again by {@link loadProvisionerInfo}. */
  kernelId: string;
  readonly kernelSpec: KernelSpec;
  readonly parent: ConnectionFileMixin;
  /** The kernelspec's `metadata.kernel_provisioner.config`, `{}` when none. */
  readonly config: Record<string, unknown>;
  readonly logger: ProvisionerLogger;
  /** The kernel's connection info once known (after {@link preLaunch} for local kernels). */
  connectionInfo: ConnectionInfo | undefined;

  constructor(options: ProvisionerOptions) {
    this.kernelId = options.kernelId;
    this.kernelSpec = options.kernelSpec;
    this.parent = options.parent;
    this.config = options.config ?? {};
    this.logger = options.logger ?? defaultLogger;
    this.connectionInfo = undefined;
  }

  /** True while this provisioner manages a process: from {@link launchKernel} until {@link wait} has seen it end. */
  abstract get hasProcess(): boolean;
  /** `null` while the kernel runs; its exit code once it ended (`-signal number` when a signal killed it, as Popen). */
  abstract poll(): Promise<number | null>;
  /** Resolves with the exit status once the kernel has exited (at once if it has). */
  abstract wait(): Promise<number | null>;
  /** Sends a signal to the kernel (its process group, for local kernels). */
  abstract sendSignal(signal: NodeJS.Signals | number): Promise<void>;
  /** Ends the kernel at once (SIGKILL). */
  abstract kill(options?: RestartOptions): Promise<void>;
  /** Asks the kernel to end (SIGTERM). */
  abstract terminate(options?: RestartOptions): Promise<void>;
  /** Starts the kernel with the command and options {@link preLaunch} returned; resolves with its connection info. */
  abstract launchKernel(cmd: string[], options: LaunchOptions): Promise<ConnectionInfo>;
  /**
   * Frees what the launch took: ports and the connection file (unless
   * `restart`), ipc files, and any process left of the kernel.
   */
  abstract cleanup(options?: RestartOptions): Promise<void>;

  /** Told that a shutdown was requested of the kernel; default nothing. */
  async shutdownRequested(_options?: RestartOptions): Promise<void> {
    // optional hook
  }

  /**
   * Prepares the launch. The base builds the environment: `options.env`
   * (default `process.env`) with the kernelspec's `env` merged over it, its
   * `$VAR`/`${VAR}` filled from `options.env`; `JPY_PARENT_PID` unless
   * `independent`; then {@link finalizeEnv}. The command is the kernelspec's
   * argv plus `extraArguments`, unformatted ({@link LocalProvisioner}
   * formats it).
   */
  async preLaunch(options: PreLaunchOptions = {}): Promise<PreLaunchResult> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, substituteEnv(this.kernelSpec.env, env));
    if (!options.independent && process.platform !== "win32") env["JPY_PARENT_PID"] = String(process.pid);
    this.finalizeEnv(env);
    const result: PreLaunchResult = { cmd: [...this.kernelSpec.argv, ...(options.extraArguments ?? [])], env };
    if (options.cwd !== undefined) result.cwd = options.cwd;
    if (options.independent !== undefined) result.independent = options.independent;
    return result;
  }

  /**
   * Last changes to the kernel's environment. The base removes
   * `PYTHONEXECUTABLE` for Python kernels (it breaks them), as Python does.
   * Overrides call `super.finalizeEnv(env)`.
   */
  protected finalizeEnv(env: Record<string, string>): void {
    if (this.kernelSpec.language.toLowerCase().startsWith("python")) delete env["PYTHONEXECUTABLE"];
  }

  /** Runs after the launch; default nothing. */
  async postLaunch(_options?: PreLaunchOptions): Promise<void> {
    // optional hook
  }

  /**
   * What a later process needs to take this kernel over (Python's
   * persistence hook): `{ kernel_id, connection_info }` here; subclasses add
   * their fields.
   */
  async getProvisionerInfo(): Promise<Record<string, unknown>> {
    return { kernel_id: this.kernelId, connection_info: this.connectionInfo };
  }

  /** The inverse of {@link getProvisionerInfo}. */
  async loadProvisionerInfo(info: Record<string, unknown>): Promise<void> {
    if (typeof info["kernel_id"] === "string") this.kernelId = info["kernel_id"];
    const connection = info["connection_info"];
    this.connectionInfo = typeof connection === "object" && connection !== null ? (connection as ConnectionInfo) : undefined;
  }

  /** How long (ms) a graceful shutdown may take; default `recommended` (the manager's setting). */
  getShutdownWaitTime(recommended = 5000): number {
    return recommended;
  }

  /** How long (ms) a (re)start may take before it counts as stable; default `recommended` (the restarter's setting). */
  getStableStartTime(recommended = 10_000): number {
    return recommended;
  }

  /**
   * The absolute path of `path` as the kernel sees it (relative to its
   * working directory), or undefined when it cannot be resolved. The base
   * resolves nothing, as Python's (a provisioner may refuse, to hide the
   * file system layout).
   */
  async resolvePath(_path: string): Promise<string | undefined> {
    return undefined;
  }
}
