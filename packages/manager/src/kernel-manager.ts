import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { Emitter, KernelClient, KernelTimeoutError, type KernelClientOptions, type ReplyMessage } from "@jupyter-ts/client";
import {
  ConnectionFileMixin,
  type ConnectionFileMixinOptions,
  type ConnectionInfo,
  type PortName,
} from "@jupyter-ts/connection";
import { KernelSpecManager, type KernelSpec } from "@jupyter-ts/kernelspec";
import { KernelProvisionerFactory, type KernelProvisionerBase, type PreLaunchOptions } from "@jupyter-ts/provisioning";
import { Session } from "@jupyter-ts/session";
import { ControlChannel } from "./control-channel.js";
import { KernelNotStartedError, KernelRunningError, KernelStartError } from "./errors.js";
import { defaultLogger, type ManagerLogger } from "./logger.js";
import { KernelRestarter, type KernelRestarterEvents, type KernelRestarterOptions } from "./restarter.js";
import { StderrTail } from "./stderr-tail.js";

/** Options of {@link KernelManager.startKernel}; kept and reused by restarts. */
export interface StartKernelOptions {
  /** The kernel's id; default the manager's `kernelId`, else a new UUID. Ignored once the manager has an id. */
  kernelId?: string;
  /** Appended to the kernelspec's argv (Python's `extra_arguments`). */
  extraArguments?: string[];
  /** The kernel's environment; default `process.env`. The kernelspec's `env` is merged over it. */
  env?: Record<string, string | undefined>;
  /** The kernel's working directory; default this process's. */
  cwd?: string;
  /** A kernel that may outlive this process: no `JPY_PARENT_PID`, not killed when this process exits. */
  independent?: boolean;
  /** More `{name}` placeholders for the kernelspec's argv (Python's extra `start_kernel` keywords). */
  launchArgs?: Record<string, unknown>;
}

/** Options of {@link KernelManager.shutdownKernel}. */
export interface ShutdownKernelOptions {
  /** Kill at once (SIGKILL) instead of asking first; default false. */
  now?: boolean;
  /** A start follows: keep the connection file and the ports; default false. */
  restart?: boolean;
}

/** Options of {@link KernelManager.restartKernel}: how to stop, and launch options that replace the kept ones. */
export interface RestartKernelOptions extends Omit<StartKernelOptions, "kernelId"> {
  /** Kill the old kernel at once instead of asking it to shut down; default false. */
  now?: boolean;
  /** New ports and a new connection file instead of the old ones; default false. */
  newports?: boolean;
}

/**
 * How the kernel's stderr is handled:
 * - `"forward"` (default): piped through this process to `process.stderr`,
 *   and its last lines are kept so that {@link KernelStartError} can show why
 *   a kernel died at start;
 * - `"capture"`: kept for errors only, not shown;
 * - `"inherit"`: the kernel writes to this process's stderr itself (Python's way; nothing kept);
 * - `"ignore"`: discarded.
 *
 * Independent kernels, and provisioners without a local process, always get `"inherit"`.
 */
export type KernelStderr = "forward" | "capture" | "inherit" | "ignore";

