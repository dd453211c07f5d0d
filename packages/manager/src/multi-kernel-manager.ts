import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { ConnectionInfo } from "@jupyter-ts/connection";
import type { KernelSpecManager } from "@jupyter-ts/kernelspec";
import { DuplicateKernelError, KernelPendingError, NoSuchKernelIdError } from "./errors.js";
import {
  KernelManager,
  type KernelManagerOptions,
  type RestartKernelOptions,
  type ShutdownKernelOptions,
  type StartKernelOptions,
} from "./kernel-manager.js";
import { defaultLogger, type ManagerLogger } from "./logger.js";
import type { KernelProvisionerFactory } from "@jupyter-ts/provisioning";

/** Options of {@link MultiKernelManager}. */
export interface MultiKernelManagerOptions {
  /** The kernelspec of `startKernel()` without a name; default `"python3"`. */
  defaultKernelName?: string;
  /** Shared by every kernel's manager; default one `KernelSpecManager` for all. */
  kernelSpecManager?: KernelSpecManager;
  /** Default the process-wide `KernelProvisionerFactory`. */
  provisionerFactory?: KernelProvisionerFactory;
  /** Where the connection files go, as `kernel-<id>.json`; default the Jupyter runtime directory (`kernel-<uuid>.json`). */
  connectionDir?: string;
  /**
   * Return from `startKernel` as soon as the kernel is registered, without
   * waiting for its start; its manager's `ready` tells when it has started
   * (Python's `use_pending_kernels`). Default false.
   */
  usePendingKernels?: boolean;
  /** Options for every kernel's manager (shutdownWaitTime, autorestart, restarter, transport, ip, ...). */
  kernelManagerOptions?: Omit<KernelManagerOptions, "kernelName" | "kernelId" | "connectionFile">;
  /** Makes each kernel's manager (Python's `kernel_manager_class`); default `new KernelManager(options)`. */
  kernelManagerFactory?: (options: KernelManagerOptions) => KernelManager;
  logger?: ManagerLogger;
}

/** Options of {@link MultiKernelManager.startKernel}. */
export interface MultiStartKernelOptions extends StartKernelOptions {
  /** The kernelspec; default `defaultKernelName`. */
  kernelName?: string;
}

/**
 * Many kernels, by id (Python's `MultiKernelManager`/`AsyncMultiKernelManager`).
 * Each kernel has its own {@link KernelManager}; all of them share one
 * kernelspec manager and, as every socket of this process does, zeromq's one
 * context. Kernels that are still starting (or stopping) are "pending":
 * `shutdownKernel` and `shutdownAll` wait for their start and then stop them.
 *
 * @example
 * await using mkm = new MultiKernelManager({ defaultKernelName: "python3" });
 * const id = await mkm.startKernel();
 * const km = mkm.getKernel(id);
 * const kc = km.client();
 * await kc.startChannels();
 * await km.waitForReady(kc);
 * await kc.stopChannels();
 * await mkm.shutdownAll();
 */
export class MultiKernelManager {
  /** The kernelspec of `startKernel()` without a `kernelName`. */
  readonly defaultKernelName: string;
  /** Shared by the kernels' managers; undefined: each makes the default one. */
  readonly kernelSpecManager: KernelSpecManager | undefined;
  /** Where connection files go; undefined: the Jupyter runtime directory. */
  readonly connectionDir: string | undefined;
  /** Whether `startKernel` returns before the kernel has started. */
  readonly usePendingKernels: boolean;
  /** Where this manager and the kernels' managers report. */
  readonly logger: ManagerLogger;

  readonly #kernels = new Map<string, KernelManager>();
  /** Start and shutdown tasks still running, by kernel id. */
  readonly #pending = new Map<string, { km: KernelManager; task: Promise<void> }>();
  readonly #kmOptions: Omit<KernelManagerOptions, "kernelName" | "kernelId" | "connectionFile">;
  readonly #factory: (options: KernelManagerOptions) => KernelManager;
  readonly #provisionerFactory: KernelProvisionerFactory | undefined;
  readonly #failed = new WeakSet<KernelManager>();