/** Options of {@link KernelManager}; the connection fields are those of `ConnectionFileMixin`. */
export interface KernelManagerOptions extends ConnectionFileMixinOptions {
  /** The kernelspec to start; default `"python3"` (`"python"` means `"python3"`, as in Python). */
  kernelName?: string;
  /** The kernel's id; default a new UUID at the first start. */
  kernelId?: string;
  /** Where kernelspecs are found; default `new KernelSpecManager()`. */
  kernelSpecManager?: KernelSpecManager;
  /** Makes the provisioner the kernelspec names; default `KernelProvisionerFactory.instance()`. */
  provisionerFactory?: KernelProvisionerFactory;
  /**
   * How long a graceful shutdown may take, in ms, default 5000: half of it
   * for the kernel to exit after `shutdown_request`, the other half after
   * SIGTERM, then SIGKILL. The provisioner may change it.
   */
  shutdownWaitTime?: number;
  /** How long {@link KernelManager.interruptKernel} waits for `interrupt_reply` (interrupt_mode `message`), in ms; default 5000. */
  interruptTimeout?: number;
  /** Restart the kernel when it dies on its own; default true. */
  autorestart?: boolean;
  /** Settings of the {@link KernelRestarter}. */
  restarter?: KernelRestarterOptions;
  /** Default: warnings to `console.warn`. */
  logger?: ManagerLogger;
  /**
   * Reserve the ports in `LocalPortCache` (Python's `cache_ports`); default
   * true for tcp. Informational: the built-in provisioner always reserves
   * them; third-party provisioners may read it.
   */
  cachePorts?: boolean;
  /**
   * False for a manager that talks to a kernel it does not own: shutdown
   * does nothing and `isAlive()` is true (Python's `owns_kernel`). Default true.
   */
  ownsKernel?: boolean;
  /** See {@link KernelStderr}; default `"forward"`. */
  kernelStderr?: KernelStderr;
}

/** Events of {@link KernelManager}: those of its restarter. */
export type KernelManagerEvents = KernelRestarterEvents;

/** How the last shutdown ended: after the request, after SIGTERM, or after SIGKILL (Python's `_shutdown_status`). */
export type ShutdownStatus = "request" | "terminate" | "kill";

class ManagerEmitter extends Emitter<KernelManagerEvents> {
  fire<E extends keyof KernelManagerEvents>(event: E, ...args: KernelManagerEvents[E]): void {
    this.emit(event, ...args);
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // `ready` must never become an unhandled rejection: users may not await it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Resolves true when the provisioner's process exits within `ms`, false otherwise. */
async function exitsWithin(provisioner: KernelProvisionerBase, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([provisioner.wait().then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const TIMED_OUT = Symbol("timed out");

/** The first of `promises` to settle, or TIMED_OUT at `deadline` (a performance.now() time). */
async function until<A, B>(deadline: number, promises: [Promise<A>, Promise<B>]): Promise<A | B | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - performance.now()))));
  try {
    return await Promise.race([...promises, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const PORT_PROPS: ReadonlyArray<[PortName, "shellPort" | "iopubPort" | "stdinPort" | "hbPort" | "controlPort"]> = [
  ["shell_port", "shellPort"],
  ["iopub_port", "iopubPort"],
  ["stdin_port", "stdinPort"],
  ["hb_port", "hbPort"],
  ["control_port", "controlPort"],
];

/**
 * Starts one kernel, and restarts, interrupts, signals and shuts it down
 * (Python's `KernelManager`/`AsyncKernelManager`, promise-based). It is the
 * kernel's `ConnectionFileMixin`: ports, key and connection file live here,
 * and its provisioner (a `LocalProvisioner` unless the kernelspec names
 * another) gets it as `parent`.
 *
 * Lifecycle calls (start, restart, shutdown) run one at a time, in call
 * order. A shutdown asks the kernel first (`shutdown_request` on control),
 * gives it half of `shutdownWaitTime` to exit, then SIGTERMs its process
 * group, waits the other half and SIGKILLs; each step moves on the moment
 * the process exits. Afterwards nothing of the kernel is left: no process of
 * its group, no socket, no connection file (kept on restart).
 *
 * @example
 * await using km = new KernelManager({ kernelName: "python3" });
 * await km.startKernel({ cwd: "/tmp" });
 * const kc = km.client();
 * await km.waitForReady(kc, { timeout: 30_000 }); // starts kc's channels once the kernel listens
 * const reply = await kc.execute("1 + 1", { reply: true });
 * await km.restartKernel();
 * await kc.stopChannels();
 * await km.shutdownKernel();
 */
export class KernelManager extends ConnectionFileMixin {
  /** The kernel's id (set at the first start unless given). */
  kernelId: string | undefined;
  /** The provisioner of the current kernel; undefined before the first start and after a full shutdown. */
  provisioner: KernelProvisionerBase | undefined;
  /** Where the kernelspec is looked up. */
  readonly kernelSpecManager: KernelSpecManager;
  /** ms for a graceful shutdown before SIGKILL (see {@link KernelManagerOptions.shutdownWaitTime}). */
  shutdownWaitTime: number;
  /** ms to wait for `interrupt_reply` in interrupt_mode `message`. */
  interruptTimeout: number;
  /** Whether a {@link KernelRestarter} revives a kernel that dies on its own. */
  readonly autorestart: boolean;
  /**
   * Whether tcp ports are reserved in `LocalPortCache` (Python's
   * `cache_ports`). The built-in provisioner always reserves them (they are
   * picked by `writeConnectionFile`); third-party provisioners may read this.
   */
  readonly cachePorts: boolean;
  /** False when the kernel belongs to someone else: shutdown does nothing (Python's `owns_kernel`). */
  readonly ownsKernel: boolean;
  /** What happens to the kernel's stderr. */
  readonly kernelStderr: KernelStderr;
  /** Where this manager (and its provisioner and restarter) report. */
  readonly logger: ManagerLogger;
  /** True from the moment a shutdown is asked for until the next start: the restarter leaves the kernel alone. */
  shuttingDown = false;

  readonly #factory: KernelProvisionerFactory | undefined;
  readonly #events = new ManagerEmitter();
  readonly #restarterOptions: KernelRestarterOptions;
  #restarter: KernelRestarter | undefined;
  #spec: KernelSpec | undefined;
  #specName: string | undefined;
  #launchArgs: StartKernelOptions | undefined;
  #ready: Deferred | undefined;
  #attemptedStart = false;
  #queue: Promise<unknown> = Promise.resolve();
  #control: ControlChannel | undefined;
  #stderr: StderrTail | undefined;
  #command: string[] = [];
  #shutdownStatus: ShutdownStatus | undefined;

  constructor(options: KernelManagerOptions = {}) {
    const { kernelName, ...mixin } = options;
    super({ ...mixin, kernelName: kernelName === undefined || kernelName === "python" ? "python3" : kernelName });
    this.kernelId = options.kernelId;
    this.kernelSpecManager = options.kernelSpecManager ?? new KernelSpecManager();
    this.#factory = options.provisionerFactory;
    this.shutdownWaitTime = options.shutdownWaitTime ?? 5000;
    this.interruptTimeout = options.interruptTimeout ?? 5000;
    this.autorestart = options.autorestart ?? true;
    this.cachePorts = options.cachePorts ?? this.transport === "tcp";
    this.ownsKernel = options.ownsKernel ?? true;
    this.kernelStderr = options.kernelStderr ?? "forward";
    this.logger = options.logger ?? defaultLogger;
    this.#restarterOptions = options.restarter ?? {};
  }

  // --------------------------------------------------------------------------
  // State
  // --------------------------------------------------------------------------

  /**
   * Settles when the latest start, restart or shutdown has finished:
   * resolves, or rejects with its error (Python's `ready` future). A promise
   * obtained before the first start settles with that start.
   */
  get ready(): Promise<void> {
    this.#ready ??= deferred();
    return this.#ready.promise;
  }

  /** The kernelspec of the kernel, once loaded (by the first start or {@link loadKernelSpec}). */
  get kernelSpec(): KernelSpec | undefined {
    return this.#specName === this.kernelName ? this.#spec : undefined;
  }

  /** Loads (and keeps) the kernelspec named by `kernelName`. */
  async loadKernelSpec(): Promise<KernelSpec> {
    if (this.kernelName === "python") this.kernelName = "python3";
    const cached = this.kernelSpec;
    if (cached) return cached;
    const name = this.kernelName;
    const spec = await this.kernelSpecManager.getKernelSpec(name);
    this.#spec = spec;
    this.#specName = name;
    return spec;
  }

  /** Whether a kernel process is being managed (started and not yet seen to end). */
  get hasKernel(): boolean {
    return this.provisioner?.hasProcess ?? false;
  }

  /** How the last shutdown ended; undefined before any. */
  get shutdownStatus(): ShutdownStatus | undefined {
    return this.#shutdownStatus;
  }

  /** The restarter, while autorestart is on and a kernel has been started. */
  get restarter(): KernelRestarter | undefined {
    return this.#restarter;
  }

  /** The last command that started the kernel (empty before). */
  get command(): readonly string[] {
    return this.#command;
  }

  /** The last lines the kernel wrote on stderr (when `kernelStderr` keeps them), `""` otherwise. */
  get stderrTail(): string {
    return this.#stderr?.text() ?? "";
  }

  /**
   * Listens to the restarter's events: `restart` (the kernel died and is
   * being restarted, attempt n of the limit; `ready` then settles when that
   * restart is done) and `dead` (it gave up).
   * Returns the function that unsubscribes.
   */
  on<E extends keyof KernelManagerEvents>(event: E, listener: (...args: KernelManagerEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Whether the kernel process runs (true for a kernel this manager does not own). */
  async isAlive(): Promise<boolean> {
    if (!this.ownsKernel) return true;
    const provisioner = this.provisioner;
    if (!provisioner?.hasProcess) return false;
    return (await provisioner.poll()) === null;
  }

  /**
   * A client for this kernel, with a session of the same key (and its own
   * session id, so that several clients can be connected at once). Channels
   * are not started.
   */
  client(options: Omit<KernelClientOptions, "connectionInfo" | "connectionFile"> = {}): KernelClient {
    const session =
      options.session ??
      new Session({ key: this.session.key, signatureScheme: this.session.signatureScheme, username: this.session.username });
    return new KernelClient({
      ...options,
      session,
      connectionInfo: this.getConnectionInfo(),
      ...(this.connectionFile ? { connectionFile: this.connectionFile } : {}),
    });
  }

  /**
   * Waits until the kernel answers `kc` (the client's `waitForReady`), and
   * rejects with {@link KernelStartError} the moment the kernel process exits
   * first, naming its command, exit status and last stderr lines. A client
   * whose channels are not started yet gets them started as soon as the
   * kernel listens on its ports, so that they connect at once (started
   * earlier, each socket retries on its own 100 ms timer).
   *
   * One failure is retried: a kernel that dies at start because one of its
   * ports was taken meanwhile (another program bound it between the port
   * choice and the kernel's bind; its stderr says "Address already in use")
   * is restarted on new ports, `kc` is moved to them, and the wait goes on,
   * up to 3 times within `timeout`. A client left on the old ports by a
   * restart on new ports is moved to the new ones; one whose heartbeat gave
   * up while the kernel restarted is waited for until it beats again.
   *
   * @throws KernelStartError when the kernel exits before it is ready; KernelTimeoutError after `timeout` ms (default 60000).
   */
  async waitForReady(kc: KernelClient, options: { timeout?: number } = {}): Promise<ReplyMessage<"kernel_info_request">> {
    const timeout = options.timeout ?? 60_000;
    const deadline = performance.now() + timeout;
    const expired = (): KernelTimeoutError =>
      new KernelTimeoutError(timeout, `kernel ${this.kernelId} was not ready within ${timeout} ms (${this.#command.join(" ")})`);
    let portRetries = 0;
    for (;;) {
      const provisioner = this.provisioner;
      if (!provisioner?.hasProcess) throw new KernelNotStartedError("cannot wait for the kernel to be ready: no kernel is running (start it first)");
      // A restart on new ports (the restarter's, until the kernel has lived) leaves the client behind.
      if (PORT_PROPS.some(([, prop]) => kc.connection[prop] !== this[prop])) {
        await kc.stopChannels();
        for (const [, prop] of PORT_PROPS) kc.connection[prop] = this[prop];
      }
      const exited = provisioner.wait().then((status) => ({ status }));
      let outcome: { reply: ReplyMessage<"kernel_info_request"> } | { status: number | null } | { error: unknown } | undefined;
      if (!kc.channelsRunning) {
        // Connected once the kernel listens, the client's sockets connect at once.
        const listening = (this.#control?.listening ?? Promise.resolve()).then(() => undefined);
        const got = await until(deadline, [listening, exited]);
        if (got === TIMED_OUT) throw expired();
        if (got) outcome = got;
        else await kc.startChannels();
      }
      if (!outcome) {
        const ready = kc.waitForReady({ timeout: Math.max(0, Math.round(deadline - performance.now())) });
        ready.catch(() => undefined);
        outcome = await Promise.race([ready.then((reply) => ({ reply }), (error: unknown) => ({ error })), exited]);
      }
      if ("reply" in outcome) return outcome.reply;
      if ("error" in outcome) {
        // The client's heartbeat may have given up while the kernel restarted;
        // the process runs, so wait for the next beat and ask again.
        if ((outcome.error as { code?: string }).code !== "ERR_KERNEL_DIED" || !(await this.isAlive())) throw outcome.error;
        const beating = new Promise<void>((resolve) => {
          const hb = kc.hbChannel;
          if (!hb || hb.isBeating()) resolve();
          else {
            const off = hb.on("beating", () => {
              off();
              resolve();
            });
          }
        });
        const got = await until(deadline, [beating, exited]);
        if (got === TIMED_OUT) throw expired();
        if (!got) continue;
        outcome = got;
      }
      // The last words of a dying kernel arrive just after its exit.
      await this.#stderr?.settled(250);
      const error = new KernelStartError(this.kernelName, this.#command, outcome.status ?? null, this.stderrTail);
      if (++portRetries > 2 || this.shuttingDown || !/address already in use/i.test(error.stderr)) throw error;
      this.logger.info?.(`jupyter-ts manager: kernel ${this.kernelId} lost a port to another program before binding it; restarting it on new ports`);
      await kc.stopChannels();
      await this.restartKernel({ now: true, newports: true });
    }
  }

  /**
   * Changes the environment of the next (re)start (Python's `update_env`):
   * merged over the `env` the kernel was started with (or `process.env`).
   */
  updateEnv(env: Record<string, string>): void {
    const args = (this.#launchArgs ??= {});
    args.env = { ...(args.env ?? process.env), ...env };
  }

  // --------------------------------------------------------------------------
  // Lifecycle
  // --------------------------------------------------------------------------

  /** Runs lifecycle operations one at a time; `ready` follows the latest. */
  #lifecycle(op: () => Promise<void>): Promise<void> {
    if (this.#attemptedStart || !this.#ready) this.#ready = deferred();
    const ready = this.#ready;
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run.then(
      () => ready.resolve(),
      (error: unknown) => {
        ready.reject(error);
        throw error;
      },
    );
  }

  /**
   * Starts the kernel: loads the kernelspec, makes its provisioner, which
   * picks the ports, writes the connection file and launches the process.
   * Resolves once the process runs; readiness is the client's
   * `waitForReady` (or use {@link startNewKernel}).
   *
   * @throws KernelRunningError when a kernel of this manager still runs; NoSuchKernelError for an unknown kernelspec; the provisioner's KernelLaunchError when the command cannot run.
   */
  startKernel(options: StartKernelOptions = {}): Promise<void> {
    const run = this.#lifecycle(() => this.#start(options));
    this.#attemptedStart = true;
    return run;
  }

  async #start(options: StartKernelOptions): Promise<void> {
    this.#attemptedStart = true;
    this.shuttingDown = false;
    if (await this.isAlive()) {
      if (this.ownsKernel) throw new KernelRunningError(this.kernelId ?? "");
    }
    this.kernelId ??= options.kernelId ?? randomUUID();
    const { kernelId: _, ...launchArgs } = options;
    this.#launchArgs = { ...launchArgs };
    const spec = await this.loadKernelSpec();
    this.provisioner ??= await (this.#factory ?? KernelProvisionerFactory.instance()).createProvisionerInstance(this.kernelId, spec, this, {
      logger: this.logger,
    });
    const provisioner = this.provisioner;
    const preLaunch: PreLaunchOptions = {};
    if (launchArgs.extraArguments) preLaunch.extraArguments = launchArgs.extraArguments;
    if (launchArgs.env) preLaunch.env = launchArgs.env;
    if (launchArgs.cwd !== undefined) preLaunch.cwd = launchArgs.cwd;
    if (launchArgs.independent !== undefined) preLaunch.independent = launchArgs.independent;
    if (launchArgs.launchArgs) preLaunch.launchArgs = launchArgs.launchArgs;
    try {
      const { cmd, ...launchOptions } = await provisioner.preLaunch(preLaunch);
      this.#command = cmd;
      const stderr = this.#stderrMode(provisioner, launchOptions.independent ?? false);
      if (stderr !== undefined) launchOptions.stderr = stderr;
      this.logger.debug?.(`jupyter-ts manager: starting kernel ${this.kernelId}: ${cmd.join(" ")}`);
      const info = await provisioner.launchKernel(cmd, launchOptions);
      this.#watchStderr(provisioner);
      this.#reconcileConnectionInfo(info);
      this.#startRestarter();
      const control = this.#connectControl();
      // A dead kernel needs no control socket (it would retry its connection).
      void provisioner.wait().then(() => {
        if (this.#control === control) void this.#closeControl();
      });
      await provisioner.postLaunch(preLaunch);
    } catch (error) {
      await this.#abandonStart(provisioner);
      throw error;
    }
  }

  #stderrMode(provisioner: KernelProvisionerBase, independent: boolean): "pipe" | "ignore" | undefined {
    // Only a provisioner that hands out its process can have its stderr read;
    // a pipe nobody reads would block the kernel once it is full.
    if (independent || !("process" in provisioner)) return undefined;
    if (this.kernelStderr === "ignore") return "ignore";
    if (this.kernelStderr === "inherit") return undefined;
    return "pipe";
  }

  #watchStderr(provisioner: KernelProvisionerBase): void {
    const stream = (provisioner as { process?: { stderr?: Readable | null } }).process?.stderr;
    if (!stream) {
      this.#stderr = undefined;
      return;
    }
    this.#stderr = new StderrTail(stream, this.kernelStderr === "forward" ? process.stderr : undefined);
  }

  /** The provisioner's connection info wins over what the manager had (a remote kernel may pick its own ports). */
  #reconcileConnectionInfo(info: ConnectionInfo): void {
    for (const [name, prop] of PORT_PROPS) {
      const port = info[name];
      if (typeof port === "number" && port > 0 && this[prop] !== port) this[prop] = port;
    }
    this.loadConnectionInfo(info);
  }

  /** A start failed: free whatever it took so that nothing is left behind. */
  async #abandonStart(provisioner: KernelProvisionerBase): Promise<void> {
    this.#restarter?.stop();
    try {
      if (provisioner.hasProcess) {
        await provisioner.kill().catch(() => undefined);
        await exitsWithin(provisioner, 5000);
      }
      await this.#closeControl();
      await provisioner.cleanup({ restart: false });
      await this.cleanupConnectionFile();
    } catch (error) {
      this.logger.warn(`jupyter-ts manager: cleaning up after a failed start of kernel ${this.kernelId}: ${String(error)}`);
    }
    this.provisioner = undefined;
  }

  #startRestarter(): void {
    if (!this.autorestart || !this.hasKernel) return;
    if (!this.#restarter) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const km = this;
      const restarter = new KernelRestarter(
        {
          get provisioner() {
            return km.provisioner;
          },
          get shuttingDown() {
            return km.shuttingDown;
          },
          isAlive: () => km.isAlive(),
          autorestart: (options) => km.#autorestart(options),
        },
        { logger: this.logger, ...this.#restarterOptions },
      );
      restarter.on("restart", (attempt, limit) => this.#fire("restart", attempt, limit));
      restarter.on("dead", () => this.#fire("dead"));
      this.#restarter = restarter;
    }
    this.#restarter.start();
  }

  #fire<E extends keyof KernelManagerEvents>(event: E, ...args: KernelManagerEvents[E]): void {
    try {
      this.#events.fire(event, ...args);
    } catch (error) {
      this.logger.warn(`jupyter-ts manager: a ${String(event)} listener threw: ${String(error)}`);
    }
  }

  #connectControl(): ControlChannel {
    if (!this.#control || this.#control.closed) {
      this.#control = new ControlChannel(this.makeUrl("control"), () => this.session, this.logger);
    }
    return this.#control;
  }

  async #closeControl(): Promise<void> {
    const control = this.#control;
    this.#control = undefined;
    await control?.close();
  }

  /**
   * Stops the kernel: `shutdown_request` on control, then SIGTERM and SIGKILL
   * to its process group if it does not exit in time (see the class
   * comment); `now` skips straight to SIGKILL. Then frees its ports, its
   * connection file (unless `restart`) and whatever its process group still
   * holds. The restarter never revives a kernel shut down this way.
   * Without a kernel it only frees what is left.
   */
  shutdownKernel(options: ShutdownKernelOptions = {}): Promise<void> {
    if (this.ownsKernel) {
      // Marked at once: a death seen from now on is this shutdown's doing.
      this.shuttingDown = true;
      this.#restarter?.stop();
    }
    return this.#lifecycle(() => this.#shutdown(options));
  }

  async #shutdown(options: ShutdownKernelOptions): Promise<void> {
    if (!this.ownsKernel) return;
    const restart = options.restart ?? false;
    this.shuttingDown = true;
    this.#restarter?.stop();
    const provisioner = this.provisioner;
    if (provisioner?.hasProcess) {
      this.#interruptForShutdown(provisioner);
      if (options.now) await this.#kill(provisioner, restart);
      else await this.#gracefulShutdown(provisioner, restart);
    }
    await this.#cleanupResources(restart);
  }

  // Python interrupts first, so that a busy kernel gets to its shutdown_request.
  #interruptForShutdown(provisioner: KernelProvisionerBase): void {
    if (this.kernelSpec?.interruptMode === "message") {
      this.#connectControl().request("interrupt_request", {});
    } else {
      provisioner.sendSignal("SIGINT").catch(() => undefined);
    }
  }

  async #gracefulShutdown(provisioner: KernelProvisionerBase, restart: boolean): Promise<void> {
    const { reply } = this.#connectControl().request("shutdown_request", { restart });
    await provisioner.shutdownRequested({ restart });
    this.#shutdownStatus = "request";
    const half = Math.max(0, provisioner.getShutdownWaitTime(Math.max(0, this.shutdownWaitTime))) / 2;
    const t0 = Date.now();
    void reply.then((msg) => {
      if (msg) this.logger.debug?.(`jupyter-ts manager: kernel ${this.kernelId} replied to shutdown_request after ${Date.now() - t0} ms`);
    });
    if (await exitsWithin(provisioner, half)) return;
    this.logger.debug?.(`jupyter-ts manager: kernel ${this.kernelId} did not exit ${half} ms after shutdown_request; SIGTERM`);
    this.#shutdownStatus = "terminate";
    await provisioner.terminate({ restart });
    if (await exitsWithin(provisioner, half)) return;
    this.logger.debug?.(`jupyter-ts manager: kernel ${this.kernelId} did not exit ${half} ms after SIGTERM; SIGKILL`);
    await this.#kill(provisioner, restart);
  }