  constructor(options: MultiKernelManagerOptions = {}) {
    this.defaultKernelName = options.defaultKernelName ?? "python3";
    this.kernelSpecManager = options.kernelSpecManager;
    this.connectionDir = options.connectionDir;
    this.usePendingKernels = options.usePendingKernels ?? false;
    this.logger = options.logger ?? defaultLogger;
    this.#kmOptions = options.kernelManagerOptions ?? {};
    this.#factory = options.kernelManagerFactory ?? ((o) => new KernelManager(o));
    this.#provisionerFactory = options.provisionerFactory;
  }

  /** The ids of the kernels (started, and with `usePendingKernels` those starting). */
  listKernelIds(): string[] {
    return [...this.#kernels.keys()];
  }

  /** How many kernels {@link listKernelIds} lists (Python's `len(mkm)`). */
  get size(): number {
    return this.#kernels.size;
  }

  /** Whether a kernel of that id is listed (Python's `id in mkm`). */
  has(kernelId: string): boolean {
    return this.#kernels.has(kernelId);
  }

  /** The ids whose start or shutdown is still running. */
  get pendingKernelIds(): string[] {
    return [...this.#pending.keys()];
  }

  /** A new kernel id (a UUID); override for other ids. */
  newKernelId(): string {
    return randomUUID();
  }

  /**
   * The manager of a kernel.
   *
   * @throws NoSuchKernelIdError naming the id and the known ones.
   */
  getKernel(kernelId: string): KernelManager {
    const km = this.#kernels.get(kernelId);
    if (!km) throw new NoSuchKernelIdError(kernelId, [...new Set([...this.#kernels.keys(), ...this.#pending.keys()])]);
    return km;
  }

  /**
   * Starts a kernel and resolves with its id (once it has started, unless
   * `usePendingKernels`).
   *
   * @throws DuplicateKernelError when `kernelId` is taken; what the start throws (the kernel is then not listed).
   */
  async startKernel(options: MultiStartKernelOptions = {}): Promise<string> {
    const { kernelName, kernelId: askedId, ...start } = options;
    const kernelId = askedId ?? this.newKernelId();
    if (this.#kernels.has(kernelId) || this.#pending.has(kernelId)) throw new DuplicateKernelError(kernelId);
    const kmOptions: KernelManagerOptions = {
      logger: this.logger,
      ...this.#kmOptions,
      kernelName: kernelName ?? this.defaultKernelName,
      kernelId,
    };
    if (this.kernelSpecManager) kmOptions.kernelSpecManager = this.kernelSpecManager;
    if (this.#provisionerFactory) kmOptions.provisionerFactory = this.#provisionerFactory;
    if (this.connectionDir !== undefined) kmOptions.connectionFile = join(this.connectionDir, `kernel-${kernelId}.json`);
    const km = this.#factory(kmOptions);
    const task = km.startKernel({ ...start, kernelId }).then(
      () => {
        this.#kernels.set(kernelId, km);
        this.#settle(kernelId, task);
      },
      (error: unknown) => {
        this.#failed.add(km);
        this.#settle(kernelId, task);
        if (!this.usePendingKernels) throw error;
        this.logger.warn(`jupyter-ts: kernel ${kernelId} failed to start: ${String(error)}`);
      },
    );
    task.catch(() => undefined);
    this.#pending.set(kernelId, { km, task });
    if (this.usePendingKernels) {
      this.#kernels.set(kernelId, km);
      return kernelId;
    }
    await task;
    return kernelId;
  }

  #settle(kernelId: string, task: Promise<void>): void {
    if (this.#pending.get(kernelId)?.task === task) this.#pending.delete(kernelId);
  }

  /**
   * Shuts a kernel down and forgets it. A kernel still starting is waited
   * for first; one whose start failed is just forgotten.
   *
   * @throws NoSuchKernelIdError for an unknown id.
   */
  async shutdownKernel(kernelId: string, options: ShutdownKernelOptions = {}): Promise<void> {
    const pending = this.#pending.get(kernelId);
    if (pending) {
      await pending.task.catch(() => undefined);
      if (this.#failed.has(pending.km)) {
        this.removeKernel(kernelId);
        return;
      }
      if (!this.#kernels.has(kernelId)) return; // stopped (and forgotten) by the task we waited for
    }
    const km = this.getKernel(kernelId);
    if (this.#failed.has(km)) {
      this.removeKernel(kernelId);
      return;
    }
    const task = km.shutdownKernel(options).then(
      () => {
        this.removeKernel(kernelId);
        this.#settle(kernelId, task);
      },
      (error: unknown) => {
        this.#settle(kernelId, task);
        throw error;
      },
    );
    task.catch(() => undefined);
    this.#pending.set(kernelId, { km, task });
    if (!this.usePendingKernels) await task;
  }

  /**
   * Shuts every kernel down at once, those still starting too. Throws the
   * first error after every kernel had its turn (the others are logged).
   */
  async shutdownAll(options: Pick<ShutdownKernelOptions, "now"> = {}): Promise<void> {
    const ids = new Set([...this.#kernels.keys(), ...this.#pending.keys()]);
    const kms = [...ids].map((id) => this.#kernels.get(id) ?? this.#pending.get(id)?.km);
    const results = await Promise.allSettled([...ids].map((id) => this.shutdownKernel(id, options)));
    if (this.usePendingKernels) {
      await Promise.allSettled([...this.#pending.values()].map((p) => p.task));
      await Promise.allSettled(kms.map((km) => km?.ready));
    }
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    // As Python's gather: the first error is thrown (after every kernel had its turn); the others are logged.
    for (const f of failures.slice(1)) this.logger.warn(`jupyter-ts: a kernel failed to shut down: ${String(f.reason)}`);
    if (failures[0]) throw failures[0].reason;
  }

  /**
   * Restarts a kernel, keeping its ports.
   *
   * @throws NoSuchKernelIdError; KernelPendingError while it is still starting.
   */
  async restartKernel(kernelId: string, options: Pick<RestartKernelOptions, "now" | "newports"> = {}): Promise<void> {
    const km = this.getKernel(kernelId);
    if (this.#pending.has(kernelId)) throw new KernelPendingError(kernelId, "restart");
    await km.restartKernel(options);
  }

  /**
   * Interrupts a kernel (as its kernelspec says: signal or message).
   *
   * @throws NoSuchKernelIdError; KernelPendingError while it is still starting.
   */
  async interruptKernel(kernelId: string): Promise<void> {
    const km = this.getKernel(kernelId);
    if (this.#pending.has(kernelId)) throw new KernelPendingError(kernelId, "interrupt");
    await km.interruptKernel();
  }

  /** Sends a signal to a kernel's process group. */
  async signalKernel(kernelId: string, signal: NodeJS.Signals | number): Promise<void> {
    await this.getKernel(kernelId).signalKernel(signal);
  }

  /** Whether a kernel's process runs. */
  async isAlive(kernelId: string): Promise<boolean> {
    return this.getKernel(kernelId).isAlive();
  }

  /** A kernel's connection info. */
  getConnectionInfo(kernelId: string): ConnectionInfo {
    return this.getKernel(kernelId).getConnectionInfo();
  }

  /** Changes a kernel's environment for its next restart (Python's `update_env`); unknown ids are ignored, as in Python. */
  updateEnv(kernelId: string, env: Record<string, string>): void {
    this.#kernels.get(kernelId)?.updateEnv(env);
  }

  /**
   * Forgets a kernel without shutting it down (for one already dead);
   * returns its manager, or undefined for an unknown id.
   */
  removeKernel(kernelId: string): KernelManager | undefined {
    const km = this.#kernels.get(kernelId);
    this.#kernels.delete(kernelId);
    return km;
  }

  /** Shuts every kernel down: `await using mkm = new MultiKernelManager()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdownAll();
  }
}