  async #kill(provisioner: KernelProvisionerBase, restart: boolean): Promise<void> {
    this.#shutdownStatus = "kill";
    await provisioner.kill({ restart });
    if (!(await exitsWithin(provisioner, 5000))) {
      this.logger.warn(`jupyter-ts manager: kernel ${this.kernelId} did not exit 5 s after SIGKILL; going on`);
    }
  }

  async #cleanupResources(restart: boolean): Promise<void> {
    await this.#closeControl();
    const provisioner = this.provisioner;
    if (provisioner) await provisioner.cleanup({ restart });
    if (!restart) await this.cleanupConnectionFile();
    await this.cleanupIpcFiles();
    if (!restart) this.provisioner = undefined;
  }

  /**
   * Restarts the kernel with the options of its last start (those given here
   * replace them): a shutdown with `restart: true` (the connection file and
   * ports stay, unless `newports`), then a start. The kernel id stays.
   *
   * @throws KernelNotStartedError when the kernel was never started.
   */
  restartKernel(options: RestartKernelOptions = {}): Promise<void> {
    if (!this.#attemptedStart) {
      return Promise.reject(new KernelNotStartedError("cannot restart the kernel: it was never started (call startKernel() first)"));
    }
    this.shuttingDown = true;
    this.#restarter?.stop();
    return this.#lifecycle(() => this.#restart(options));
  }

  async #restart(options: RestartKernelOptions): Promise<void> {
    const { now, newports, ...launch } = options;
    await this.#shutdown({ now: now ?? false, restart: true });
    if (newports) await this.#releasePorts();
    const { kernelId: _, ...kept } = this.#launchArgs ?? {};
    await this.#start({ ...kept, ...launch });
  }

  /** The restarter's restart: kill at once, maybe new ports. */
  #autorestart(options: { newports: boolean }): Promise<void> {
    this.shuttingDown = true;
    this.#restarter?.stop();
    return this.#lifecycle(() => this.#restart({ now: true, newports: options.newports }));
  }

  /** Returns the ports to the cache and removes the connection file, so the next start picks new ones. */
  async #releasePorts(): Promise<void> {
    await this.provisioner?.cleanup({ restart: false });
    await this.cleanupRandomPorts();
    await this.cleanupConnectionFile();
    this.provisioner = undefined;
  }

  /**
   * Interrupts what the kernel runs: SIGINT to its process group for
   * `interrupt_mode: "signal"`, an `interrupt_request` on control (waiting
   * for the reply) for `"message"`. Waits for a start in progress first.
   *
   * @throws KernelNotStartedError without a kernel; KernelTimeoutError when no interrupt_reply came within `interruptTimeout`.
   */
  async interruptKernel(): Promise<void> {
    if (!this.hasKernel) await this.#queue;
    const provisioner = this.provisioner;
    if (!provisioner?.hasProcess) throw new KernelNotStartedError("cannot interrupt the kernel: no kernel is running (start it first)");
    const spec = await this.loadKernelSpec();
    if (spec.interruptMode === "signal") {
      await provisioner.sendSignal("SIGINT");
      return;
    }
    const { msgId, reply } = this.#connectControl().request("interrupt_request", {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = this.interruptTimeout;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeout)));
    try {
      const result = await Promise.race([reply, timedOut]);
      if (result === "timeout") {
        throw new KernelTimeoutError(timeout, `no interrupt_reply to ${msgId} from kernel ${this.kernelId} within ${timeout} ms; is it alive? (try signalKernel("SIGINT") or a restart)`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a signal to the kernel's process group (the kernel and what it
   * started).
   *
   * @throws KernelNotStartedError without a kernel.
   */
  async signalKernel(signal: NodeJS.Signals | number): Promise<void> {
    const provisioner = this.provisioner;
    if (!provisioner?.hasProcess) throw new KernelNotStartedError(`cannot send ${String(signal)} to the kernel: no kernel is running (start it first)`);
    await provisioner.sendSignal(signal);
  }

  /** Shuts the kernel down if there is one: `await using km = new KernelManager()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.provisioner || this.#control) await this.shutdownKernel();
  }
}
